"""The staff Socket.IO namespace `/live`: authenticated connections put in the rooms
their role allows (servicedesk/live/rooms.py), the pushes after commit
(servicedesk/live/pushes.py), and `resync` for a screen that was away.

    connect  browsers: the session cookie; integrations: auth={"token": "<API token>"}
    resync   {} → {user_id, role, presence, offers, queues}   (servicedesk/live/snapshot.py)

The chat's `watch` and `typing` are on this namespace too (servicedesk/live/chat_staff.py).
The default namespace serves nobody: the app lists the namespaces it serves."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from servicedesk.db import Actor, Database, utcnow
from servicedesk.events import EventBus
from servicedesk.live import collision, snapshot
from servicedesk.live.auth import identify, refused
from servicedesk.live.presence import LivePresence
from servicedesk.live.pushes import Pushes
from servicedesk.live.rooms import NAMESPACE, queues_of, rooms_for
from servicedesk.settings import Settings

log = logging.getLogger(__name__)


class StaffLive:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        db: Database,
        settings: Settings,
        presence: LivePresence | None = None,
    ) -> None:
        self.sio = sio
        self.db = db
        self.settings = settings
        self.presence = presence

    def register(self) -> None:
        self.sio.on("connect", self.on_connect, namespace=NAMESPACE)
        self.sio.on("disconnect", self.on_disconnect, namespace=NAMESPACE)
        self.sio.on("resync", self.on_resync, namespace=NAMESPACE)

    def subscribe(self, bus: EventBus) -> None:
        Pushes(self.sio).subscribe(bus)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        try:
            caller = await identify(self.db, self.settings, environ, auth)
        except socketio.exceptions.ConnectionRefusedError:
            raise
        except Exception as exc:  # the database is away, say: refuse, never crash
            log.exception("could not authenticate a live connection")
            raise refused("the desk cannot check who you are right now; try again") from exc
        for room in rooms_for(caller.user, caller.teams):
            await self.sio.enter_room(sid, room, namespace=NAMESPACE)
        await self.sio.save_session(
            sid, {"actor": caller.actor, "name": caller.user.name}, namespace=NAMESPACE
        )
        # A browser's screen is the agent at work (routing reads it); an integration
        # holding an agent's token is not.
        if self.presence is not None and caller.via == "session":
            await self.presence.connected(sid, caller.user)
        return True

    async def on_disconnect(self, sid: str, reason: str = "") -> None:
        if self.presence is not None:
            # The ticket it showed: its other viewers no longer see this one there.
            await collision.broadcast(self.sio, self.db, await self.presence.disconnected(sid))

    async def on_resync(self, sid: str, data: Any = None) -> dict[str, Any]:
        session = await self.sio.get_session(sid, namespace=NAMESPACE)
        actor = session.get("actor")
        assert isinstance(actor, Actor)  # put there on connect
        assert actor.user_id is not None
        assert actor.role is not None
        try:
            return await snapshot.snapshot(
                self.db,
                user_id=actor.user_id,
                role=actor.role,
                queues=queues_of(self.sio.rooms(sid, namespace=NAMESPACE)),
                now=utcnow(),
            )
        except Exception:  # the screen still re-fetches its fragments
            log.exception("resync failed")
            return {"error": "unavailable"}


def wire_staff_live(
    sio: socketio.AsyncServer,
    db: Database,
    settings: Settings,
    bus: EventBus,
    presence: LivePresence | None = None,
) -> StaffLive:
    """`/live` in this process: its handlers and its pushes after commit."""
    live = StaffLive(sio, db, settings, presence)
    live.register()
    live.subscribe(bus)
    return live
