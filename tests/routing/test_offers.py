"""Offers: the longest-idle eligible agent is offered the most urgent waiting
ticket; accepting assigns it once; declining or letting it time out passes it on
(a missed offer sets the agent away); one ticket can be offered at once (a chat as
it starts) and an offer withdrawn (its chat ended); e-mail is pulled with "next
ticket"; work overflows to another queue after the queue's wait."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from servicedesk.db import Actor, Database
from servicedesk.enums import Channel, Priority, Role, Tier
from servicedesk.errors import Conflict
from servicedesk.events import OfferCreated, OfferEnded, PresenceChanged
from servicedesk.routing import dispatch, offers, presence
from servicedesk.routing.models import PresenceStatus, WorkClass
from servicedesk.routing.router import Router
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.routing.support import CAPACITY, connect, entries, status, waiting, world


@pytest.fixture
async def routed(db: Database, settings) -> Database:
    subscribe_domain(db.bus, settings)
    return db


async def offer(db: Database, queue_id: int, work_class=WorkClass.voice, at=None):
    async with db.unit_of_work(Actor.system()) as uow:
        return await dispatch.offer_next(uow, queue_id, work_class, CAPACITY, at)


async def assignee(db: Database, ticket: Ticket) -> int | None:
    async with db.read_session() as s:
        held = await s.get(Ticket, ticket.id)
        assert held is not None
        await s.refresh(held)
        return held.assignee_id


async def add_skill(db: Database, kind: str, name: str, *agents: f.Staff) -> int:
    async with db.unit_of_work(Actor.system()) as uow:
        skill_id = (
            await uow.execute(
                text("INSERT INTO skill (name, kind) VALUES (:n, :k) RETURNING id"),
                {"n": name, "k": kind},
            )
        ).scalar_one()
        for agent in agents:
            await uow.execute(
                text("INSERT INTO user_skill (user_id, skill_id, level) VALUES (:u, :s, 2)"),
                {"u": agent.user.id, "s": skill_id},
            )
    return int(skill_id)


async def test_the_longest_idle_agent_is_offered_the_most_urgent_call(routed):
    w = await world(routed, agents=3)
    normal = await waiting(routed, w.queue)
    urgent = await waiting(routed, w.queue, priority=Priority.urgent)
    made = await offer(routed, w.queue_id, at=w.start)
    assert made is not None
    assert (made.ticket_id, made.user_id) == (urgent.id, w.agents[0].user.id)
    assert made.expires_at == w.start + timedelta(seconds=20)  # the queue's default timeout
    second = await offer(routed, w.queue_id, at=w.start)
    assert second is not None
    assert (second.ticket_id, second.user_id) == (normal.id, w.agents[1].user.id)
    assert await offer(routed, w.queue_id, at=w.start) is None  # nothing left unoffered


async def test_an_offer_is_announced_to_its_agent_after_commit(routed):
    w = await world(routed, agents=1)
    ticket = await waiting(routed, w.queue)
    heard: list[object] = []

    async def listen(event):
        heard.append(event)

    routed.bus.subscribe_after_commit(OfferCreated, listen)
    await offer(routed, w.queue_id, at=w.start)
    assert len(heard) == 1
    event = heard[0]
    assert isinstance(event, OfferCreated)
    assert (event.ticket_id, event.user_id, event.timeout_seconds) == (
        ticket.id,
        w.agents[0].user.id,
        20,
    )


async def test_agents_away_disconnected_or_already_offered_are_passed_over(routed):
    w = await world(routed, agents=3)
    first, second = [await waiting(routed, w.queue) for _ in range(2)]
    async with routed.unit_of_work(Actor.system()) as uow:
        await presence.set_status(uow, w.agents[0].user.id, PresenceStatus.away, w.start)
        await presence.disconnected(uow, f"screen-{w.agents[1].user.id}")
    made = await offer(routed, w.queue_id, at=w.start)
    assert made is not None
    assert made.user_id == w.agents[2].user.id
    assert made.ticket_id == first.id
    assert await offer(routed, w.queue_id, at=w.start) is None  # agent 3 holds an offer
    assert second.id in [e["ticket_id"] for e in await entries(routed, w.queue_id)]


async def test_skills_decide_who_may_take_a_ticket(routed):
    w = await world(routed, agents=2)
    english = await add_skill(routed, "language", "en", w.agents[1])
    await add_skill(routed, "language", "ar")  # nobody speaks it
    hebrew = await waiting(routed, w.queue)  # no "he" skill defined: anyone
    in_english = await waiting(routed, w.queue, language="en", priority=Priority.high)
    in_arabic = await waiting(routed, w.queue, language="ar", priority=Priority.urgent)
    rows = {e["ticket_id"]: e for e in await entries(routed, w.queue_id)}
    assert rows[in_english.id]["required_skills"] == [english]
    first = await offer(routed, w.queue_id, at=w.start)
    # The Arabic call is most urgent but nobody can take it; the English one goes to
    # the only English speaker, although agent 1 has been idle longer.
    assert first is not None
    assert (first.ticket_id, first.user_id) == (
        in_english.id,
        w.agents[1].user.id,
    )
    second = await offer(routed, w.queue_id, at=w.start)
    assert second is not None
    assert (second.ticket_id, second.user_id) == (
        hebrew.id,
        w.agents[0].user.id,
    )
    assert in_arabic.id in [e["ticket_id"] for e in await entries(routed, w.queue_id)]


async def test_a_product_line_skill_is_required_for_that_line(routed):
    w = await world(routed, agents=2)
    product = await f.create_product(routed)
    async with routed.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text("UPDATE product SET category = 'Dishwashers' WHERE id = :id"), {"id": product.id}
        )
    line = await add_skill(routed, "product_line", "Dishwashers", w.agents[1])
    customer = await f.create_customer(routed)
    asset = await f.create_asset(routed, product, customer, date(2026, 1, 1))
    ticket = await f.create_ticket(routed, customer, queue=w.queue, channel=Channel.voice)
    async with routed.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, ticket.id)
        assert held is not None
        held.asset_id = asset.id
        await tickets.update_ticket(uow, held, tickets.TicketChanges(priority=Priority.high))
    rows = {e["ticket_id"]: e for e in await entries(routed, w.queue_id)}
    assert rows[ticket.id]["required_skills"] == [line]
    made = await offer(routed, w.queue_id, at=w.start)
    assert made is not None
    assert made.user_id == w.agents[1].user.id


async def test_chat_capacity_is_respected(routed):
    w = await world(routed, agents=1)
    async with routed.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text("INSERT INTO agent_capacity (user_id, work_class, slots) VALUES (:u, 'chat', 0)"),
            {"u": w.agents[0].user.id},
        )
    await waiting(routed, w.queue, channel=Channel.chat)
    assert await offer(routed, w.queue_id, WorkClass.chat, at=w.start) is None


async def test_e_mail_is_offered_only_when_the_queue_pushes_it(routed):
    w = await world(routed, agents=1, email_mode="push")
    mail = await waiting(routed, w.queue, channel=Channel.email)
    router = Router(routed, CAPACITY)
    assert await router.dispatch(w.start) == 1
    pulled = await world(routed, agents=1)  # pull (the default)
    await waiting(routed, pulled.queue, channel=Channel.email)
    assert await router.dispatch(pulled.start) == 0
    rows = await entries(routed, w.queue_id)
    assert rows[0]["ticket_id"] == mail.id
    assert rows[0]["offer_id"] is not None


async def test_accepting_assigns_the_ticket_and_a_call_puts_the_agent_on_a_call(routed):
    w = await world(routed, agents=1)
    ticket = await waiting(routed, w.queue)
    made = await offer(routed, w.queue_id, at=w.start)
    assert made is not None
    async with routed.unit_of_work(Actor.system()) as uow:
        await offers.accept(uow, made.offer_id, w.agents[0].user.id, w.start)
    assert await assignee(routed, ticket) == w.agents[0].user.id
    assert await entries(routed, w.queue_id) == []
    assert await status(routed, w.agents[0]) == ("on_call", "call")
    with pytest.raises(Conflict):  # accepted once
        async with routed.unit_of_work(Actor.system()) as uow:
            await offers.accept(uow, made.offer_id, w.agents[0].user.id, w.start)


async def test_only_the_offered_agent_can_accept_and_not_after_it_expired(routed):
    w = await world(routed, agents=2)
    await waiting(routed, w.queue)
    made = await offer(routed, w.queue_id, at=w.start)
    assert made is not None
    with pytest.raises(Conflict):
        async with routed.unit_of_work(Actor.system()) as uow:
            await offers.accept(uow, made.offer_id, w.agents[1].user.id, w.start)
    with pytest.raises(Conflict):
        async with routed.unit_of_work(Actor.system()) as uow:
            await offers.accept(
                uow, made.offer_id, w.agents[0].user.id, made.expires_at + timedelta(seconds=1)
            )


async def test_declining_passes_the_ticket_to_the_next_agent(routed):
    w = await world(routed, agents=2)
    ticket = await waiting(routed, w.queue)
    made = await offer(routed, w.queue_id, at=w.start)
    assert made is not None
    assert made.user_id == w.agents[0].user.id
    async with routed.unit_of_work(Actor.system()) as uow:
        await offers.decline(uow, made.offer_id, w.agents[0].user.id, w.start)
    again = await offer(routed, w.queue_id, at=w.start)
    assert again is not None
    assert (again.ticket_id, again.user_id) == (
        ticket.id,
        w.agents[1].user.id,
    )
    assert await status(routed, w.agents[0]) == ("available", "connected")


async def test_an_unanswered_offer_times_out_moves_on_and_sets_the_agent_away(routed):
    w = await world(routed, agents=2)
    ticket = await waiting(routed, w.queue)
    ended: list[object] = []
    presences: list[object] = []

    async def on_ended(event):
        ended.append(event)

    async def on_presence(event):
        presences.append(event)

    routed.bus.subscribe_after_commit(OfferEnded, on_ended)
    routed.bus.subscribe_after_commit(PresenceChanged, on_presence)
    router = Router(routed, CAPACITY)
    assert await router.sweep(w.start) == 1
    first = (await entries(routed, w.queue_id))[0]["offer_id"]
    assert await router.sweep(w.start + timedelta(seconds=19)) == 0  # still within the timeout
    assert await router.sweep(w.start + timedelta(seconds=20)) == 1  # to the next agent
    assert await status(routed, w.agents[0]) == ("away", "missed_offer")
    assert [(e.offer_id, e.reason) for e in ended] == [(first, "timeout")]
    assert [(p.user_id, p.status) for p in presences] == [(w.agents[0].user.id, "away")]
    async with routed.unit_of_work(Actor.system()) as uow:
        pending = (
            await uow.execute(
                text(
                    "SELECT user_id FROM routing_offer WHERE state = 'pending' AND ticket_id = :t"
                ),
                {"t": ticket.id},
            )
        ).scalar_one()
    assert pending == w.agents[1].user.id


async def test_next_ticket_pulls_the_most_urgent_e_mail_the_agent_may_take(routed):
    w = await world(routed, agents=1)
    agent = w.agents[0].user.id
    assert agent is not None
    normal = await waiting(routed, w.queue, channel=Channel.email)
    gold = await waiting(routed, w.queue, channel=Channel.email, tier=Tier.gold)
    await waiting(routed, w.queue, channel=Channel.voice, priority=Priority.urgent)  # pushed
    async with routed.unit_of_work(Actor.system()) as uow:
        got = await offers.next_ticket(uow, agent, CAPACITY, w.start)
    assert got is not None
    assert got.id == gold.id
    async with routed.unit_of_work(Actor.system()) as uow:
        got = await offers.next_ticket(uow, agent, CAPACITY, w.start)
    assert got is not None
    assert got.id == normal.id
    async with routed.unit_of_work(Actor.system()) as uow:
        assert await offers.next_ticket(uow, agent, CAPACITY, w.start) is None


async def test_next_ticket_stops_at_the_agents_capacity(routed):
    w = await world(routed, agents=1)
    agent = w.agents[0].user.id
    assert agent is not None
    for _ in range(CAPACITY.email + 1):
        await waiting(routed, w.queue, channel=Channel.email)
    taken = 0
    while True:
        async with routed.unit_of_work(Actor.system()) as uow:
            if await offers.next_ticket(uow, agent, CAPACITY, w.start) is None:
                break
        taken += 1
    assert taken == CAPACITY.email
    assert len(await entries(routed, w.queue_id)) == 1


async def test_work_overflows_to_the_overflow_queue_after_the_wait(routed):
    w = await world(routed, agents=0)
    overflow = await f.create_team(routed)
    async with routed.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text(
                "UPDATE team SET overflow_team_id = :o, overflow_after_seconds = 120 WHERE id = :id"
            ),
            {"o": overflow.id, "id": w.queue_id},
        )
    ticket = await waiting(routed, w.queue)
    since = (await entries(routed, w.queue_id))[0]["waiting_since"]
    async with routed.unit_of_work(Actor.system()) as uow:
        assert await offers.overflow_due(uow, since + timedelta(seconds=119)) == 0
    async with routed.unit_of_work(Actor.system()) as uow:
        assert await offers.overflow_due(uow, since + timedelta(seconds=120)) == 1
    assert await entries(routed, w.queue_id) == []
    assert [e["ticket_id"] for e in await entries(routed, overflow.id)] == [ticket.id]
    async with routed.read_session() as s:
        held = await s.get(Ticket, ticket.id)
        assert held is not None
        assert held.queue_id == overflow.id


async def test_a_reconnected_agent_is_offered_again(routed):
    w = await world(routed, agents=1)
    async with routed.unit_of_work(Actor.system()) as uow:
        await presence.disconnected(uow, f"screen-{w.agents[0].user.id}")
    await waiting(routed, w.queue)
    assert await offer(routed, w.queue_id, at=w.start) is None
    await connect(routed, w.agents[0], w.start)
    assert await offer(routed, w.queue_id, at=w.start) is not None


async def test_the_first_screen_and_the_last_one_closing_are_announced(routed):
    w = await world(routed, agents=0)
    agent = await f.create_staff(routed, Role.agent, teams=(w.queue,))
    heard: list[tuple[int, str, str]] = []

    async def listen(event):
        heard.append((event.user_id, event.status, event.reason))

    routed.bus.subscribe_after_commit(PresenceChanged, listen)
    await connect(routed, agent, w.start)  # sid screen-<id>
    async with routed.unit_of_work(Actor.system()) as uow:
        await presence.connected(uow, sid="second", user_id=agent.user.id, node="t", now=w.start)
    async with routed.unit_of_work(Actor.system()) as uow:
        await presence.disconnected(uow, "second", w.start)
    async with routed.unit_of_work(Actor.system()) as uow:
        await presence.disconnected(uow, f"screen-{agent.user.id}", w.start)
    assert heard == [
        (agent.user.id, "available", "connected"),
        (agent.user.id, "offline", "disconnected"),
    ]


# ---- one ticket at once (a chat as it starts), and withdrawing ---------------------


async def offer_ticket(db: Database, ticket: Ticket, at):
    async with db.unit_of_work(Actor.system()) as uow:
        assert ticket.id is not None
        return await dispatch.offer_ticket(uow, ticket.id, CAPACITY, at)


async def test_one_ticket_is_offered_to_the_longest_idle_agent_whatever_else_waits(routed):
    w = await world(routed, agents=2)
    urgent = await waiting(routed, w.queue, channel=Channel.chat, priority=Priority.urgent)
    chat = await waiting(routed, w.queue, channel=Channel.chat)
    made = await offer_ticket(routed, chat, w.start)
    assert made is not None
    assert (made.ticket_id, made.user_id, made.work_class) == (
        chat.id,
        w.agents[0].user.id,
        WorkClass.chat,
    )
    assert made.expires_at == w.start + timedelta(seconds=20)
    assert await offer_ticket(routed, chat, w.start) is None  # on offer already
    other = await offer_ticket(routed, urgent, w.start)
    assert other is not None
    assert other.user_id == w.agents[1].user.id  # the first holds an offer
    rows = {e["ticket_id"]: e["offer_id"] for e in await entries(routed, w.queue_id)}
    assert rows == {chat.id: made.offer_id, urgent.id: other.offer_id}


async def test_one_ticket_is_not_offered_when_its_queue_pulls_it_or_nobody_may_take_it(routed):
    w = await world(routed, agents=1)
    mail = await waiting(routed, w.queue, channel=Channel.email)
    assert await offer_ticket(routed, mail, w.start) is None  # e-mail is pulled here
    pushing = await world(routed, agents=1, email_mode="push")
    pushed = await waiting(routed, pushing.queue, channel=Channel.email)
    assert await offer_ticket(routed, pushed, pushing.start) is not None
    nobody = await world(routed, agents=0)
    alone = await waiting(routed, nobody.queue, channel=Channel.chat)
    assert await offer_ticket(routed, alone, nobody.start) is None
    taken = await waiting(routed, w.queue, channel=Channel.chat)
    async with routed.unit_of_work(Actor.system()) as uow:  # no longer waiting
        held = await uow.session.get(Ticket, taken.id)
        assert held is not None
        await tickets.update_ticket(
            uow, held, tickets.TicketChanges(assignee_id=w.agents[0].user.id, set_assignee=True)
        )
    assert await offer_ticket(routed, taken, w.start) is None
    assert await offer_ticket(routed, await waiting(routed, w.queue, channel=Channel.chat), w.start)


async def test_withdrawing_an_offer_ends_it_without_counting_against_its_agent(routed):
    w = await world(routed, agents=1)
    chat = await waiting(routed, w.queue, channel=Channel.chat)
    made = await offer_ticket(routed, chat, w.start)
    assert made is not None
    ended: list[OfferEnded] = []

    async def on_ended(event):
        ended.append(event)

    routed.bus.subscribe_after_commit(OfferEnded, on_ended)
    async with routed.unit_of_work(Actor.system()) as uow:
        assert await offers.withdraw(uow, chat.id, w.start) == made.offer_id
    assert [(e.offer_id, e.user_id, e.reason) for e in ended] == [
        (made.offer_id, w.agents[0].user.id, "withdrawn")
    ]
    async with routed.unit_of_work(Actor.system()) as uow:
        row = (
            await uow.execute(
                text("SELECT state, decided_at FROM routing_offer WHERE id = :i"),
                {"i": made.offer_id},
            )
        ).one()
        assert await offers.pending_offer(uow, chat.id) is None
    assert (row.state, row.decided_at) == ("withdrawn", w.start)
    assert [e["offer_id"] for e in await entries(routed, w.queue_id)] == [None]
    assert await status(routed, w.agents[0]) == ("available", "connected")  # not a miss
    with pytest.raises(Conflict):
        async with routed.unit_of_work(Actor.system()) as uow:
            await offers.accept(uow, made.offer_id, w.agents[0].user.id, w.start)
    async with routed.unit_of_work(Actor.system()) as uow:
        assert await offers.withdraw(uow, chat.id, w.start) is None  # nothing out
    again = await offer_ticket(routed, chat, w.start)  # withdrawn is no refusal
    assert again is not None
    assert again.user_id == w.agents[0].user.id
