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
