"""Chats that wait, and chats whose customer went away.

A waiting chat with no offer out is offered again whenever an agent may have become
free or its offer passed (a screen connected, an agent available, a chat ended, an
offer answered, timed out or withdrawn: `wake()`), and at least every
`REVISIT_SECONDS`; when its wait is over with no offer out, it goes on by e-mail
with the transcript. An offer out decides first: a chat is never ended for want of
an agent while one is being asked. An active chat whose widget has not been seen
for CHAT_IDLE_SECONDS ends.

Every web process runs one; each chat is taken with its ticket (the ticket first,
as every writer of both takes them), SKIP LOCKED, so two never handle the same chat
at once, and all state is in PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from servicedesk.channels.chat import lifecycle, routing
from servicedesk.channels.chat.models import Chat, ChatEnd, ChatState
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.events import DomainEvent, EventBus, OfferEnded, PresenceChanged
from servicedesk.routing import offers
from servicedesk.routing.dispatch import capacity_of
from servicedesk.settings import Settings
from servicedesk.sql import DriverSQL
from servicedesk.tickets.models import Ticket

log = logging.getLogger(__name__)

REVISIT_SECONDS = 15.0
BATCH = 100

# Waiting chats with no offer out (those wait for their offer's answer).
_WAITING = DriverSQL(
    """
    SELECT c.id, c.ticket_id FROM chat c
    WHERE c.state = 'waiting'
      AND NOT EXISTS (SELECT 1 FROM routing_offer o
                      WHERE o.ticket_id = c.ticket_id AND o.state = 'pending')
    ORDER BY c.started_at, c.id
    LIMIT :limit
    """
)
_IDLE = DriverSQL(
    """
    SELECT id, ticket_id FROM chat WHERE state = 'active' AND customer_seen_at < :since
    ORDER BY customer_seen_at
    LIMIT :limit
    """
)
# As a write of the ticket locks it: the key stays free for the routers' offers,
# which reference it (and never wait for a ticket held FOR UPDATE).
_TAKE_TICKET = DriverSQL("SELECT id FROM ticket WHERE id = :id FOR NO KEY UPDATE SKIP LOCKED")
_TAKE = DriverSQL("SELECT id FROM chat WHERE id = :id AND state = :state FOR UPDATE SKIP LOCKED")
_NEXT_DEADLINE = DriverSQL(
    """
    SELECT min(c.wait_until) AS at FROM chat c
    WHERE c.state = 'waiting'
      AND NOT EXISTS (SELECT 1 FROM routing_offer o
                      WHERE o.ticket_id = c.ticket_id AND o.state = 'pending')
    """
)


class ChatSweeper:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.capacity = capacity_of(settings)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something changed (an agent connected, a chat ended, an offer passed): look
        again now."""
        self._wake.set()

    async def sweep(self, now: datetime | None = None) -> int:
        """Offer what can be offered, send to e-mail what waited too long, end idle
        chats; returns how many chats changed or were offered."""
        changed = 0
        async with self.db.unit_of_work(Actor.system()) as uow:
            at = now or utcnow()
            waiting = [_pair(r) for r in await uow.fetch(_WAITING, {"limit": BATCH})]
            since = at - timedelta(seconds=self.settings.chat_idle_seconds)
            idle = [_pair(r) for r in await uow.fetch(_IDLE, {"since": since, "limit": BATCH})]
        for chat_id, ticket_id in waiting:
            changed += await self._waiting(chat_id, ticket_id, now)
        for chat_id, ticket_id in idle:
            changed += await self._idle(chat_id, ticket_id, now)
        return changed

    async def _waiting(self, chat_id: int, ticket_id: int, now: datetime | None) -> bool:
        async with self.db.unit_of_work(Actor.system()) as uow:
            at = now or utcnow()
            chat = await _take(uow, chat_id, ticket_id, ChatState.waiting)
            if chat is None:
                return False  # another process has it, or it moved on
            if await offers.pending_offer(uow, ticket_id) is not None:
                return False  # offered meanwhile: the offer decides first
            if chat.wait_until is not None and chat.wait_until <= at:
                return await lifecycle.end(
                    uow, chat, ChatEnd.no_agent, now=at, time_zone=self.settings.time_zone
                )
            ticket = await uow.session.get(Ticket, ticket_id)
            assert ticket is not None
            return await routing.offer(uow, chat, ticket, capacity=self.capacity, now=at)

    async def _idle(self, chat_id: int, ticket_id: int, now: datetime | None) -> bool:
        async with self.db.unit_of_work(Actor.system()) as uow:
            at = now or utcnow()
            chat = await _take(uow, chat_id, ticket_id, ChatState.active)
            if chat is None:
                return False
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


def _pair(row: Mapping[str, Any]) -> tuple[int, int]:
    return int(row["id"]), int(row["ticket_id"])


async def _take(uow: UnitOfWork, chat_id: int, ticket_id: int, state: ChatState) -> Chat | None:
    """The chat, if still in `state`, locked with its ticket; None if another
    transaction holds either (it is left to that one)."""
    if await uow.fetchrow(_TAKE_TICKET, {"id": ticket_id}) is None:
        return None
    if await uow.fetchrow(_TAKE, {"id": chat_id, "state": state}) is None:
        return None
    return await uow.session.get(Chat, chat_id)


def subscribe_sweeper(bus: EventBus, sweeper: ChatSweeper) -> None:
    """Wake the sweeper after commits that may let a waiting chat be offered: an offer
    answered or gone (its agent may be asked again, its ticket offered to another) and
    an agent who became available. (An agent's screen opening and a chat ending or
    waiting again wake it too: servicedesk/live.)"""

    async def wake(event: DomainEvent) -> None:
        if isinstance(event, PresenceChanged) and event.status != "available":
            return
        sweeper.wake()

    bus.subscribe_after_commit(OfferEnded, wake)
    bus.subscribe_after_commit(PresenceChanged, wake)


@contextlib.asynccontextmanager
async def running_chat_sweeper(sweeper: ChatSweeper) -> AsyncIterator[ChatSweeper]:
    stop = asyncio.Event()
    task = asyncio.create_task(sweeper.run(stop), name="chat sweeper")
    try:
        yield sweeper
    finally:
        stop.set()
        await task
