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
    )


def local_today(settings: Settings) -> date:
    """The desk's calendar date (warranty days end at local midnight)."""
    return datetime.now(ZoneInfo(settings.time_zone)).date()
