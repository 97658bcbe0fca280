"""SLA clocks in the database: they follow the ticket's history, pause, recompute on
a change of priority, and the sweeper fires each step once, on a real PostgreSQL.

The calendar here is open around the clock in UTC, so business time is wall time
and the expected instants are plain arithmetic; the calendar arithmetic itself is
tested in tests/sla."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import delete as sa_delete
from sqlalchemy import func, select
from sqlmodel import col

from servicedesk.customers import service as customers
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database
from servicedesk.enums import Channel, Direction, Priority, Role, TicketStatus, Tier
from servicedesk.errors import InvalidInput
from servicedesk.events import SlaBreached, SlaEscalated, SlaWarning
from servicedesk.sla_tracking import service as sla
from servicedesk.sla_tracking.models import SlaClock, SlaEscalation, SlaPolicySet
from servicedesk.sla_tracking.repository import clocks_of
from servicedesk.sla_tracking.sweeper import Sweeper
from servicedesk.staff.models import User
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.api.conftest import create_api_user

POLICIES = """
[calendars.always]
timezone = "UTC"
[calendars.always.hours]
monday = ["00:00-24:00"]
tuesday = ["00:00-24:00"]
wednesday = ["00:00-24:00"]
thursday = ["00:00-24:00"]
friday = ["00:00-24:00"]
saturday = ["00:00-24:00"]
sunday = ["00:00-24:00"]

[[policies]]
name = "Gold, active warranty"
calendar = "always"
warn_percent = 50
[policies.match]
warranty = ["active", "extended"]
tier = ["gold", "platinum"]
[policies.targets.normal]
first_response = "30m"
resolution = "4h"
[policies.targets.urgent]
first_response = "10m"
resolution = "2h"
[[policies.escalations]]
at = "breach+1h"
metrics = ["first_response"]
notify = ["supervisors", "assignee", "team:Escalations"]
raise_priority_to = "urgent"
move_to_queue = "Escalations"

