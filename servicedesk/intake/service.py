"""Intake: one normalised message in, committed on a ticket out.

record once (unique provider id) → filters (own mail, bounce, auto-reply, loop)
→ resolve the customer → thread → ticket service; one unit of work, so the
caller's "accepted" is only ever said after commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from servicedesk.channels.message import InboundMessage
from servicedesk.db import Database
from servicedesk.settings import Settings

Outcome = Literal["created", "appended", "duplicate", "bounce", "ignored"]


class TemporaryFailure(Exception):
    """The message could not be stored now (database unreachable); try again later."""


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    ticket_id: int | None  # None only when ignored (mail from our own addresses)
    ticket_number: int | None = None
    message_id: int | None = None
    reason: str = ""


async def ingest(db: Database, message: InboundMessage, settings: Settings) -> IntakeResult:
    raise NotImplementedError  # being written: intake/service.py
