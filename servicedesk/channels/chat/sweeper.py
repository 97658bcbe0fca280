"""Chats that wait, and chats whose customer went away.

A waiting chat is offered again whenever an agent may have become free (a screen
connected, a chat ended: `wake()`), and at least every `REVISIT_SECONDS`; when its
wait is over with nobody free, it goes on by e-mail with the transcript. An active
chat whose widget has not been seen for CHAT_IDLE_SECONDS ends.

Every web process runs one; each chat is taken with FOR UPDATE SKIP LOCKED, so
two never handle the same chat at once, and all state is in PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from servicedesk.channels.chat import lifecycle, routing
from servicedesk.channels.chat.models import Chat, ChatEnd, ChatState
from servicedesk.db import Actor, Database, utcnow
from servicedesk.settings import Settings
from servicedesk.sql import DriverSQL
from servicedesk.tickets.models import Ticket

log = logging.getLogger(__name__)

REVISIT_SECONDS = 15.0
BATCH = 100

_WAITING = DriverSQL(
    """
    SELECT id FROM chat WHERE state = 'waiting'
    ORDER BY started_at, id
    LIMIT :limit
    """
)
_IDLE = DriverSQL(
    """
    SELECT id FROM chat WHERE state = 'active' AND customer_seen_at < :since
    ORDER BY customer_seen_at
    LIMIT :limit
    """
)
_TAKE = DriverSQL("SELECT id FROM chat WHERE id = :id AND state = :state FOR UPDATE SKIP LOCKED")
_NEXT_DEADLINE = DriverSQL("SELECT min(wait_until) AS at FROM chat WHERE state = 'waiting'")


class ChatSweeper:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something changed (an agent connected, a chat ended): look again now."""
        self._wake.set()

    async def sweep(self, now: datetime | None = None) -> int:
        """Route what can be routed, send to e-mail what waited too long, end idle
        chats; returns how many chats changed."""
        changed = 0
        async with self.db.unit_of_work(Actor.system()) as uow:
            at = now or utcnow()
            waiting = [int(r["id"]) for r in await uow.fetch(_WAITING, {"limit": BATCH})]
            since = at - timedelta(seconds=self.settings.chat_idle_seconds)
            idle = [int(r["id"]) for r in await uow.fetch(_IDLE, {"since": since, "limit": BATCH})]
        for chat_id in waiting:
            changed += await self._waiting(chat_id, now)
        for chat_id in idle:
            changed += await self._idle(chat_id, now)
        return changed

    async def _waiting(self, chat_id: int, now: datetime | None) -> bool:
        async with self.db.unit_of_work(Actor.system()) as uow:
            at = now or utcnow()
            if await uow.fetchrow(_TAKE, {"id": chat_id, "state": ChatState.waiting}) is None:
                return False  # another process has it, or it moved on
            chat = await uow.session.get(Chat, chat_id)
            assert chat is not None
            ticket = await uow.session.get(Ticket, chat.ticket_id)
            assert ticket is not None
            if await routing.assign(
                uow, chat, ticket, capacity=self.settings.chat_capacity, now=at
            ):
                return True
            if chat.wait_until is not None and chat.wait_until <= at:
                return await lifecycle.end(
                    uow, chat, ChatEnd.no_agent, now=at, time_zone=self.settings.time_zone
                )
        return False

    async def _idle(self, chat_id: int, now: datetime | None) -> bool:
        async with self.db.unit_of_work(Actor.system()) as uow:
            at = now or utcnow()
            if await uow.fetchrow(_TAKE, {"id": chat_id, "state": ChatState.active}) is None:
                return False
            chat = await uow.session.get(Chat, chat_id)
            assert chat is not None
            if chat.customer_seen_at >= at - timedelta(seconds=self.settings.chat_idle_seconds):
                return False  # seen again meanwhile
            return await lifecycle.end(
                uow, chat, ChatEnd.idle, now=at, time_zone=self.settings.time_zone
            )

    async def _next_wait(self) -> float:
        async with self.db.unit_of_work(Actor.system()) as uow:
            row = await uow.fetchrow(_NEXT_DEADLINE, {})
        deadline: datetime | None = row["at"] if row is not None else None
        if deadline is None:
            return REVISIT_SECONDS
        return min(REVISIT_SECONDS, max(0.0, (deadline - utcnow()).total_seconds()))

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep until `stop` is set: when woken, when a wait runs out, and at least
        every REVISIT_SECONDS. Errors are logged; the loop goes on."""
        while not stop.is_set():
            wait = REVISIT_SECONDS
            self._wake.clear()
            try:
                await self.sweep()
                wait = await self._next_wait()
            except Exception:
                log.exception("chat sweep failed; retrying")
            woken = asyncio.create_task(self._wake.wait())
            stopped = asyncio.create_task(stop.wait())
            try:
                await asyncio.wait({woken, stopped}, timeout=wait, return_when="FIRST_COMPLETED")
            finally:
                woken.cancel()
                stopped.cancel()


@contextlib.asynccontextmanager
async def running_chat_sweeper(sweeper: ChatSweeper) -> AsyncIterator[ChatSweeper]:
    stop = asyncio.Event()
    task = asyncio.create_task(sweeper.run(stop), name="chat sweeper")
    try:
        yield sweeper
    finally:
        stop.set()
        await task
