"""The live chat follows its ticket, inside the ticket's transaction: assigning the
ticket gives the chat to that agent, unassigning puts it back in the wait, and
solving or closing the ticket ends the chat (the transcript goes out by e-mail)."""

from __future__ import annotations

from typing import Any

from servicedesk.channels.chat import lifecycle
from servicedesk.channels.chat.models import ChatEnd
from servicedesk.channels.chat.repository import live_chat
from servicedesk.db import UnitOfWork, utcnow
from servicedesk.enums import TicketStatus
from servicedesk.events import EventBus, TicketUpdated
from servicedesk.settings import Settings
from servicedesk.tickets.models import Ticket

_FOLLOWED = frozenset({"assignee_id", "status"})
_ENDS_CHAT = (TicketStatus.solved, TicketStatus.closed)


def subscribe_chat(bus: EventBus, settings: Settings) -> None:
    async def on_ticket(uow: UnitOfWork, event: Any) -> None:
        assert isinstance(event, TicketUpdated)
        if not _FOLLOWED & set(event.changed):
            return
        chat = await live_chat(uow, event.ticket_id)
        if chat is None:
            return
        ticket = await uow.session.get(Ticket, event.ticket_id)
        assert ticket is not None
        now = utcnow()
        if ticket.status in _ENDS_CHAT:
            await lifecycle.end(uow, chat, ChatEnd.agent, now=now, time_zone=settings.time_zone)
        elif ticket.assignee_id is not None:
            await lifecycle.activate(uow, chat, ticket.assignee_id, now)
        else:
            await lifecycle.requeue(uow, chat, now, settings.chat_wait_seconds)

    bus.subscribe(TicketUpdated, on_ticket)
