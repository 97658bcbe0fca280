"""Agents' screens become presence rows (servicedesk/routing/presence.py): a staff
Socket.IO connection is recorded when it connects and removed when it goes, and
this process's heartbeat keeps its rows alive (and lets others' dead rows expire).
Whoever must know that an agent became reachable (the chat sweeper) listens."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

from servicedesk.db import Actor, Database, utcnow
from servicedesk.routing import presence
from servicedesk.staff.models import User

log = logging.getLogger(__name__)

Beat = Callable[[datetime], Awaitable[None]]


def own_connections(db: Database) -> Database:
    """A Database on `db`'s engine that never joins a connection a caller bound `db`
    to (tests bind one inside a transaction they roll back): background loops run
    beside the requests, and one connection cannot serve both at once."""
    return Database(db.engine, db.bus)


def node_name() -> str:
    """This process, among all the web processes sharing the database."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class LivePresence:
    def __init__(self, db: Database, *, node: str | None = None) -> None:
        self.db = db
        self.node = node or node_name()
        self.listeners: list[Callable[[], None]] = []  # an agent became reachable
        self.beats: list[Beat] = []  # more to do on each heartbeat (chats seen)
        self._recorded: set[str] = set()

    async def connected(self, sid: str, user: User) -> None:
        if user.role not in presence.SCREEN_ROLES or user.id is None:
            return
        try:
            async with self.db.unit_of_work(Actor.system()) as uow:
                await presence.connected(
                    uow, sid=sid, user_id=user.id, node=self.node, now=utcnow()
                )
        except Exception:  # a screen still works without presence; routing skips it
            log.exception("could not record the presence of user %s", user.id)
            return
        self._recorded.add(sid)
        for listener in self.listeners:
            listener()

    async def disconnected(self, sid: str) -> int | None:
        """Forget the screen; returns the ticket it showed, if any."""
        if sid not in self._recorded:
            return None
        self._recorded.discard(sid)
        try:
            async with self.db.unit_of_work(Actor.system()) as uow:
                return await presence.disconnected(uow, sid)
        except Exception:  # the row expires with the heartbeat anyway
            log.exception("could not remove presence %s", sid)
            return None

    async def beat(self, now: datetime | None = None) -> None:
        at = now or utcnow()
        async with self.db.unit_of_work(Actor.system()) as uow:
            await presence.heartbeat(uow, self.node, at)
        for more in self.beats:
            await more(at)

    async def _run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.beat()
            except Exception:
                log.exception("presence heartbeat failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=presence.HEARTBEAT_SECONDS)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[LivePresence]:
        """The heartbeat while the block runs; on the way out this process's screens
        are forgotten (they are gone with it)."""
        stop = asyncio.Event()
        task = asyncio.create_task(self._run(stop), name="presence heartbeat")
        try:
            yield self
        finally:
            stop.set()
            await task
            try:
                async with self.db.unit_of_work(Actor.system()) as uow:
                    await presence.forget_node(uow, self.node)
            except Exception:
                log.exception("could not forget this process's screens")
