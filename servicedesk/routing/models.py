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
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow
from servicedesk.enums import checked


class PresenceStatus(StrEnum):
    available = "available"  # takes new chats
    away = "away"  # connected, but given nothing new


class AgentPresence(SQLModel, table=True):
    __tablename__ = "agent_presence"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    status: PresenceStatus = Field(
        default=PresenceStatus.available, sa_type=checked(PresenceStatus, "presence_status")
    )
    changed_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    # When they were last given a chat: between equally busy agents, the one who has
    # waited longest gets the next.
    last_chat_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class AgentConnection(SQLModel, table=True):
    """One open agent screen: a Socket.IO connection of a signed-in staff member,
    held by the web process `node`, which refreshes `seen_at` while it lives."""

    __tablename__ = "agent_connection"

    sid: str = Field(sa_type=sa.String(64), primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    node: str = Field(sa_type=sa.String(100), index=True)
    connected_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    seen_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
