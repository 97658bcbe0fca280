"""How a chat reaches an agent: through routing, as a call does. Its ticket waits as
a routing entry of work class `chat` and is *offered* to the longest-idle agent of
its queue who may take it (a screen open, available, below their chat capacity);
accepting the offer assigns the ticket, and the chat follows its ticket
(subscriber.py); declining or letting it time out passes it on. The chat's start and
the chat sweeper offer it themselves, so the customer never waits for the next
router pass.

A chat on a ticket that already has an assignee (a customer back on their open
ticket, or on another device) stays with them if they are at their desk with room
for it; otherwise the ticket goes back in the wait and is offered like any other."""

from __future__ import annotations

from datetime import datetime

from servicedesk.channels.chat import lifecycle
from servicedesk.channels.chat.models import Chat
from servicedesk.db import UnitOfWork
from servicedesk.routing import dispatch, offers, presence
from servicedesk.routing.dispatch import Capacity
from servicedesk.routing.models import WorkClass
from servicedesk.routing.presence import ALIVE
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket

_AT_DESK = DriverSQL(
    """
    SELECT EXISTS (
        SELECT 1 FROM agent_presence p
        WHERE p.user_id = :user_id AND p.status = 'available'
          AND EXISTS (SELECT 1 FROM agent_connection c
                      WHERE c.user_id = p.user_id AND c.seen_at > :alive_since)
    ) AS present
    """
)


async def offer(
    uow: UnitOfWork, chat: Chat, ticket: Ticket, *, capacity: Capacity, now: datetime
) -> bool:
    """Offer the waiting chat's ticket to an agent now; True when it is with one (its
    ticket's assignee) or an offer is out, False when it waits for a free agent."""
    assert ticket.id is not None
    if ticket.assignee_id is not None:
        if await _can_take(uow, ticket, ticket.assignee_id, capacity, now):
            await presence.given_work(uow, ticket.assignee_id, now)
            return await lifecycle.activate(uow, chat, ticket.assignee_id, now)
        await tickets.update_ticket(
            uow, ticket, tickets.TicketChanges(assignee_id=None, set_assignee=True)
        )
    # What this transaction changed about the ticket reaches its entry just before
    # COMMIT (a before-commit hook): write it now, in the usual order (the SLA
    # clocks, then the entry that copies their deadline), so that the entry offered
    # is the ticket as it is. Each hook still runs once.
    await uow.flush()
    if await dispatch.offer_ticket(uow, ticket.id, capacity, now) is not None:
        return True
    return await offers.pending_offer(uow, ticket.id) is not None  # a router was first


async def _can_take(
    uow: UnitOfWork, ticket: Ticket, user_id: int, capacity: Capacity, now: datetime
) -> bool:
    row = await uow.fetchrow(_AT_DESK, {"user_id": user_id, "alive_since": now - ALIVE})
    if not (row and row["present"]):
        return False
    if ticket.queue_id is None:
        return True
    return await dispatch.has_room(uow, user_id, ticket.queue_id, WorkClass.chat, capacity)
