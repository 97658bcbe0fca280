"""The one intake function every mail transport calls (mailgate, SMTP listener, IMAP).

Contract for transports: `receive_email` returns only after the message is
committed; it raises `MessageTooLarge` (permanent: 552 / bounce) or
`TemporaryFailure` (the database cannot be reached: 451 / exit 75 / leave the
IMAP message unflagged for the next poll). Anything else is a bug, but
transports still treat it as temporary so nothing is lost."""

from __future__ import annotations

from servicedesk.channels.email.parse import parse_email
from servicedesk.db import Database
from servicedesk.intake.service import IntakeResult, TemporaryFailure, ingest
from servicedesk.settings import Settings

__all__ = ["MessageTooLarge", "TemporaryFailure", "receive_email"]


class MessageTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes is over the {limit}-byte limit")
        self.size = size
        self.limit = limit


async def receive_email(db: Database, raw: bytes, settings: Settings) -> IntakeResult:
    if len(raw) > settings.mail_max_bytes:
        raise MessageTooLarge(len(raw), settings.mail_max_bytes)
    message = parse_email(raw, max_attachment_bytes=settings.max_attachment_bytes)
    return await ingest(db, message, settings)
