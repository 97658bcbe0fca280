"""Giving a chat to an agent: one who is available in the ticket's queue, below
CHAT_CAPACITY open chats, the one with the fewest (the ticket's own assignee first,
then whoever has waited longest for a chat).

The database arbitrates between concurrent routings: the candidates' presence rows
are locked (in id order) before their open chats are counted, so a second routing
that wants the same agents waits, then counts the chat the first one gave."""

from __future__ import annotations

from datetime import UTC, datetime

from servicedesk.channels.chat import lifecycle
from servicedesk.channels.chat.models import Chat
from servicedesk.db import UnitOfWork
from servicedesk.routing import presence
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket

_OPEN_CHATS = DriverSQL(
    """
    SELECT agent_user_id, count(*) AS n FROM chat
    WHERE state = 'active' AND agent_user_id = ANY(CAST(:ids AS integer[]))
    GROUP BY agent_user_id
    """
)
_NEVER = datetime.min.replace(tzinfo=UTC)


async def assign(
    uow: UnitOfWork, chat: Chat, ticket: Ticket, *, capacity: int, now: datetime
) -> int | None:
    """Give the chat to the best available agent; returns who, or None if nobody can
    take it now. The ticket is assigned to them through the ticket service."""
    candidates = await presence.available_agents(uow, ticket.queue_id, now)
    if not candidates:
        return None
    rows = await uow.fetch(_OPEN_CHATS, {"ids": [c.user_id for c in candidates]})
    busy = {int(r["agent_user_id"]): int(r["n"]) for r in rows}
    free = [c for c in candidates if busy.get(c.user_id, 0) < capacity]
    if not free:
        return None
    best = min(
        free,
        key=lambda c: (
            c.user_id != ticket.assignee_id,
            busy.get(c.user_id, 0),
            c.last_chat_at or _NEVER,
            c.user_id,
        ),
    )
    await tickets.update_ticket(
        uow, ticket, tickets.TicketChanges(assignee_id=best.user_id, set_assignee=True)
    )
    await lifecycle.activate(uow, chat, best.user_id, now)
    await presence.given_chat(uow, best.user_id, now)
    return best.user_id
