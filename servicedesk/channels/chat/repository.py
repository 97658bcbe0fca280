"""Reading chats: a chat as the widget shows it, its lines, the live chat of a ticket."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from servicedesk.channels.chat.models import Chat, ChatEnd, ChatState
from servicedesk.db import UnitOfWork
from servicedesk.sql import DriverSQL

MAX_LINES = 500  # a resumed chat shows its latest lines, at most these

_CHAT = DriverSQL(
    """
    SELECT c.id, c.ticket_id, t.number, c.state, c.end_reason, c.name, c.email, c.language,
           c.started_at, c.ended_at, c.agent_user_id, u.name AS agent_name,
           m.provider_id AS first_provider_id
    FROM chat c
    JOIN ticket t ON t.id = c.ticket_id
    LEFT JOIN app_user u ON u.id = c.agent_user_id
    LEFT JOIN message m ON m.id = c.first_message_id
    WHERE c.id = :id
    """
)
_LIVE_OF_TICKET = DriverSQL("SELECT id FROM chat WHERE ticket_id = :ticket_id AND state <> 'ended'")
# The chat's lines are the ticket's chat messages from its start to its end: a
# ticket's earlier history (other channels, earlier chats) is never shown to whoever
# typed the customer's address into the widget.
_LINES = DriverSQL(
    """
    SELECT * FROM (
        SELECT m.id, m.direction, m.body_text, m.created_at, m.delivery_state,
               m.provider_id, u.name AS agent_name
        FROM message m LEFT JOIN app_user u ON u.id = m.author_user_id
        WHERE m.ticket_id = :ticket_id AND m.channel = 'chat' AND m.is_public
          AND m.created_at >= :since
          AND (CAST(:until AS timestamptz) IS NULL OR m.created_at <= :until)
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT :limit
    ) latest
    ORDER BY created_at, id
    """
)
_LINE = DriverSQL(
    """
    SELECT m.id, m.direction, m.body_text, m.created_at, m.delivery_state, m.provider_id,
           u.name AS agent_name
    FROM message m LEFT JOIN app_user u ON u.id = m.author_user_id
    WHERE m.id = :id
    """
)


def first_name(name: str | None) -> str | None:
    """What the customer sees of an agent: their first name."""
    if not name or not name.strip():
        return None
    return name.split()[0]


@dataclass(frozen=True)
class ChatView:
    id: int
    ticket_id: int
    ticket_number: int
    state: ChatState
    end_reason: ChatEnd | None
    name: str
    email: str
    language: str
    started_at: datetime
    ended_at: datetime | None
    agent_user_id: int | None
    agent_name: str | None  # the agent's first name
    first_provider_id: str | None

    @property
    def live(self) -> bool:
        return self.state != ChatState.ended

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "end_reason": self.end_reason.value if self.end_reason else None,
            "agent": self.agent_name,
            "ticket": self.ticket_number,
            "name": self.name,
            "email": self.email,
            "language": self.language,
        }


@dataclass(frozen=True)
class Line:
    id: int
    author: Literal["customer", "agent"]
    name: str | None  # the agent's first name; None for the customer's own lines
    text: str
    at: datetime
    delivery: str | None  # an agent's line: queued, sent, delivered, failed
    client_id: str | None  # a customer's line: the id the widget gave it

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.author,
            "name": self.name,
            "text": self.text,
            "at": self.at.isoformat(),
            "delivery": self.delivery,
            "client_id": self.client_id,
        }


def _view(row: Mapping[str, Any]) -> ChatView:
    return ChatView(
        id=int(row["id"]),
        ticket_id=int(row["ticket_id"]),
        ticket_number=int(row["number"]),
        state=ChatState(row["state"]),
        end_reason=ChatEnd(row["end_reason"]) if row["end_reason"] else None,
        name=row["name"],
        email=row["email"],
        language=row["language"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        agent_user_id=row["agent_user_id"],
        agent_name=first_name(row["agent_name"]),
        first_provider_id=row["first_provider_id"],
    )


def _line(row: Mapping[str, Any]) -> Line:
    inbound = row["direction"] == "in"
    provider_id = row["provider_id"] or ""
    return Line(
        id=int(row["id"]),
        author="customer" if inbound else "agent",
        name=None if inbound else first_name(row["agent_name"]),
        text=row["body_text"],
        at=row["created_at"],
        delivery=None if inbound else row["delivery_state"],
        client_id=provider_id.rsplit(":", 1)[-1] if inbound and provider_id else None,
    )


async def chat_view(uow: UnitOfWork, chat_id: int) -> ChatView | None:
    row = await uow.fetchrow(_CHAT, {"id": chat_id})
    return _view(row) if row is not None else None


async def lines_of(uow: UnitOfWork, chat: ChatView) -> list[Line]:
    rows = await uow.fetch(
        _LINES,
        {
            "ticket_id": chat.ticket_id,
            "since": chat.started_at,
            "until": chat.ended_at,
            "limit": MAX_LINES,
        },
    )
    return [_line(r) for r in rows]


async def line(uow: UnitOfWork, message_id: int) -> Line | None:
    row = await uow.fetchrow(_LINE, {"id": message_id})
    return _line(row) if row is not None else None


async def live_chat_id(uow: UnitOfWork, ticket_id: int) -> int | None:
    row = await uow.fetchrow(_LIVE_OF_TICKET, {"ticket_id": ticket_id})
    return int(row["id"]) if row is not None else None


async def live_chat(uow: UnitOfWork, ticket_id: int) -> Chat | None:
    """The ticket's live chat as a row of this transaction, locked."""
    found = await uow.session.scalar(
        select(Chat)
        .where(col(Chat.ticket_id) == ticket_id, col(Chat.state) != ChatState.ended)
        .with_for_update()
    )
    return found


async def latest_chat(session: AsyncSession, ticket_id: int) -> Chat | None:
    """The ticket's newest chat, live or ended (the ticket screen shows its state)."""
    found = await session.scalar(
        select(Chat)
        .where(col(Chat.ticket_id) == ticket_id)
        .order_by(col(Chat.started_at).desc(), col(Chat.id).desc())
        .limit(1)
    )
    return found
