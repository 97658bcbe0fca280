"""What intake remembers beyond the messages themselves."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow


class AutoReply(SQLModel, table=True):
    """Every automatic answer we sent. The unique key makes the acknowledgement of
    a ticket happen once; counting rows per address is the mail-loop brake."""

    __tablename__ = "auto_reply"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "kind"),
        sa.Index("ix_auto_reply_address_sent", "address", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", ondelete="CASCADE")
    kind: str = Field(sa_type=sa.String(32))  # "acknowledgement"
    address: str = Field(sa_type=sa.String(320))
    sent_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class ProviderReport(SQLModel, table=True):
    """Every delivery report a provider sent about an outbound message (Twilio's SMS
    status callbacks), kept once per state. A report that arrives before the send
    job has stored the provider's id is applied when it does, not lost."""

    __tablename__ = "provider_report"
    __table_args__ = (sa.UniqueConstraint("channel", "provider_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_type=sa.String(16))
    provider_id: str = Field(sa_type=sa.String(64))
    status: str = Field(sa_type=sa.String(16))
    error_code: str | None = Field(default=None, sa_type=sa.String(16))
    received_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
