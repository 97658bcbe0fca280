"""The agents' side of the web chat, on the staff namespace `/live`: a ticket screen watches
its ticket (access checked once, on `watch`) to see the customer typing and to type
back; and, after commit, what the desk did reaches the widget (an agent's line, the
chat's new state) and the screens (who got the chat, the banner on the ticket)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import socketio
from sqlmodel import col, select

from servicedesk.access import can_see_ticket
from servicedesk.channels.chat import service
from servicedesk.channels.chat.events import ChatChanged
from servicedesk.channels.chat.ratelimit import Limiter
from servicedesk.channels.chat.repository import chat_view, first_name, line, live_chat_id
from servicedesk.channels.chat.sweeper import ChatSweeper
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database
from servicedesk.events import EventBus, MessageAdded
from servicedesk.live import collision
from servicedesk.live.collision import ticket_room
from servicedesk.live.rooms import NAMESPACE as STAFF_NAMESPACE
from servicedesk.live.rooms import ticket_rooms, user_room
from servicedesk.sql import DriverSQL
from servicedesk.tickets.models import Ticket

log = logging.getLogger(__name__)

CHAT_NAMESPACE = "/chat"
CHAT_GONE = (
    "there is no chat going on to carry this reply, so it was not sent; "
    "send it again and it goes by e-mail"
)
_TICKET = DriverSQL(
    """
    SELECT t.number, t.version, t.queue_id, t.assignee_id, c.organization_id
    FROM ticket t JOIN customer c ON c.id = t.customer_id
    WHERE t.id = :id
    """
)


def chat_room(chat_id: int) -> str:
    """The widgets of one chat (namespace /chat)."""
    return f"chat:{chat_id}"


class StaffSide:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        db: Database,
        sweeper: ChatSweeper,
        *,
        customers_online: Callable[[int], bool],
    ) -> None:
        self.sio = sio
        self.db = db
        self.sweeper = sweeper
        self.customers_online = customers_online
        self.typing = Limiter(per_minute=60.0, burst=10)

    def register(self) -> None:
        self.sio.on("watch", self.on_watch, namespace=STAFF_NAMESPACE)
        self.sio.on("typing", self.on_typing, namespace=STAFF_NAMESPACE)

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe_after_commit(MessageAdded, self.push_line)
        bus.subscribe_after_commit(ChatChanged, self.push_state)

    # -- staff screens ---------------------------------------------------------------

    async def on_watch(self, sid: str, data: Any = None) -> dict[str, Any]:
        """A ticket screen opened: it hears that ticket's chat (if its user may see it)."""
        ticket_id = _ticket_id(data)
        session = await self.sio.get_session(sid, namespace=STAFF_NAMESPACE)
        actor = session.get("actor")
        if ticket_id is None or not isinstance(actor, Actor):
            return {"ok": False, "error": "invalid"}
        async with self.db.read_session() as s:
            found = (
                await s.execute(
                    select(Ticket, col(Customer.organization_id))
                    .join(Customer, col(Customer.id) == col(Ticket.customer_id))
                    .where(col(Ticket.id) == ticket_id)
                )
            ).first()
        if found is None or not can_see_ticket(actor, found[0], found[1]):
            return {"ok": False, "error": "forbidden"}
        target = ticket_room(ticket_id)
        for room in self.sio.rooms(sid, namespace=STAFF_NAMESPACE):
            if room.startswith("ticket:") and room != target:
                await self.sio.leave_room(sid, room, namespace=STAFF_NAMESPACE)
        await self.sio.enter_room(sid, target, namespace=STAFF_NAMESPACE)
        await collision.viewing(self.sio, self.db, sid, ticket_id)
        return {"ok": True}

    async def on_typing(self, sid: str, data: Any = None) -> None:
        """An agent typing on a watched ticket: the others viewing it are warned, and its
        chat's widget (if it has one) shows it."""
        ticket_id = _ticket_id(data)
        if ticket_id is None or ticket_room(ticket_id) not in self.sio.rooms(
            sid, namespace=STAFF_NAMESPACE
        ):
            return
        if self.typing.take(sid, time.monotonic()):
            return
        assert isinstance(data, Mapping)
        await collision.typing(self.sio, self.db, sid, ticket_id, data.get("typing") is True)
        session = await self.sio.get_session(sid, namespace=STAFF_NAMESPACE)
        async with self.db.unit_of_work(Actor.system()) as uow:
            chat_id = await live_chat_id(uow, ticket_id)
        if chat_id is not None:
            await self.sio.emit(
                "chat.typing",
                {"typing": data.get("typing") is True, "name": first_name(session.get("name"))},
                to=chat_room(chat_id),
                namespace=CHAT_NAMESPACE,
            )

    async def customer_typing(self, ticket_id: int, typing: bool) -> None:
        await self.sio.emit(
            "typing",
            {"ticket_id": ticket_id, "typing": typing, "who": "customer"},
            to=ticket_room(ticket_id),
            namespace=STAFF_NAMESPACE,
        )

    # -- after commit ------------------------------------------------------------------

    async def push_line(self, event: Any) -> None:
        """An agent's public reply on a chat ticket: to the widget, then `sent`."""
        assert isinstance(event, MessageAdded)
        if event.channel != "chat" or event.direction != "out" or not event.public:
            return
        async with self.db.unit_of_work(Actor.system()) as uow:
            chat_id = await live_chat_id(uow, event.ticket_id)
            shown = await line(uow, event.message_id) if chat_id is not None else None
        if chat_id is None or shown is None:
            if event.needs_delivery:
                await service.reply_without_chat(self.db, event.message_id, CHAT_GONE)
            return
        await self.sio.emit(
            "chat.message", shown.as_json(), to=chat_room(chat_id), namespace=CHAT_NAMESPACE
        )
        if self.customers_online(chat_id):
            await service.mark_sent(self.db, [event.message_id])
        # else it stays queued: shown (and then sent) when the customer comes back

    async def push_state(self, event: Any) -> None:
        assert isinstance(event, ChatChanged)
        async with self.db.unit_of_work(Actor.system()) as uow:
            view = await chat_view(uow, event.chat_id)
            ticket = await uow.fetchrow(_TICKET, {"id": event.ticket_id})
        if view is not None:
            await self.sio.emit(
                "chat.state",
                view.as_json(),
                to=chat_room(event.chat_id),
                namespace=CHAT_NAMESPACE,
            )
        if ticket is not None:
            rooms = ticket_rooms(
                ticket["queue_id"], ticket["organization_id"], ticket["assignee_id"]
            )
            # The ticket's chat banner changed: its screens re-fetch, as for any update.
            payload = {
                "event": "ticket.updated",
                "ticket_id": event.ticket_id,
                "version": ticket["version"],
                "queue_id": ticket["queue_id"],
                "assignee_id": ticket["assignee_id"],
                "chat": event.state,
            }
            await self.sio.emit("ticket.updated", payload, to=rooms, namespace=STAFF_NAMESPACE)
            given = event.agent_user_id
            if event.state == "active" and given and given != event.previous_agent_user_id:
                await self.sio.emit(
                    "chat",
                    {
                        "event": "chat.assigned",
                        "ticket_id": event.ticket_id,
                        "number": ticket["number"],
                    },
                    to=user_room(given),
                    namespace=STAFF_NAMESPACE,
                )
        if event.state in ("ended", "waiting"):
            self.sweeper.wake()  # an agent's capacity may be free, or a chat wants one


def _ticket_id(data: Any) -> int | None:
    value = data.get("ticket_id") if isinstance(data, Mapping) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    return None
