"""Tickets, the messages on them (every channel, both directions) and attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from servicedesk.db import metadata, utcnow
from servicedesk.enums import (
    Channel,
    DeliveryState,
    Direction,
    Priority,
    TicketStatus,
    checked,
)

# Human ticket numbers: a sequence, so numbers are unique without a lock; gaps are fine.
TICKET_NUMBER_SEQ = sa.Sequence("ticket_number_seq", start=10001, metadata=metadata)


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        sa.Index("ix_ticket_queue_status", "queue_id", "status"),
        sa.Index("ix_ticket_status_updated", "status", "updated_at"),
        sa.Index("ix_ticket_queue_created", "queue_id", "created_at"),  # arrivals (the board)
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int | None = Field(
        default=None,
        sa_type=sa.BigInteger,
        unique=True,
        nullable=False,
        sa_column_kwargs={"server_default": TICKET_NUMBER_SEQ.next_value()},
    )
    subject: str = Field(sa_type=sa.String(300))
    status: TicketStatus = Field(default=TicketStatus.new, sa_type=checked(TicketStatus, "status"))
    priority: Priority = Field(default=Priority.normal, sa_type=checked(Priority, "priority"))
    channel: Channel = Field(sa_type=checked(Channel, "channel"))
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="RESTRICT")
    asset_id: int | None = Field(
        default=None, foreign_key="asset.id", index=True, ondelete="SET NULL"
    )
    queue_id: int | None = Field(default=None, foreign_key="team.id", ondelete="SET NULL")
    assignee_id: int | None = Field(
        default=None, foreign_key="app_user.id", index=True, ondelete="SET NULL"
    )
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    first_responded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    solved_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Denormalised from the SLA clocks: the policy that applies and the earliest
    # running deadline, so "most urgent first" is an index scan.
    sla_policy: str | None = Field(default=None, sa_type=sa.String(200))
    sla_due_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), index=True
    )


class Message(SQLModel, table=True):
    """One message on a ticket. `provider_id` (Message-ID, CallSid, MessageSid…) is
    unique per channel so a provider's retry can never create a second copy."""

    __tablename__ = "message"
    __table_args__ = (
        sa.UniqueConstraint("channel", "provider_id"),
        sa.Index("ix_message_ticket_created", "ticket_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", ondelete="CASCADE")
    channel: Channel = Field(sa_type=checked(Channel, "channel"))
    direction: Direction = Field(sa_type=checked(Direction, "direction"))
    is_public: bool = Field(default=True)
    author_user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    author_customer_id: int | None = Field(
        default=None, foreign_key="customer.id", ondelete="SET NULL"
    )
    body_text: str = Field(default="", sa_type=sa.Text)
    body_html: str = Field(default="", sa_type=sa.Text)
    provider_id: str | None = Field(default=None, sa_type=sa.String(998))
    meta: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    # Outbound only: None for messages nobody has to deliver (web, notes, inbound).
    delivery_state: DeliveryState | None = Field(
        default=None, sa_type=checked(DeliveryState, "delivery_state"), nullable=True
    )
    delivery_error: str = Field(
        default="", sa_type=sa.String(1000), sa_column_kwargs={"server_default": ""}
    )
    delivery_updated_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class TicketCollaborator(SQLModel, table=True):
    """Someone copied on the ticket (an e-mail Cc): kept in the loop on replies."""

    __tablename__ = "ticket_collaborator"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", ondelete="CASCADE")
    address: str = Field(sa_type=sa.String(320))  # normalised e-mail address
    name: str = Field(default="", sa_type=sa.String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Blob(SQLModel, table=True):
    """Attachment content, stored once per SHA-256 however often it is attached."""

    __tablename__ = "blob"

    sha256: str = Field(sa_type=sa.String(64), primary_key=True)
    size: int = Field(sa_type=sa.BigInteger)
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    sha256: str = Field(foreign_key="blob.sha256", sa_type=sa.String(64), ondelete="RESTRICT")
    filename: str = Field(sa_type=sa.String(255))
    content_type: str = Field(default="application/octet-stream", sa_type=sa.String(255))
    size: int = Field(sa_type=sa.BigInteger)
    content_id: str | None = Field(default=None, sa_type=sa.String(255))  # inline cid: parts
    inline: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
