"""After-commit pushes to the staff namespace `/live`: one Socket.IO event per kind,
ids only (screens re-fetch what they show), to the rooms that may know.

    ticket.created / ticket.updated   {ticket_id, version, queue_id, assignee_id}
    ticket.assigned                   the same, when the assignee changed
    sla.warning / sla.breached        {ticket_id, version, metric}
    sla.escalated                     {ticket_id, version, metric, step}
    offer.created                     {offer_id, ticket_id, channel, queue_id, expires_at,
                                       timeout_seconds}, to the agent offered it only
    offer.expired                     {offer_id, ticket_id, reason}, to that agent only
    queue.changed                     {queue_id}, to the queue and supervisors
    agent.presence                    {user_id, status, reason}, to supervisors and the agent

Every payload also names its event (`event`), so one handler may take several."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from servicedesk.events import (
    EventBus,
    MessageAdded,
    OfferCreated,
    OfferEnded,
    PresenceChanged,
    QueueChanged,
    SlaAlert,
    SlaBreached,
    SlaEscalated,
    SlaWarning,
    TicketCreated,
    TicketUpdated,
)
from servicedesk.live.rooms import ALL_TICKETS, NAMESPACE, queue_room, ticket_rooms, user_room
from servicedesk.live.snapshot import iso_utc

Payload = dict[str, Any]


class Pushes:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    def subscribe(self, bus: EventBus) -> None:
        handlers: dict[type, Callable[[Any], Awaitable[None]]] = {
            TicketCreated: self.ticket,
            TicketUpdated: self.ticket,
            MessageAdded: self.ticket,
            SlaWarning: self.sla_alert,
            SlaBreached: self.sla_alert,
            SlaEscalated: self.sla_escalated,
            OfferCreated: self.offer_created,
            OfferEnded: self.offer_ended,
            QueueChanged: self.queue_changed,
            PresenceChanged: self.presence_changed,
        }
        for event_type, handler in handlers.items():
            bus.subscribe_after_commit(event_type, handler)

    async def emit(self, name: str, payload: Payload, rooms: list[str]) -> None:
        if rooms:
            await self.sio.emit(name, {"event": name, **payload}, to=rooms, namespace=NAMESPACE)

    async def ticket(self, event: TicketCreated | TicketUpdated | MessageAdded) -> None:
        payload: Payload = {
            "ticket_id": event.ticket_id,
            "version": event.version,
            "queue_id": event.queue_id,
            "assignee_id": event.assignee_id,
        }
        rooms = ticket_rooms(event.queue_id, event.organization_id, event.assignee_id)
        if isinstance(event, TicketCreated):
            await self.emit("ticket.created", payload, rooms)
            return
        if isinstance(event, MessageAdded):
            await self.emit("ticket.updated", {**payload, "message": True}, rooms)
            return
        if event.previous_queue_id is not None:  # the queue it left stops showing it
            rooms.append(queue_room(event.previous_queue_id))
        await self.emit("ticket.updated", payload, rooms)
        if "assignee_id" in event.changed:
            await self.emit("ticket.assigned", payload, rooms)

    async def sla_alert(self, event: SlaAlert) -> None:
        name = "sla.warning" if isinstance(event, SlaWarning) else "sla.breached"
        payload = {"ticket_id": event.ticket_id, "version": event.version, "metric": event.metric}
        rooms = ticket_rooms(event.queue_id, event.organization_id, event.assignee_id)
        await self.emit(name, payload, rooms)

    async def sla_escalated(self, event: SlaEscalated) -> None:
        payload = {
            "ticket_id": event.ticket_id,
            "version": event.version,
            "metric": event.metric,
            "step": event.step,
        }
        rooms = [user_room(u) for u in event.notify_users]
        rooms += [queue_room(q) for q in event.notify_queues]
        if event.notify_supervisors:
            rooms.append(ALL_TICKETS)
        await self.emit("sla.escalated", payload, rooms)

    async def offer_created(self, event: OfferCreated) -> None:
        payload = {
            "offer_id": event.offer_id,
            "ticket_id": event.ticket_id,
            "channel": event.channel,
            "queue_id": event.queue_id,
            "expires_at": iso_utc(event.expires_at),
            "timeout_seconds": event.timeout_seconds,
        }
        await self.emit("offer.created", payload, [user_room(event.user_id)])

    async def offer_ended(self, event: OfferEnded) -> None:
        payload = {"offer_id": event.offer_id, "ticket_id": event.ticket_id, "reason": event.reason}
        await self.emit("offer.expired", payload, [user_room(event.user_id)])

    async def queue_changed(self, event: QueueChanged) -> None:
        rooms = [queue_room(event.queue_id), ALL_TICKETS]
        await self.emit("queue.changed", {"queue_id": event.queue_id}, rooms)

    async def presence_changed(self, event: PresenceChanged) -> None:
        payload = {"user_id": event.user_id, "status": event.status, "reason": event.reason}
        await self.emit("agent.presence", payload, [ALL_TICKETS, user_room(event.user_id)])
