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

Every payload also names its event (`event`), so one handler may take several. A
commit's events are folded (`Pushes.commit`): a screen hears of a ticket once per
commit, and a new ticket's push stands for its queue's change."""

from __future__ import annotations

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
        bus.subscribe_after_commit_batch(self.commit)

    async def commit(self, events: list[Any]) -> None:
        """The pushes of one commit, folded: a screen hears a ticket once per commit.
        A ticket created in it is one `ticket.created` (its opening message and
        whatever else the transaction did to it are in what the screen fetches), and
        `queue.changed` is left out for a queue a new ticket's push already reaches
        (same rooms). At 1,000 screens, each push costs the server a send per
        screen (BENCHMARKS.md, "Live push")."""
        created = {e.ticket_id: e for e in events if isinstance(e, TicketCreated)}
        latest: dict[int, TicketCreated | TicketUpdated | MessageAdded] = {}
        for event in events:
            if isinstance(event, TicketCreated | TicketUpdated | MessageAdded):
                latest[event.ticket_id] = event
        new_queues = {e.queue_id for e in created.values() if e.queue_id is not None}
        said: set[tuple[str, int]] = set()
        for event in events:
            if isinstance(event, TicketCreated | TicketUpdated | MessageAdded):
                if ("ticket", event.ticket_id) in said:
                    continue
                said.add(("ticket", event.ticket_id))
                same = [
                    e
                    for e in events
                    if isinstance(e, TicketCreated | TicketUpdated | MessageAdded)
                    and e.ticket_id == event.ticket_id
                ]
                if event.ticket_id in created:
                    await self.created(created[event.ticket_id], latest[event.ticket_id])
                else:
                    await self.updated(same)
            elif isinstance(event, QueueChanged):
                if event.queue_id in new_queues or ("queue", event.queue_id) in said:
                    continue
                said.add(("queue", event.queue_id))
                await self.queue_changed(event)
            elif isinstance(event, SlaWarning | SlaBreached):
                await self.sla_alert(event)
            elif isinstance(event, SlaEscalated):
                await self.sla_escalated(event)
            elif isinstance(event, OfferCreated):
                await self.offer_created(event)
            elif isinstance(event, OfferEnded):
                await self.offer_ended(event)
            elif isinstance(event, PresenceChanged):
                await self.presence_changed(event)

    async def created(
        self, first: TicketCreated, last: TicketCreated | TicketUpdated | MessageAdded
    ) -> None:
        """A new ticket, as it stands at the end of its transaction, to everyone who
        may see it then or saw it on the way (a queue it was moved out of)."""
        payload: Payload = {
            "ticket_id": last.ticket_id,
            "version": last.version,
            "queue_id": last.queue_id,
            "assignee_id": last.assignee_id,
        }
        rooms = ticket_rooms(last.queue_id, last.organization_id, last.assignee_id)
        for room in ticket_rooms(first.queue_id, first.organization_id, first.assignee_id):
            if room not in rooms:
                rooms.append(room)
        await self.emit("ticket.created", payload, rooms)

    async def emit(self, name: str, payload: Payload, rooms: list[str]) -> None:
        if rooms:
            await self.sio.emit(name, {"event": name, **payload}, to=rooms, namespace=NAMESPACE)

    async def updated(self, same: list[Any]) -> None:
        """One ticket's events of one commit (a reply and its status change, say) as
        one `ticket.updated` at its last version, plus `ticket.assigned` if the
        assignee changed; to everyone who may see it, and the queue it left."""
        last = same[-1]
        payload: Payload = {
            "ticket_id": last.ticket_id,
            "version": last.version,
            "queue_id": last.queue_id,
            "assignee_id": last.assignee_id,
        }
        rooms: list[str] = []
        for event in same:
            extra = ticket_rooms(event.queue_id, event.organization_id, event.assignee_id)
            if isinstance(event, TicketUpdated) and event.previous_queue_id is not None:
                extra.append(queue_room(event.previous_queue_id))  # it stops showing there
            rooms += [room for room in extra if room not in rooms]
        if any(isinstance(e, MessageAdded) for e in same):
            payload["message"] = True
        await self.emit("ticket.updated", payload, rooms)
        if any(isinstance(e, TicketUpdated) and "assignee_id" in e.changed for e in same):
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
