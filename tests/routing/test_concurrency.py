"""Several routers (as in several processes) at once: a ticket is offered to one
agent at a time, an agent holds one offer at a time, and a ticket is assigned once
however its offer and "next ticket" race."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from servicedesk.db import Actor, Database
from servicedesk.enums import Channel
from servicedesk.errors import Conflict
from servicedesk.routing import offers
from servicedesk.routing.router import Router
from servicedesk.tickets.models import Ticket
from servicedesk.wiring import subscribe_domain
from tests.routing.support import CAPACITY, waiting, world


async def pending(db: Database) -> list[tuple[int, int]]:
    async with db.unit_of_work(Actor.system()) as uow:
        rows = await uow.execute(
            text("SELECT ticket_id, user_id FROM routing_offer WHERE state = 'pending'")
        )
        return [(r.ticket_id, r.user_id) for r in rows]


async def test_four_routers_at_once_never_double_offer(committed_db, settings):
    subscribe_domain(committed_db.bus, settings)
    w = await world(committed_db, agents=6)
    for _ in range(10):
        await waiting(committed_db, w.queue)
    routers = [Router(Database(committed_db.engine, committed_db.bus), CAPACITY) for _ in range(4)]
    made = await asyncio.gather(*(r.dispatch(w.start) for r in routers))
    held = await pending(committed_db)
    assert sum(made) == len(held) == 6  # every free agent got one, nobody two
    assert len({t for t, _ in held}) == 6
    assert len({u for _, u in held}) == 6


async def test_an_offer_accepted_while_another_agent_pulls_the_ticket_is_assigned_once(
    committed_db, settings
):
    subscribe_domain(committed_db.bus, settings)
    w = await world(committed_db, agents=2, email_mode="push")
    ticket = await waiting(committed_db, w.queue, channel=Channel.email)
    assert await Router(committed_db, CAPACITY).dispatch(w.start) == 1
    ((offered_ticket, offered_to),) = await pending(committed_db)
    assert offered_ticket == ticket.id
    other = next(a.user.id for a in w.agents if a.user.id != offered_to)
    assert other is not None

    async def accept() -> int | None:
        try:
            async with committed_db.unit_of_work(Actor.system()) as uow:
                (offer_id,) = (
                    await uow.execute(text("SELECT id FROM routing_offer WHERE state = 'pending'"))
                ).one()
                got = await offers.accept(uow, offer_id, offered_to, w.start)
                return got.assignee_id
        except Conflict:
            return None

    async def pull() -> int | None:
        async with committed_db.unit_of_work(Actor.system()) as uow:
            got = await offers.next_ticket(uow, other, CAPACITY, w.start)
            return None if got is None else got.assignee_id

    results = await asyncio.gather(accept(), pull())
    async with committed_db.read_session() as s:
        final = await s.get(Ticket, ticket.id)
    assert final is not None
    # The offered ticket is not pulled from under its offer: the offer wins.
    assert results == [offered_to, None]
    assert final.assignee_id == offered_to


async def test_two_agents_pulling_at_once_never_get_the_same_ticket(committed_db, settings):
    subscribe_domain(committed_db.bus, settings)
    w = await world(committed_db, agents=2)
    for _ in range(3):
        await waiting(committed_db, w.queue, channel=Channel.email)

    async def pull(user_id: int) -> int | None:
        async with committed_db.unit_of_work(Actor.system()) as uow:
            got = await offers.next_ticket(uow, user_id, CAPACITY, w.start)
            return None if got is None else got.id

    ids = [a.user.id for a in w.agents]
    got = await asyncio.gather(*(pull(u) for u in ids + ids))  # type: ignore[arg-type]
    taken = [g for g in got if g is not None]
    assert len(taken) == len(set(taken)) == 3
