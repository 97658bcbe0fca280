"""A web chat: one conversation of a customer in the widget, on one ticket.

The chat's lines are the ticket's messages (channel `chat`); this row holds what
the conversation itself is: who the customer said they are, its state (waiting
for an agent, with an agent, ended), the agent it is with, and how it ended. A
ticket has at most one live chat (a partial unique index)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow
from servicedesk.enums import checked


class ChatState(StrEnum):
    waiting = "waiting"  # for a free agent
    active = "active"  # with an agent
    ended = "ended"


class ChatEnd(StrEnum):
    """Why a chat ended; the first four continue by e-mail, with the transcript."""

    customer = "customer"  # the customer ended it
    agent = "agent"  # the ticket was solved or closed
    idle = "idle"  # the customer was away longer than CHAT_IDLE_SECONDS
    no_agent = "no_agent"  # nobody free within CHAT_WAIT_SECONDS
    out_of_hours = "out_of_hours"  # the desk is closed by the ticket's SLA calendar
    superseded = "superseded"  # the customer opened another chat on the same ticket


LIVE = (ChatState.waiting, ChatState.active)


class Chat(SQLModel, table=True):
    __tablename__ = "chat"
    __table_args__ = (
        sa.Index(
            "uq_chat_live_ticket",
            "ticket_id",
            unique=True,
            postgresql_where=sa.text("state <> 'ended'"),
        ),
        sa.Index("ix_chat_waiting", "wait_until", postgresql_where=sa.text("state = 'waiting'")),
        sa.Index(
            "ix_chat_active_agent", "agent_user_id", postgresql_where=sa.text("state = 'active'")
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True, ondelete="CASCADE")
    # The customer's first line: a resent start (same client id) finds its chat here.
    first_message_id: int | None = Field(
        default=None, foreign_key="message.id", unique=True, ondelete="SET NULL"
    )
    name: str = Field(sa_type=sa.String(100))
    email: str = Field(sa_type=sa.String(320))
    language: str = Field(default="he", sa_type=sa.String(8))
    state: ChatState = Field(default=ChatState.waiting, sa_type=checked(ChatState, "chat_state"))
    end_reason: ChatEnd | None = Field(
        default=None, sa_type=checked(ChatEnd, "chat_end"), nullable=True
    )
    agent_user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    started_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    # While waiting: when it goes to e-mail if no agent is free by then.
    wait_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    assigned_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Refreshed while a widget holds the chat open; the idle rule reads it.
    customer_seen_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    transcript_message_id: int | None = Field(
        default=None, foreign_key="message.id", ondelete="SET NULL"
    )
