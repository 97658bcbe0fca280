"""Escalations fire in real time, once, with two sweepers running and one of them
restarted half-way: the database arbitrates (SKIP LOCKED and a unique key).

The waits below only stop a broken run from hanging; nothing asserts how fast a
step fired (timings belong in bench/)."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from servicedesk.db import Actor, Database
from servicedesk.events import EventBus, SlaBreached
from servicedesk.sla_tracking import service as sla
from servicedesk.sla_tracking.models import SlaClock, SlaEscalation
from servicedesk.sla_tracking.sweeper import Sweeper
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.sla_tracking.test_tracking import POLICIES

WAIT = 30  # seconds before a missing escalation fails the test

# First response due two seconds after the ticket opens.
FAST = POLICIES.replace('first_response = "1h"', 'first_response = "2s"')


class Worker:
    """A sweeper as a separate process has it: its own Database, bus and registry."""

    def __init__(self, engine, settings) -> None:
        self.db = Database(engine, EventBus())
        self.registry = subscribe_domain(self.db.bus, settings)
        self.breaches: asyncio.Queue[int] = asyncio.Queue()

        async def heard(event: object) -> None:
            assert isinstance(event, SlaBreached)
            self.breaches.put_nowait(event.ticket_id)

        self.db.bus.subscribe_after_commit(SlaBreached, heard)
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(
            Sweeper(self.db, self.registry).run(interval=0.2, stop=self.stop)
        )

    async def shut(self) -> None:
        self.stop.set()
        await self.task


async def _breached(workers: list[Worker], ticket_id: int) -> None:
    async def wait_on(worker: Worker) -> None:
        while await worker.breaches.get() != ticket_id:
            pass

    waits = [asyncio.create_task(wait_on(w)) for w in workers]
    try:
        await asyncio.wait_for(asyncio.wait(waits, return_when="FIRST_COMPLETED"), WAIT)
    finally:
        for w in waits:
            w.cancel()


async def test_two_sweepers_and_a_restart_fire_each_step_once(committed_db, settings):
    subscribe_domain(committed_db.bus, settings)
    async with committed_db.unit_of_work(Actor.system()) as uow:
        await sla.load_policy_set(uow, FAST, user_id=None)
    engine = committed_db.engine
    first, second = Worker(engine, settings), Worker(engine, settings)
    customer = await f.create_customer(committed_db)
    try:
        one = await f.create_ticket(committed_db, customer)
        await _breached([first, second], one.id)
        await first.shut()  # a worker goes away…
        first = Worker(engine, settings)  # …and comes back
        two = await f.create_ticket(committed_db, customer)
        await _breached([first, second], two.id)
    finally:
        await first.shut()
        await second.shut()
    async with committed_db.read_session() as session:
        fired = list(
            await session.execute(
                select(SlaClock.ticket_id, SlaEscalation.step_key).join(
                    SlaClock, SlaClock.id == SlaEscalation.clock_id
                )
            )
        )
    steps = Counter(fired)
    assert all(count == 1 for count in steps.values())
    for ticket in (one, two):
        assert steps[(ticket.id, "breach")] == 1
        assert steps[(ticket.id, "breach#1")] == 1  # the ladder's rung at the breach
