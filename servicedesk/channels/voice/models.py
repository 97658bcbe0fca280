"""A phone call as it happens: the IVR's answers, the queue, who took it, how it ended.

One row per Twilio CallSid (unique: Twilio's retries of the same webhook find it).
The call becomes a message on a ticket when it reaches the queue or voicemail, or
when it ends without either, so every call is on a ticket and none is filed twice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow
from servicedesk.enums import checked


class CallState(StrEnum):
    menu = "menu"  # in the IVR
    queued = "queued"  # waiting in a Twilio queue for an agent
    connecting = "connecting"  # an agent accepted; Twilio is dialling them
    talking = "talking"  # an agent answered
    voicemail = "voicemail"  # recording a message
    ended = "ended"


class CallOutcome(StrEnum):
    answered = "answered"
    missed = "missed"  # hung up, failed or was not answered before reaching the queue
    abandoned = "abandoned"  # hung up while waiting in the queue
    voicemail = "voicemail"


class PhoneCall(SQLModel, table=True):
    __tablename__ = "phone_call"
    __table_args__ = (sa.Index("ix_phone_call_queue_state", "queue_id", "state", "enqueued_at"),)

    id: int | None = Field(default=None, primary_key=True)
    call_sid: str = Field(sa_type=sa.String(64), unique=True)
    account_sid: str = Field(sa_type=sa.String(64))
    direction: str = Field(default="inbound", sa_type=sa.String(16))
    from_number: str = Field(sa_type=sa.String(128))
    to_number: str = Field(sa_type=sa.String(128))
    customer_id: int | None = Field(
        default=None, foreign_key="customer.id", index=True, ondelete="SET NULL"
    )
    language: str = Field(default="he", sa_type=sa.String(8))
    product_line: str | None = Field(default=None, sa_type=sa.String(100))
    serial_given: str | None = Field(default=None, sa_type=sa.String(32))  # as keyed in
    asset_id: int | None = Field(default=None, foreign_key="asset.id", ondelete="SET NULL")
    chosen_ticket_id: int | None = Field(default=None, foreign_key="ticket.id", ondelete="SET NULL")
    queue_id: int | None = Field(default=None, foreign_key="team.id", ondelete="SET NULL")
    ticket_id: int | None = Field(
        default=None, foreign_key="ticket.id", index=True, ondelete="SET NULL"
    )
    message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    state: CallState = Field(default=CallState.menu, sa_type=checked(CallState, "call_state"))
    outcome: CallOutcome | None = Field(default=None, sa_type=checked(CallOutcome, "call_outcome"))
    menu_errors: int = Field(default=0)
    agent_user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    started_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    enqueued_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    answered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    duration_seconds: int | None = None
    recording_sid: str | None = Field(default=None, sa_type=sa.String(64))
    recording_url: str | None = Field(default=None, sa_type=sa.String(500))
    recording_seconds: int | None = None
    transcript: str | None = Field(default=None, sa_type=sa.Text)
