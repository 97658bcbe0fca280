"""The send job: one stored outbound message to the SMTP relay, its delivery state
recorded after every attempt.

queued → sent when the relay accepts it; a temporary failure (no connection, 4xx)
records the error, keeps `queued` and raises so procrastinate retries with back-off;
a permanent refusal (5xx), no relay configured, or the last attempt failing → failed.
A message that is no longer `queued` is never sent again, so a job run twice sends
one mail. (A crash after the relay accepted and before `sent` was written sends it
again on the retry, with the same Message-ID: at least once, never lost.)"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING

import aiosmtplib
from procrastinate import Blueprint, JobContext

from servicedesk.channels.delivery import DeliveryDeferred, attempt, record_delivery
from servicedesk.channels.email.compose import Undeliverable, compose, load_outgoing
from servicedesk.channels.email.outbox import QUEUE
from servicedesk.db import Database
from servicedesk.enums import DeliveryState
from servicedesk.settings import Settings

if TYPE_CHECKING:
    from servicedesk.jobs import Backoff

log = logging.getLogger(__name__)

NAMESPACE = "email"
TLS_MODES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
SMTP_TIMEOUT_SECONDS = 60.0
NO_RELAY = "no SMTP relay configured (SMTP_RELAY)"


@dataclass(frozen=True)
class Relay:
    host: str
    port: int
    tls: str  # none | starttls | tls
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Relay | None:
        if settings.smtp_relay_tls not in TLS_MODES:
            raise ValueError(
                f"SMTP_RELAY_TLS must be one of {', '.join(TLS_MODES)}, "
                f"not {settings.smtp_relay_tls!r}"
            )
        if not settings.smtp_relay:
            return None
        host, port = parse_host_port(settings.smtp_relay)
        return cls(
            host=host,
            port=port or DEFAULT_PORTS[settings.smtp_relay_tls],
            tls=settings.smtp_relay_tls,
            user=settings.smtp_relay_user,
            password=str(settings.smtp_relay_password) if settings.smtp_relay_password else None,
        )


def parse_host_port(value: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6]` or `[v6]:port`."""
    value = value.strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest.removeprefix(":")
    elif value.count(":") == 1:
        host, port = value.split(":")
    else:
        host, port = value, ""
    if not host or (port and not port.isdigit()):
        raise ValueError(f"SMTP_RELAY must be host or host:port, not {value!r}")
    return host, int(port) if port else None


def email_tasks(
    db: Database, settings: Settings, *, relay: Relay | None, retry: Backoff
) -> Blueprint:
    """The e-mail tasks, bound to this process's database and settings."""
    tasks = Blueprint()

    @tasks.task(name="send", queue=QUEUE, retry=retry, pass_context=True)
    async def send(context: JobContext, message_id: int) -> str:
        last = retry.is_last(context.job.attempts)
        return await attempt(
            db,
            message_id,
            lambda: deliver(db, settings, relay, message_id, last_attempt=last),
            last_attempt=last,
            describe=_describe,
        )

    return tasks


async def deliver(
    db: Database,
    settings: Settings,
    relay: Relay | None,
    message_id: int,
    *,
    last_attempt: bool = False,
) -> str:
    """One attempt; returns what happened (the job's result in procrastinate's log)."""
    async with db.read_session() as session:
        outgoing = await load_outgoing(session, message_id)
    if outgoing is None:
        return "message deleted"
    if outgoing.message.delivery_state != DeliveryState.queued:
        return f"already {outgoing.message.delivery_state}"
    if relay is None:
        await record_delivery(db, message_id, DeliveryState.failed, NO_RELAY)
        return "failed: " + NO_RELAY
    try:
        mail = compose(outgoing, settings)
    except Undeliverable as exc:
        await record_delivery(db, message_id, DeliveryState.failed, str(exc))
        return f"failed: {exc}"
    try:
        refused = await _smtp_send(relay, mail.email, mail.sender, mail.recipients)
    except Exception as exc:
        error = _describe(exc)
        if _permanent(exc):
            await record_delivery(db, message_id, DeliveryState.failed, error)
            return f"failed: {error}"
        if last_attempt:
            await record_delivery(db, message_id, DeliveryState.failed, f"gave up: {error}")
            return f"failed: {error}"
        await record_delivery(db, message_id, DeliveryState.queued, error)
        raise DeliveryDeferred(error) from exc
    note = "; ".join(f"{rcpt} refused: {response}" for rcpt, response in refused.items())
    await record_delivery(db, message_id, DeliveryState.sent, note)
    return "sent"


async def _smtp_send(
    relay: Relay, email: EmailMessage, sender: str, recipients: list[str]
) -> dict[str, str]:
    """Hand the mail to the relay; the recipients it refused while taking the rest."""
    refused, _ = await aiosmtplib.send(
        email,
        sender=sender,
        recipients=recipients,
        hostname=relay.host,
        port=relay.port,
        username=relay.user,
        password=relay.password,
        use_tls=relay.tls == "tls",
        start_tls=relay.tls == "starttls",  # False, not None: never upgrade by surprise
        timeout=SMTP_TIMEOUT_SECONDS,
    )
    return {rcpt: f"{r.code} {r.message}" for rcpt, r in refused.items()}


def _permanent(exc: BaseException) -> bool:
    """A 5xx answer about this message. Connection trouble, 4xx, and our own relay
    settings (authentication, TLS) are temporary: they are fixed without the message."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError | aiosmtplib.SMTPConnectError):
        return False
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code >= 500
    return False


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
