"""The only reader of the environment: every setting, read once, typed."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.config import Config, Environ
from starlette.datastructures import Secret


@dataclass(frozen=True)
class Settings:
    """Everything configurable, documented in README's configuration table."""

    database_url: str | None
    home: Path
    secret_key: Secret
    default_region: str
    session_https_only: bool
    session_max_age: int
    max_attachment_bytes: int
    login_attempts: int
    login_window_seconds: int
    log_level: str
    log_json: bool
    db_pool_size: int
    time_zone: str
    # E-mail (README, "E-mail"): the desk's own addresses, intake and the relay.
    mail_from: str = "Service desk <support@servicedesk.example>"
    mail_addresses: tuple[str, ...] = ()
    mail_max_bytes: int = 35 * 1024 * 1024
    smtp_listen: str | None = None
    smtp_relay: str | None = None
    smtp_relay_user: str | None = None
    smtp_relay_password: Secret | None = None
    smtp_relay_tls: str = "none"  # none | starttls | tls
    imap_mailboxes: tuple[str, ...] = ()
    imap_poll_seconds: float = 30.0
    ack_limit_per_hour: int = 3
    run_worker: bool = True
    sla_sweep_seconds: float = 1.0
    # Twilio (README, "Phone and SMS"): webhooks are refused until the token is set.
    public_base_url: str = "http://127.0.0.1:8000"
    twilio_account_sid: str | None = None
    twilio_auth_token: Secret | None = None
    twilio_sms_from: str | None = None  # our number (E.164) or messaging service sender
    twilio_api_base: str | None = None  # another server speaking Twilio's REST API
    sms_help_text: str = ""
    # Voice (README, "Phone calls"): the menu, the queue and voicemail.
    voice_menu_file: Path | None = None  # None: the menu shipped for the demo desk
    voice_language: str = "he"  # for callers whose number we do not know
    voice_max_wait_seconds: int = 300  # then the caller is offered voicemail
    voice_wait_pause_seconds: int = 20  # between "you are number N in line"
    voice_hold_music_url: str | None = None
    voice_agent_dial: str = "client"  # client (Twilio Client identity) | phone
    voice_ring_seconds: int = 20
    voice_record_seconds: int = 120
    # Web chat (README, "Web chat").
    chat_capacity: int = 3  # open chats an agent takes at once
    email_capacity: int = 8  # open written tickets (e-mail, SMS, web) an agent holds at once
    routing_sweep_seconds: float = 1.0  # offers time out and overflow is checked this often
    chat_wait_seconds: float = 60.0  # for a free agent, before the chat goes to e-mail
    chat_idle_seconds: float = 900.0  # the customer away this long: the chat ends
    chat_max_chars: int = 2000  # one chat line
    chat_rate_per_minute: float = 30.0  # lines a chat may send, after its burst
    chat_rate_burst: int = 10
    chat_embed_origins: tuple[str, ...] = ("*",)  # sites that may frame /chat
    # Several web processes: Socket.IO events go through Redis (docs/operations.md).
    redis_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _secret_from_home(home: Path) -> str:
    """A per-install random key kept beside the embedded database, made once."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_settings(environ: Environ | dict[str, str] | None = None) -> Settings:
    config = Config(environ=environ if environ is not None else os.environ)
    home = Path(config("SERVICEDESK_HOME", default=".servicedesk")).expanduser().resolve()
    secret = config("SECRET_KEY", cast=str, default="") or _secret_from_home(home)
    return Settings(
        database_url=config("DATABASE_URL", default=None) or None,
        home=home,
        secret_key=Secret(secret),
        default_region=config("DEFAULT_REGION", default="IL").upper(),
        session_https_only=config("SESSION_HTTPS_ONLY", cast=bool, default=False),
        session_max_age=config("SESSION_MAX_AGE", cast=int, default=12 * 3600),
        max_attachment_bytes=config("MAX_ATTACHMENT_BYTES", cast=int, default=25 * 1024 * 1024),
        login_attempts=config("LOGIN_ATTEMPTS", cast=int, default=5),
        login_window_seconds=config("LOGIN_WINDOW_SECONDS", cast=int, default=300),
        log_level=config("LOG_LEVEL", default="INFO").upper(),
        log_json=config("LOG_JSON", cast=bool, default=False),
        db_pool_size=config("DB_POOL_SIZE", cast=int, default=10),
        time_zone=config("TIME_ZONE", default="Asia/Jerusalem"),
        mail_from=config("MAIL_FROM", default="Service desk <support@servicedesk.example>"),
        mail_addresses=_split(config("MAIL_ADDRESSES", default="")),
        mail_max_bytes=config("MAIL_MAX_BYTES", cast=int, default=35 * 1024 * 1024),
        smtp_listen=config("SMTP_LISTEN", default="") or None,
        smtp_relay=config("SMTP_RELAY", default="") or None,
        smtp_relay_user=config("SMTP_RELAY_USER", default="") or None,
        smtp_relay_password=(
            Secret(password) if (password := config("SMTP_RELAY_PASSWORD", default="")) else None
        ),
        smtp_relay_tls=config("SMTP_RELAY_TLS", default="none").lower(),
        imap_mailboxes=_split(config("IMAP_MAILBOXES", default=""), sep=" "),
        imap_poll_seconds=config("IMAP_POLL_SECONDS", cast=float, default=30.0),
        ack_limit_per_hour=config("ACK_LIMIT_PER_HOUR", cast=int, default=3),
        run_worker=config("RUN_WORKER", cast=bool, default=True),
        sla_sweep_seconds=config("SLA_SWEEP_SECONDS", cast=float, default=1.0),
        public_base_url=config("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/"),
        twilio_account_sid=config("TWILIO_ACCOUNT_SID", default="") or None,
        twilio_auth_token=(
            Secret(token) if (token := config("TWILIO_AUTH_TOKEN", default="")) else None
        ),
        twilio_sms_from=config("TWILIO_SMS_FROM", default="") or None,
        twilio_api_base=config("TWILIO_API_BASE", default="") or None,
        sms_help_text=config("SMS_HELP_TEXT", default=""),
        voice_menu_file=(
            Path(menu).expanduser() if (menu := config("VOICE_MENU_FILE", default="")) else None
        ),
        voice_language=config("VOICE_LANGUAGE", default="he").lower(),
        voice_max_wait_seconds=config("VOICE_MAX_WAIT_SECONDS", cast=int, default=300),
        voice_wait_pause_seconds=config("VOICE_WAIT_PAUSE_SECONDS", cast=int, default=20),
        voice_hold_music_url=config("VOICE_HOLD_MUSIC_URL", default="") or None,
        voice_agent_dial=config("VOICE_AGENT_DIAL", default="client").lower(),
        voice_ring_seconds=config("VOICE_RING_SECONDS", cast=int, default=20),
        voice_record_seconds=config("VOICE_RECORD_SECONDS", cast=int, default=120),
        chat_capacity=config("CHAT_CAPACITY", cast=int, default=3),
        email_capacity=config("EMAIL_CAPACITY", cast=int, default=8),
        routing_sweep_seconds=config("ROUTING_SWEEP_SECONDS", cast=float, default=1.0),
        chat_wait_seconds=config("CHAT_WAIT_SECONDS", cast=float, default=60.0),
        chat_idle_seconds=config("CHAT_IDLE_SECONDS", cast=float, default=900.0),
        chat_max_chars=config("CHAT_MAX_CHARS", cast=int, default=2000),
        chat_rate_per_minute=config("CHAT_RATE_PER_MINUTE", cast=float, default=30.0),
        chat_rate_burst=config("CHAT_RATE_BURST", cast=int, default=10),
        chat_embed_origins=_split(config("CHAT_EMBED_ORIGINS", default="*"), sep=" "),
        redis_url=config("REDIS_URL", default="") or None,
    )


def _split(raw: str, sep: str = ",") -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(sep) if part.strip())


def local_today(settings: Settings) -> date:
    """The desk's calendar date (warranty days end at local midnight)."""
    return datetime.now(ZoneInfo(settings.time_zone)).date()
