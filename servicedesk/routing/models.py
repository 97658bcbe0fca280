"""Who is at their screen: the agent's presence and each live connection of it.

Presence is kept in PostgreSQL, not in a process's memory, so every web process
(and the routing that runs in any of them) sees the same agents. An agent is
reachable while at least one of their screens holds a Socket.IO connection
(`agent_connection`, refreshed by its process's heartbeat, so a crashed process's
rows age out); `agent_presence.status` is what they chose (available or away) and
is where a later presence screen (on a call, in a break) extends it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow
from servicedesk.enums import checked


class PresenceStatus(StrEnum):
    available = "available"  # takes new work
    away = "away"  # connected, but given nothing new (chosen, or after a missed offer)
    on_call = "on_call"  # talking to a caller: no other call, but chats and e-mail still
    offline = "offline"  # signed off: given nothing, shown as offline


class WorkClass(StrEnum):
    """What an agent's capacity is counted in: calls, chats, and everything written
    (e-mail, SMS, web forms, API and device tickets)."""

    voice = "voice"
    chat = "chat"
    email = "email"


class OfferState(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    timeout = "timeout"
    withdrawn = "withdrawn"  # the ticket was assigned, moved or closed meanwhile


class AgentPresence(SQLModel, table=True):
    __tablename__ = "agent_presence"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    status: PresenceStatus = Field(
        default=PresenceStatus.available, sa_type=checked(PresenceStatus, "presence_status")
    )
    changed_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    # Since when they have had nothing new: the longest idle eligible agent is offered
    # the next contact (set when they are given work and when they become available).
    idle_since: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    reason: str = Field(default="chosen", sa_type=sa.String(16))  # why the status changed


class AgentConnection(SQLModel, table=True):
    """One open agent screen: a Socket.IO connection of a signed-in staff member,
    held by the web process `node`, which refreshes `seen_at` while it lives."""

    __tablename__ = "agent_connection"

    sid: str = Field(sa_type=sa.String(64), primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    node: str = Field(sa_type=sa.String(100), index=True)
    connected_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    seen_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    # The ticket this screen shows, and since when its user is typing a reply there
    # (servicedesk/routing/viewers.py: the ticket view's collision warning).
    viewing_ticket_id: int | None = Field(
        default=None, foreign_key="ticket.id", index=True, ondelete="SET NULL"
    )
    typing_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class AgentCapacity(SQLModel, table=True):
    """How much of one work class an agent holds at once: set for a team (its
    members, for that team's work) or for one agent (overrides the team's).
    Without a row the defaults apply (ROUTING_CAPACITY)."""

    __tablename__ = "agent_capacity"
    __table_args__ = (
        sa.CheckConstraint("(team_id IS NULL) <> (user_id IS NULL)", name="team_or_user"),
        sa.CheckConstraint("slots >= 0", name="slots_not_negative"),
        sa.Index(
            "uq_agent_capacity_team",
            "team_id",
            "work_class",
            unique=True,
            postgresql_where=sa.text("team_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_agent_capacity_user",
            "user_id",
            "work_class",
            unique=True,
            postgresql_where=sa.text("user_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="CASCADE")
    work_class: WorkClass = Field(sa_type=checked(WorkClass, "work_class"))
    slots: int


class RoutingEntry(SQLModel, table=True):
    """A ticket waiting for an agent: open, in a queue, assigned to nobody. Kept in
    step with the ticket inside the transaction that changes it, so the order of
    waiting work is one index scan (servicedesk/routing/queue.py)."""

    __tablename__ = "routing_entry"
    __table_args__ = (
        sa.Index(
            "ix_routing_entry_order",
            "queue_id",
            "work_class",
            sa.text("boosted DESC"),
            sa.text("priority_rank DESC"),
            sa.text("due_at ASC NULLS LAST"),
            "waiting_since",
            "ticket_id",
        ),
        sa.Index("ix_routing_entry_waiting_since", "waiting_since"),
    )

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True, ondelete="CASCADE")
    queue_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    work_class: WorkClass = Field(sa_type=checked(WorkClass, "work_class"))
    priority_rank: int = Field(sa_type=sa.SmallInteger)  # low 0 … urgent 3
    boosted: bool = False  # the customer's tier is one the queue serves first
    due_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    waiting_since: datetime = Field(sa_type=sa.DateTime(timezone=True))  # in this queue
    # Skills an agent needs (the customer's language, the product line), when defined.
    required_skills: list[int] = Field(default_factory=list, sa_type=postgresql.ARRAY(sa.Integer))
    offer_id: int | None = Field(default=None)  # the open offer, if one is out


class RoutingOffer(SQLModel, table=True):
    """One ticket offered to one agent. A partial unique index allows one pending
    offer per ticket and one per agent: two agents never hold the same offer."""

    __tablename__ = "routing_offer"
    __table_args__ = (
        sa.Index(
            "uq_routing_offer_pending_ticket",
            "ticket_id",
            unique=True,
            postgresql_where=sa.text("state = 'pending'"),
        ),
        sa.Index(
            "uq_routing_offer_pending_user",
            "user_id",
            unique=True,
            postgresql_where=sa.text("state = 'pending'"),
        ),
        sa.Index(
            "ix_routing_offer_expiry",
            "expires_at",
            postgresql_where=sa.text("state = 'pending'"),
        ),
        sa.Index("ix_routing_offer_ticket_user", "ticket_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE")
    work_class: WorkClass = Field(sa_type=checked(WorkClass, "work_class"))
    state: OfferState = Field(
        default=OfferState.pending, sa_type=checked(OfferState, "offer_state")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
