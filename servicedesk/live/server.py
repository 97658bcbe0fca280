"""Socket.IO: authenticated connections, rooms by permission, ids-only pushes after commit.

Rooms: `tickets:all` (admins, supervisors), `queue:<id>` (agents of that queue),
`user:<id>` (the assignee), `org:<id>` (partner users). A browser is put only in
rooms its role allows; it cannot join rooms itself."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from servicedesk.db import Database
from servicedesk.enums import Role
from servicedesk.events import (
    DomainEvent,
    EventBus,
    MessageAdded,
    SlaAlert,
    SlaBreached,
    SlaEscalated,
    SlaWarning,
    TicketCreated,
    TicketUpdated,
)
from servicedesk.live.presence import LivePresence
from servicedesk.settings import Settings
from servicedesk.staff.models import User
from servicedesk.staff.service import actor_for, team_ids_of
from servicedesk.web.auth import SESSION_FINGERPRINT, SESSION_USER, password_fingerprint
from servicedesk.web.session_cookie import read_session

log = logging.getLogger(__name__)


def rooms_for(user: User, team_ids: frozenset[int]) -> list[str]:
    rooms = [f"user:{user.id}"]
    if user.role in (Role.admin, Role.supervisor):
        rooms.append("tickets:all")
    elif user.role == Role.agent:
        rooms.extend(f"queue:{t}" for t in sorted(team_ids))
    elif user.role == Role.partner and user.organization_id is not None:
        rooms.append(f"org:{user.organization_id}")
    return rooms


def create_socketio(
    settings: Settings,
    db: Database,
    *,
    server: socketio.AsyncServer | None = None,
    presence: LivePresence | None = None,
) -> socketio.AsyncServer:
    """Staff screens on the default namespace; with `presence`, an agent's open
    screen makes them available (servicedesk/live/presence.py)."""
    sio = server or socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=[], logger=False)
    secret = str(settings.secret_key)

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        session = read_session(environ.get("HTTP_COOKIE", ""), secret, settings.session_max_age)
        user_id = session.get(SESSION_USER)
        if not isinstance(user_id, int):
            return False
        async with db.read_session() as s:
            user = await s.get(User, user_id)
            if (
                user is None
                or not user.is_active
                or session.get(SESSION_FINGERPRINT) != password_fingerprint(user)
            ):
                return False
            teams = await team_ids_of(s, user_id)
        for room in rooms_for(user, teams):
            await sio.enter_room(sid, room)
        await sio.save_session(sid, {"actor": actor_for(user, teams), "name": user.name})
        if presence is not None:
            await presence.connected(sid, user)
        return True

    @sio.event  # type: ignore[untyped-decorator]
    async def disconnect(sid: str, reason: str = "") -> None:
        if presence is not None:
            await presence.disconnected(sid)

    return sio


def ticket_rooms(queue_id: int | None, org_id: int | None, assignee_id: int | None) -> list[str]:
    """Everyone who may see a ticket: supervisors and admins, its queue, its
    customer's organisation (partners) and its assignee."""
    rooms = ["tickets:all"]
    if queue_id is not None:
        rooms.append(f"queue:{queue_id}")
    if org_id is not None:
        rooms.append(f"org:{org_id}")
    if assignee_id is not None:
        rooms.append(f"user:{assignee_id}")
    return rooms


def subscribe_pushes(bus: EventBus, sio: socketio.AsyncServer) -> None:
    async def push(event: DomainEvent) -> None:
        assert isinstance(event, TicketCreated | TicketUpdated | MessageAdded)
        name = {
            TicketCreated: "ticket.created",
            TicketUpdated: "ticket.updated",
            MessageAdded: "ticket.message",
        }[type(event)]
        payload = {"event": name, "ticket_id": event.ticket_id, "version": event.version}
        rooms = ticket_rooms(event.queue_id, event.organization_id, event.assignee_id)
        if isinstance(event, TicketUpdated) and event.previous_queue_id is not None:
            rooms.append(f"queue:{event.previous_queue_id}")
        await sio.emit("ticket", payload, to=rooms)

    for event_type in (TicketCreated, TicketUpdated, MessageAdded):
        bus.subscribe_after_commit(event_type, push)

    async def push_alert(event: DomainEvent) -> None:
        assert isinstance(event, SlaAlert)
        name = "sla.warning" if isinstance(event, SlaWarning) else "sla.breached"
        payload = {
            "event": name,
            "ticket_id": event.ticket_id,
            "version": event.version,
            "metric": event.metric,
        }
        rooms = ticket_rooms(event.queue_id, event.organization_id, event.assignee_id)
        await sio.emit("sla", payload, to=rooms)

    async def push_escalation(event: DomainEvent) -> None:
        assert isinstance(event, SlaEscalated)
        payload = {
            "event": "sla.escalated",
            "ticket_id": event.ticket_id,
            "version": event.version,
            "metric": event.metric,
            "step": event.step,
        }
        rooms = [f"user:{u}" for u in event.notify_users]
        rooms += [f"queue:{q}" for q in event.notify_queues]
        if event.notify_supervisors:
            rooms.append("tickets:all")
        if rooms:
            await sio.emit("sla", payload, to=rooms)

    bus.subscribe_after_commit(SlaWarning, push_alert)
    bus.subscribe_after_commit(SlaBreached, push_alert)
    bus.subscribe_after_commit(SlaEscalated, push_escalation)