[[policies]]
name = "Everyone else"
calendar = "always"
warn_percent = 50
[policies.targets.normal]
first_response = "1h"
next_response = "2h"
resolution = "8h"
[policies.targets.urgent]
first_response = "15m"
next_response = "30m"
resolution = "2h"
[[policies.escalations]]
at = "breach"
notify = ["supervisors"]
"""


@pytest.fixture
async def registry(db: Database, settings) -> sla.PolicyRegistry:
    """The app's wiring on the test's bus, and the policies above in force."""
    wired = subscribe_domain(db.bus, settings)
    async with db.unit_of_work(Actor.system()) as uow:
        await sla.load_policy_set(uow, POLICIES, user_id=None)
    return wired


async def clocks(db: Database, ticket_id: int) -> dict[str, SlaClock]:
    async with db.read_session() as session:
        return {f"{c.metric}#{c.cycle}": c for c in await clocks_of(session, ticket_id)}


async def fresh(db: Database, ticket_id: int) -> Ticket:
    async with db.read_session() as session:
        row = await session.get(Ticket, ticket_id)
        assert row is not None
        return row


async def agent_reply(db: Database, ticket_id: int, agent: User, public: bool = True) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket_id)
        await tickets.add_reply(uow, row, author=agent, body="On it.", public=public)


async def customer_writes(db: Database, ticket_id: int, customer_id: int) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket_id)
        await tickets.add_message(
            uow,
            row,
            tickets.NewMessage(
                Channel.email, Direction.inbound, "Still broken.", author_customer_id=customer_id
            ),
        )


async def change(db: Database, ticket_id: int, **changes) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket_id)
        await tickets.update_ticket(uow, row, tickets.TicketChanges(**changes))


async def test_a_bad_policy_file_is_refused_and_changes_nothing(db, registry):
    async with db.read_session() as session:
        before = await session.scalar(select(SlaPolicySet.version).where(col(SlaPolicySet.active)))
    with pytest.raises(InvalidInput) as refused:
        async with db.unit_of_work(Actor.system()) as uow:
            await sla.load_policy_set(uow, POLICIES.replace('"1h"', '"1x"'), user_id=None)
    assert "1x" in refused.value.fields["source"]
    async with db.read_session() as session:
        after = await session.scalar(select(SlaPolicySet.version).where(col(SlaPolicySet.active)))
    assert after == before


async def test_loading_the_same_file_twice_keeps_one_version(db, registry):
    async with db.unit_of_work(Actor.system()) as uow:
        again = await sla.load_policy_set(uow, POLICIES, user_id=None)
    assert not again.changed
    async with db.read_session() as session:
        versions = await session.scalar(
            select(func.count())
            .select_from(SlaPolicySet)
            .where(col(SlaPolicySet.version) == again.version)
        )
    assert versions == 1


async def test_a_new_ticket_gets_running_clocks_due_by_its_policy(db, registry):
    ticket = await f.create_ticket(db, await f.create_customer(db))
    found = await clocks(db, ticket.id)
    assert set(found) == {"first_response#1", "resolution#1"}
    first = found["first_response#1"]
    assert first.state == "running"
    assert first.policy_name == "Everyone else"
    assert first.due_at == ticket.created_at + timedelta(hours=1)
    assert first.warn_at == ticket.created_at + timedelta(minutes=30)
    assert found["resolution#1"].due_at == ticket.created_at + timedelta(hours=8)
    held = await fresh(db, ticket.id)
    assert held.sla_policy == "Everyone else"
    assert held.sla_due_at == first.due_at


async def test_an_answer_meets_first_response_and_the_customers_turn_starts_next_response(
    db, registry
):
    customer = await f.create_customer(db)
    ticket = await f.create_ticket(db, customer)
    agent = await f.create_staff(db, Role.supervisor)
    await agent_reply(db, ticket.id, agent.user, public=False)  # a note answers nobody
    assert (await clocks(db, ticket.id))["first_response#1"].state == "running"
    await agent_reply(db, ticket.id, agent.user)
    found = await clocks(db, ticket.id)
    assert found["first_response#1"].state == "met"
    assert "next_response#1" not in found
    await customer_writes(db, ticket.id, customer.id)
    turn = (await clocks(db, ticket.id))["next_response#1"]
    assert turn.state == "running"
    assert turn.due_at == turn.started_at + timedelta(hours=2)


async def test_pending_pauses_the_clocks_and_reopening_resumes_them(db, registry):
    ticket = await f.create_ticket(db, await f.create_customer(db))
    await change(db, ticket.id, status=TicketStatus.pending)
    paused = (await clocks(db, ticket.id))["resolution#1"]
    assert paused.state == "paused"
    assert paused.due_at is None
    assert (await fresh(db, ticket.id)).sla_due_at is None
    await change(db, ticket.id, status=TicketStatus.open)
    resumed = (await clocks(db, ticket.id))["resolution#1"]
    assert resumed.state == "running"
    # The paused time does not count: the deadline moved by it.
    assert resumed.due_at > ticket.created_at + timedelta(hours=8)


async def test_solving_meets_resolution(db, registry):
    ticket = await f.create_ticket(db, await f.create_customer(db))
    await change(db, ticket.id, status=TicketStatus.solved)
    assert (await clocks(db, ticket.id))["resolution#1"].state == "met"


async def test_raising_the_priority_recomputes_with_the_time_already_spent(db, registry):
    ticket = await f.create_ticket(db, await f.create_customer(db))
    await change(db, ticket.id, priority=Priority.urgent)
    first = (await clocks(db, ticket.id))["first_response#1"]
    assert first.target == timedelta(minutes=15)
    assert first.due_at == ticket.created_at + timedelta(minutes=15)


async def _gold_ticket(db: Database, *, purchased_on: date) -> Ticket:
    customer = await f.create_customer(db, tier=Tier.gold)
    asset = await f.create_asset(db, await f.create_product(db, months=24), customer, purchased_on)
    async with db.unit_of_work(Actor.system()) as uow:
        ticket, _ = await tickets.create_ticket(
            uow,
            subject="Compressor noise",
            customer=customer,
            asset=asset,
            first=tickets.NewMessage(Channel.email, Direction.inbound, "Loud"),
        )
    return ticket


async def test_gold_customers_under_warranty_get_their_policy_and_others_the_default(db, registry):
    covered = await _gold_ticket(db, purchased_on=date.today() - timedelta(days=30))
    expired = await _gold_ticket(db, purchased_on=date.today() - timedelta(days=800))
    assert (await fresh(db, covered.id)).sla_policy == "Gold, active warranty"
    assert (await fresh(db, expired.id)).sla_policy == "Everyone else"


async def test_the_warning_and_the_breach_fire_once_each(db, registry):
    ticket = await f.create_ticket(db, await f.create_customer(db))
    fired: list[object] = []

    async def hear(event: object) -> None:
        fired.append(event)

    db.bus.subscribe_after_commit(SlaWarning, hear)
    db.bus.subscribe_after_commit(SlaBreached, hear)
    db.bus.subscribe_after_commit(SlaEscalated, hear)
    sweeper = Sweeper(db, registry)
    start = ticket.created_at
    assert await sweeper.sweep(now=start + timedelta(minutes=10)) == 0
    assert await sweeper.sweep(now=start + timedelta(minutes=31)) == 1  # the warning
    assert await sweeper.sweep(now=start + timedelta(minutes=31)) == 0
    # A new sweeper, as after a restart, finds the breach due and fires it with its step.
    assert await Sweeper(db, registry).sweep(now=start + timedelta(minutes=61)) == 2
    assert await sweeper.sweep(now=start + timedelta(minutes=90)) == 0
    assert [type(e) for e in fired] == [SlaWarning, SlaBreached, SlaEscalated]
    first = (await clocks(db, ticket.id))["first_response#1"]
    assert first.state == "breached"
    assert first.breached_at == start + timedelta(hours=1)
    async with db.read_session() as session:
        keys = list(
            await session.scalars(
                select(SlaEscalation.step_key).where(col(SlaEscalation.clock_id) == first.id)
            )
        )
    assert sorted(keys) == ["breach", "breach#1", "warn"]


async def test_a_late_rung_raises_the_priority_and_moves_the_ticket(db, registry):
    escalations = await f.create_team(db, "Escalations")
    ticket = await _gold_ticket(db, purchased_on=date.today())
    at = ticket.created_at + timedelta(minutes=30, hours=1)
    await Sweeper(db, registry).sweep(now=at)
    moved = await fresh(db, ticket.id)
    assert moved.priority == Priority.urgent
    assert moved.queue_id == escalations.id
    # The clocks were recomputed with the urgent targets.
    assert (await clocks(db, ticket.id))["resolution#1"].target == timedelta(hours=2)


async def test_a_rung_notifies_the_named_team_with_the_ticket_as_it_left_it(db, registry):
    escalations = await f.create_team(db, "Escalations")
    ticket = await _gold_ticket(db, purchased_on=date.today())
    heard: list[SlaEscalated] = []

    async def hear(event: SlaEscalated) -> None:
        heard.append(event)

    db.bus.subscribe_after_commit(SlaEscalated, hear)
    await Sweeper(db, registry).sweep(now=ticket.created_at + timedelta(minutes=30, hours=1))
    moved = await fresh(db, ticket.id)
    [event] = heard
    assert event.notify_queues == (escalations.id,)
    assert event.notify_supervisors is True
    assert event.version == moved.version > ticket.version


async def test_a_rung_naming_a_missing_team_still_fires_and_says_so(db, registry, caplog):
    ticket = await _gold_ticket(db, purchased_on=date.today())  # no "Escalations" team
    at = ticket.created_at + timedelta(minutes=30, hours=1)
    assert await Sweeper(db, registry).sweep(now=at) == 2  # the breach and its rung
    unchanged = await fresh(db, ticket.id)
    assert unchanged.priority == Priority.urgent  # raised; the move alone failed
    assert unchanged.queue_id == ticket.queue_id
    assert "no queue named 'Escalations'" in caplog.text
    assert "no team named 'Escalations'" in caplog.text


async def test_recomputing_every_open_ticket_with_several_workers_covers_each_once(
    committed_db, settings
):
    wired = subscribe_domain(committed_db.bus, settings)
    async with committed_db.unit_of_work(Actor.system()) as uow:
        await sla.load_policy_set(uow, POLICIES, user_id=None)
    customer = await f.create_customer(committed_db)
    made = [await f.create_ticket(committed_db, customer) for _ in range(7)]
    await change(committed_db, made[0].id, status=TicketStatus.closed)
    async with committed_db.unit_of_work(Actor.system()) as uow:
        await uow.session.execute(sa_delete(SlaClock))
    count = await sla.recompute_open_tickets(
        committed_db, wired, settings.time_zone, batch=2, workers=3
    )
    assert count == 6
    for ticket in made[1:]:
        assert set(await clocks(committed_db, ticket.id)) == {"first_response#1", "resolution#1"}
    assert await clocks(committed_db, made[0].id) == {}  # closed: not recomputed


async def test_two_sweepers_at_once_fire_every_step_once(committed_db, settings):
    wired = subscribe_domain(committed_db.bus, settings)
    async with committed_db.unit_of_work(Actor.system()) as uow:
        await sla.load_policy_set(uow, POLICIES, user_id=None)
    customer = await f.create_customer(committed_db)
    made = [await f.create_ticket(committed_db, customer) for _ in range(30)]
    later = max(t.created_at for t in made) + timedelta(minutes=61)
    counts = await asyncio.gather(
        Sweeper(committed_db, wired).sweep(now=later),
        Sweeper(committed_db, sla.PolicyRegistry()).sweep(now=later),
    )
    async with committed_db.read_session() as session:
        logged = await session.scalar(select(func.count()).select_from(SlaEscalation))
    # Per ticket, first response breaches and its rung fires (a warning that comes
    # due only after the breach is superseded by it); resolution is not half gone.
    # So two steps per ticket, each fired by exactly one of the sweepers.
    assert sum(counts) == logged == 2 * len(made)


async def test_the_api_shows_the_policy_and_the_clocks(client, db, registry):
    ticket = await f.create_ticket(db, await f.create_customer(db))
    supervisor = await create_api_user(db, Role.supervisor)
    body = (await client.get(f"/api/v1/tickets/{ticket.id}", headers=supervisor.headers)).json()
    assert body["policy"] == "Everyone else"
    first = body["sla"][0]
    assert first["metric"] == "first_response"
    assert first["target"] == 3600
    assert first["state"] == "running"
    assert set(first) >= {
        "metric",
        "target",
        "due_at",
        "warn_at",
        "state",
        "elapsed",
        "breached_at",
    }
    policies = (await client.get("/api/v1/sla/policies", headers=supervisor.headers)).json()
    assert [p["name"] for p in policies["policies"]] == ["Gold, active warranty", "Everyone else"]
    calendars = (await client.get("/api/v1/sla/calendars", headers=supervisor.headers)).json()
    assert calendars["calendars"]["always"]["timezone"] == "UTC"
    report = (
        await client.get("/api/v1/reports/sla?group_by=policy", headers=supervisor.headers)
    ).json()
    rows = {(r["group"], r["metric"]): r for r in report["rows"]}
    assert rows[("Everyone else", "first_response")]["running"] >= 1
    bad = await client.get("/api/v1/reports/sla?group_by=moon", headers=supervisor.headers)
    assert bad.status_code == 422


async def test_an_answered_call_is_the_first_response(db, registry):
    customer = await f.create_customer(db)
    ticket = await f.create_ticket(db, customer, channel=Channel.voice)
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket.id)
        await tickets.add_message(
            uow,
            row,
            tickets.NewMessage(
                Channel.voice,
                Direction.inbound,
                "Call, 4 min",
                author_customer_id=customer.id,
                meta={"outcome": "answered"},
            ),
        )
    assert (await clocks(db, ticket.id))["first_response#1"].state == "met"


async def test_a_customer_moving_up_a_tier_moves_their_tickets_to_the_tier_policy(db, registry):
    customer = await f.create_customer(db)
    asset = await f.create_asset(db, await f.create_product(db), customer, date.today())
    async with db.unit_of_work(Actor.system()) as uow:
        ticket, _ = await tickets.create_ticket(
            uow,
            subject="Noise",
            customer=customer,
            asset=asset,
            first=tickets.NewMessage(Channel.email, Direction.inbound, "Loud"),
        )
    assert (await fresh(db, ticket.id)).sla_policy == "Everyone else"
    async with db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Customer, customer.id)
        await customers.update_customer(uow, held, tier=Tier.gold)
    assert (await fresh(db, ticket.id)).sla_policy == "Gold, active warranty"
