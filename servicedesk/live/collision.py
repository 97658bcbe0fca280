"""The ticket view's collision warning: every screen showing a ticket hears who
else has it open and who is typing a reply there (`ticket.viewers`), so two agents
do not answer the same customer twice. State is in the database
(servicedesk/routing/viewers.py); the event goes to the ticket's room, which the
Redis manager carries to every process."""

from __future__ import annotations

import logging

import socketio

from servicedesk.db import Actor, Database, utcnow
from servicedesk.live.rooms import NAMESPACE
from servicedesk.routing import viewers

log = logging.getLogger(__name__)


def ticket_room(ticket_id: int) -> str:
    """Staff screens showing one ticket (namespace /live), joined through `watch`."""
    return f"ticket:{ticket_id}"


async def broadcast(sio: socketio.AsyncServer, db: Database, ticket_id: int | None) -> None:
    if ticket_id is None:
        return
    async with db.unit_of_work(Actor.system()) as uow:
        found = await viewers.viewers(uow, ticket_id, utcnow())
    payload = {
        "event": "ticket.viewers",
        "ticket_id": ticket_id,
        "viewers": [{"user_id": v.user_id, "name": v.name, "typing": v.typing} for v in found],
    }
    await sio.emit("ticket.viewers", payload, to=ticket_room(ticket_id), namespace=NAMESPACE)


async def viewing(sio: socketio.AsyncServer, db: Database, sid: str, ticket_id: int) -> None:
    """The screen opened this ticket (and left the one it showed before)."""
    try:
        async with db.unit_of_work(Actor.system()) as uow:
            previous = await viewers.view(uow, sid, ticket_id)
        if previous is not None and previous != ticket_id:
            await broadcast(sio, db, previous)
        await broadcast(sio, db, ticket_id)
    except Exception:  # the page works without the warning
        log.exception("could not record who views ticket %s", ticket_id)


async def typing(
    sio: socketio.AsyncServer, db: Database, sid: str, ticket_id: int, on: bool
) -> None:
    try:
        async with db.unit_of_work(Actor.system()) as uow:
            changed = await viewers.typing(uow, sid, ticket_id, on, utcnow())
        if changed:
            await broadcast(sio, db, ticket_id)
    except Exception:
        log.exception("could not record typing on ticket %s", ticket_id)
