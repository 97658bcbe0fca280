"""Waiting work follows its ticket: an entry while the ticket waits for an agent,
ordered by boosted tier, priority, SLA deadline and waiting time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from servicedesk.customers import service as customers
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database
from servicedesk.enums import Channel, Priority, TicketStatus, Tier
from servicedesk.events import QueueChanged
from servicedesk.sla_tracking import service as sla
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.routing.support import entries, waiting, world

POLICIES = """
[calendars.always]
timezone = "UTC"
[calendars.always.hours]
sunday = ["00:00-24:00"]
monday = ["00:00-24:00"]
tuesday = ["00:00-24:00"]
wednesday = ["00:00-24:00"]
thursday = ["00:00-24:00"]
friday = ["00:00-24:00"]
saturday = ["00:00-24:00"]

[[policies]]
name = "Everyone"
calendar = "always"
[policies.targets]
low = { first_response = "8h" }
normal = { first_response = "4h" }
high = { first_response = "1h" }
urgent = { first_response = "30m" }
"""


@pytest.fixture
async def routed(db: Database, settings) -> Database:
    subscribe_domain(db.bus, settings)
    return db


async def change(db: Database, ticket: Ticket, **kwargs: object) -> Ticket:
    async with db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, ticket.id)
        assert held is not None
        return await tickets.update_ticket(uow, held, tickets.TicketChanges(**kwargs))  # type: ignore[arg-type]


async def test_a_new_ticket_in_a_queue_waits_with_its_work_class_and_priority(routed):
    w = await world(routed, agents=0)
    call = await waiting(routed, w.queue, channel=Channel.voice, priority=Priority.high)
    mail = await waiting(routed, w.queue, channel=Channel.email)
    sms = await waiting(routed, w.queue, channel=Channel.sms)
    found = {e["ticket_id"]: e for e in await entries(routed, w.queue_id)}
    assert found[call.id]["work_class"] == "voice"
    assert found[call.id]["priority_rank"] == 2
    assert found[mail.id]["work_class"] == "email"
    assert found[mail.id]["priority_rank"] == 1
    assert found[sms.id]["work_class"] == "email"  # written work shares one capacity


async def test_assigning_solving_or_pending_takes_a_ticket_out_of_the_wait(routed):
    w = await world(routed, agents=1)
    a, b, c = [await waiting(routed, w.queue, channel=Channel.email) for _ in range(3)]
    await change(routed, a, assignee_id=w.agents[0].user.id, set_assignee=True)
    await change(routed, b, status=TicketStatus.solved)
    await change(routed, c, status=TicketStatus.pending)
    assert await entries(routed, w.queue_id) == []
    await change(routed, a, assignee_id=None, set_assignee=True)  # given back: waits again
    assert [e["ticket_id"] for e in await entries(routed, w.queue_id)] == [a.id]


async def test_moving_a_ticket_to_another_queue_starts_its_wait_there(routed):
    w = await world(routed, agents=0)
    other = await f.create_team(routed)
    ticket = await waiting(routed, w.queue, channel=Channel.email)
    before = (await entries(routed, w.queue_id))[0]["waiting_since"]
    heard: list[int] = []

    async def listen(uow, event):
        heard.append(event.queue_id)

    routed.bus.subscribe(QueueChanged, listen)
    await change(routed, ticket, queue_id=other.id, set_queue=True)
    assert await entries(routed, w.queue_id) == []
    moved = await entries(routed, other.id)
    assert [e["ticket_id"] for e in moved] == [ticket.id]
    assert moved[0]["waiting_since"] >= before
    assert sorted(heard) == sorted([w.queue_id, other.id])  # both queues' screens refresh


async def test_gold_and_platinum_customers_are_served_first_then_priority(routed):
    w = await world(routed, agents=0)
    urgent = await waiting(routed, w.queue, priority=Priority.urgent)
    gold = await waiting(routed, w.queue, tier=Tier.gold)
    normal = await waiting(routed, w.queue)
    high = await waiting(routed, w.queue, priority=Priority.high)
    platinum_low = await waiting(routed, w.queue, tier=Tier.platinum, priority=Priority.low)
    order = [e["ticket_id"] for e in await entries(routed, w.queue_id)]
    assert order == [gold.id, platinum_low.id, urgent.id, high.id, normal.id]


async def test_the_supervisor_chooses_which_tiers_go_first(routed):
    w = await world(routed, agents=0)
    async with routed.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text("UPDATE team SET boost_tiers = '{platinum}' WHERE id = :id"), {"id": w.queue_id}
        )
    gold = await waiting(routed, w.queue, tier=Tier.gold)
    high = await waiting(routed, w.queue, priority=Priority.high)
    platinum = await waiting(routed, w.queue, tier=Tier.platinum)
    order = [e["ticket_id"] for e in await entries(routed, w.queue_id)]
    assert order == [platinum.id, high.id, gold.id]


async def test_a_customer_raised_to_gold_moves_their_waiting_ticket_up(routed):
    w = await world(routed, agents=0)
    first = await waiting(routed, w.queue)
    second = await waiting(routed, w.queue)
    assert [e["ticket_id"] for e in await entries(routed, w.queue_id)] == [first.id, second.id]
    async with routed.unit_of_work(Actor.system()) as uow:
        customer = await uow.session.get(Customer, second.customer_id)
        assert customer is not None
        await customers.update_customer(uow, customer, tier=Tier.gold)
    assert [e["ticket_id"] for e in await entries(routed, w.queue_id)] == [second.id, first.id]


async def test_within_a_priority_the_earliest_sla_deadline_goes_first(routed):
    async with routed.unit_of_work(Actor.system()) as uow:
        await sla.load_policy_set(uow, POLICIES, user_id=None)
    w = await world(routed, agents=0)
    normal = await waiting(routed, w.queue)  # due in 4 h
    high = await waiting(routed, w.queue, priority=Priority.high)  # due in 1 h
    rows = {e["ticket_id"]: e for e in await entries(routed, w.queue_id)}
    assert rows[high.id]["due_at"] is not None
    assert rows[normal.id]["due_at"] - rows[high.id]["due_at"] > timedelta(hours=2)
    # Same priority now: the deadline decides (the high one keeps its earlier due).
    async with routed.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text("UPDATE ticket SET sla_due_at = now() - interval '1 minute' WHERE id = :id"),
            {"id": normal.id},
        )
    order = await entries(routed, w.queue_id)
    moved = {e["ticket_id"]: e for e in order}
    assert moved[normal.id]["due_at"] < moved[high.id]["due_at"]  # the trigger copied it
