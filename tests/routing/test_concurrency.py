"""Several routers (as in several processes) at once: a ticket is offered to one
agent at a time, an agent holds one offer at a time, and a ticket is assigned once
however its offer and "next ticket" race; an offer ends once however its accepting
and its withdrawal race; and offering never waits for a ticket being changed."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from servicedesk.db import Actor, Database
from servicedesk.enums import Channel
from servicedesk.errors import Conflict
from servicedesk.routing import dispatch, offers
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


async def test_chats_offered_as_they_start_while_routers_run_are_offered_once(
    committed_db, settings
):
    subscribe_domain(committed_db.bus, settings)
    w = await world(committed_db, agents=3)
    chats = [await waiting(committed_db, w.queue, channel=Channel.chat) for _ in range(6)]

    async def offer_one(ticket_id: int) -> object:
        async with Database(committed_db.engine, committed_db.bus).unit_of_work(
            Actor.system()
        ) as uow:
            return await dispatch.offer_ticket(uow, ticket_id, CAPACITY, w.start)

    routers = [Router(Database(committed_db.engine, committed_db.bus), CAPACITY) for _ in range(2)]
    await asyncio.gather(
        *(offer_one(t.id) for t in chats if t.id is not None),
        *(r.dispatch(w.start) for r in routers),
    )
    held = await pending(committed_db)
    assert len(held) == 3  # every free agent got one, nobody two, no ticket twice
    assert len({t for t, _ in held}) == 3
    assert len({u for _, u in held}) == 3


async def test_an_offer_withdrawn_while_its_agent_accepts_ends_one_way_only(committed_db, settings):
    subscribe_domain(committed_db.bus, settings)
    w = await world(committed_db, agents=1)
    agent = w.agents[0].user.id
    assert agent is not None
    for _ in range(4):
        ticket = await waiting(committed_db, w.queue, channel=Channel.chat)
        assert ticket.id is not None
        async with committed_db.unit_of_work(Actor.system()) as uow:
            made = await dispatch.offer_ticket(uow, ticket.id, CAPACITY, w.start)
        assert made is not None

        async def accept(offer_id: int) -> bool:
            try:
                async with committed_db.unit_of_work(Actor.system()) as uow:
                    await offers.accept(uow, offer_id, agent, w.start)
                return True
            except Conflict:
                return False

        async def withdraw(ticket_id: int) -> bool:
            async with committed_db.unit_of_work(Actor.system()) as uow:
                return await offers.withdraw(uow, ticket_id, w.start) is not None

        took, withdrew = await asyncio.gather(accept(made.offer_id), withdraw(ticket.id))
        async with committed_db.read_session() as s:
            final = await s.get(Ticket, ticket.id)
            state = (
                await s.execute(
                    text("SELECT state FROM routing_offer WHERE id = :i"), {"i": made.offer_id}
                )
            ).scalar_one()
        assert final is not None
        assert took != withdrew  # one of them, never both, never neither
        assert state == ("accepted" if took else "withdrawn")
        assert final.assignee_id == (agent if took else None)


async def test_offering_never_waits_for_a_ticket_someone_is_changing(committed_db, settings):
    subscribe_domain(committed_db.bus, settings)
    w = await world(committed_db, agents=1)
    ticket = await waiting(committed_db, w.queue, channel=Channel.chat)
    assert ticket.id is not None

    async def offer_now() -> object:
        async with asyncio.timeout(15):  # a guard: an offering that waited would hang here
            async with Database(committed_db.engine, committed_db.bus).unit_of_work(
                Actor.system()
            ) as uow:
                return await dispatch.offer_ticket(uow, ticket.id, CAPACITY, w.start)

    async with committed_db.unit_of_work(Actor.system()) as held:  # held FOR UPDATE
        await held.session.get(Ticket, ticket.id, with_for_update=True)
        assert await offer_now() is None  # left to whoever holds it
    async with committed_db.unit_of_work(Actor.system()) as held:  # as an update holds it
        await held.session.get(Ticket, ticket.id, with_for_update={"key_share": True})
        assert await offer_now() is not None
    assert len(await pending(committed_db)) == 1
