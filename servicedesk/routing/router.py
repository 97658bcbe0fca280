"""The routing loop of one process: times out unanswered offers, overflows what
waited too long, and offers waiting work to free agents.

Every web process runs one; they share nothing but the database, which
arbitrates (SKIP LOCKED, unique pending offers). It runs when woken (new work, an
agent free, an offer declined: see `subscribe_router`), when the next offer
expires, and at least every `interval` seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from servicedesk.db import Actor, Database, utcnow
from servicedesk.events import (
    DomainEvent,
    EventBus,
    OfferEnded,
    PresenceChanged,
    QueueChanged,
    TicketUpdated,
)
from servicedesk.routing import dispatch, offers
from servicedesk.routing.dispatch import Capacity
from servicedesk.sql import DriverSQL

log = logging.getLogger(__name__)

MAX_OFFERS_PER_SWEEP = 500  # bounded work per pass; the next pass continues
_QUEUES_WITH_WORK = DriverSQL(
    """
    SELECT DISTINCT e.queue_id, q.email_mode
    FROM routing_entry e JOIN team q ON q.id = e.queue_id
    WHERE e.offer_id IS NULL
      AND (e.work_class IN ('voice', 'chat') OR q.email_mode = 'push')
    ORDER BY e.queue_id
    """
)
_NEXT_EXPIRY = DriverSQL("SELECT min(expires_at) AS at FROM routing_offer WHERE state = 'pending'")


class Router:
    def __init__(self, db: Database, capacity: Capacity, *, interval: float = 1.0) -> None:
        self.db = db
        self.capacity = capacity
        self.interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something changed that routing may act on: look again now."""
        self._wake.set()

    async def sweep(self, now: datetime | None = None) -> int:
        """One pass; returns how many offers were made."""
        at = now or utcnow()
        async with self.db.unit_of_work(Actor.system()) as uow:
            await offers.expire_due(uow, at)
        async with self.db.unit_of_work(Actor.system()) as uow:
            await offers.overflow_due(uow, at)
        return await self.dispatch(at)

    async def dispatch(self, now: datetime | None = None) -> int:
        """Offer waiting pushed work to free agents, one decision per transaction
        (a decision holds its locks only for itself)."""
        at = now or utcnow()
        async with self.db.unit_of_work(Actor.system()) as uow:
            queues = [
                (int(r["queue_id"]), str(r["email_mode"]))
                for r in await uow.fetch(_QUEUES_WITH_WORK, {})
            ]
        made = 0
        for queue_id, email_mode in queues:
            for work_class in dispatch.push_classes(email_mode):
                while made < MAX_OFFERS_PER_SWEEP:
                    async with self.db.unit_of_work(Actor.system()) as uow:
                        if not await dispatch.anyone_free(uow, queue_id, at):
                            break
                        offer = await dispatch.offer_next(
                            uow, queue_id, work_class, self.capacity, at
                        )
                    if offer is None:
                        break
                    made += 1
        return made

    async def _next_wait(self) -> float:
        async with self.db.unit_of_work(Actor.system()) as uow:
            row = await uow.fetchrow(_NEXT_EXPIRY, {})
        at: datetime | None = row["at"] if row is not None else None
        if at is None:
            return self.interval
        return min(self.interval, max(0.0, (at - utcnow()).total_seconds()))

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            wait = self.interval
            self._wake.clear()
            try:
                await self.sweep()
                wait = await self._next_wait()
            except Exception:
                log.exception("routing sweep failed; retrying")
            woken = asyncio.create_task(self._wake.wait())
            stopped = asyncio.create_task(stop.wait())
            try:
                await asyncio.wait({woken, stopped}, timeout=wait, return_when="FIRST_COMPLETED")
            finally:
                woken.cancel()
                stopped.cancel()


def subscribe_router(bus: EventBus, router: Router) -> None:
    """Wake the router after commits that can make an offer possible."""

    async def wake(event: DomainEvent) -> None:
        if isinstance(event, OfferEnded) and event.reason == "accepted":
            return
        if isinstance(event, PresenceChanged) and event.status != "available":
            return
        if isinstance(event, TicketUpdated) and "status" not in event.changed:
            return  # a solved ticket frees its agent's capacity
        router.wake()

    for event_type in (QueueChanged, OfferEnded, PresenceChanged, TicketUpdated):
        bus.subscribe_after_commit(event_type, wake)


@contextlib.asynccontextmanager
async def running_router(router: Router, *, enabled: bool) -> AsyncIterator[Router]:
    if not enabled:
        yield router
        return
    stop = asyncio.Event()
    task = asyncio.create_task(router.run(stop), name="router")
    try:
        yield router
    finally:
        stop.set()
        await task
