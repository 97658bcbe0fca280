"""`resync`: a screen back from a lost connection asks for its state, answered from
the database: its presence, its pending offers, and how much waits in the queues it
hears about."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select

from servicedesk.db import Actor, utcnow
from servicedesk.enums import OrganizationKind, Role
from servicedesk.routing.models import (
    AgentPresence,
    OfferState,
    PresenceStatus,
    RoutingEntry,
    RoutingOffer,
    WorkClass,
)
from servicedesk.staff.models import Team
from servicedesk.tickets.models import Ticket
from tests import factories as f


async def waiting_in(db, queue: Team, count: int) -> list[Ticket]:
    """`count` tickets waiting in `queue`, each with its routing entry (made here if
    routing has not made it already)."""
    customer = await f.create_customer(db)
    made = [await f.create_ticket(db, customer, queue=queue) for _ in range(count)]
    async with db.unit_of_work(Actor.system()) as uow:
        for ticket in made:
            await uow.session.execute(
                insert(RoutingEntry)
                .values(
                    ticket_id=ticket.id,
                    queue_id=queue.id,
                    work_class=WorkClass.email,
                    priority_rank=1,
                    waiting_since=ticket.created_at,
                )
                .on_conflict_do_nothing(index_elements=["ticket_id"])
            )
    return made


async def offer(db, ticket: Ticket, user_id: int, state: OfferState, expires_in: timedelta) -> int:
    async with db.unit_of_work(Actor.system()) as uow:
        row = RoutingOffer(
            ticket_id=ticket.id,
            user_id=user_id,
            work_class=WorkClass.email,
            state=state,
            expires_at=utcnow() + expires_in,
        )
        uow.session.add(row)
        await uow.session.flush()
        assert row.id is not None
        return row.id


async def test_resync_answers_the_agents_pending_offer_presence_and_queue_counts(
    live_server, clients
):
    db = live_server.db
    ours, also_ours, theirs = [await f.create_team(db) for _ in range(3)]
    agent = await f.create_staff(db, Role.agent, teams=(ours, also_ours))
    colleague = await f.create_staff(db, Role.agent, teams=(ours,))
    first, second = await waiting_in(db, ours, 2)
    await waiting_in(db, theirs, 3)
    async with db.unit_of_work(Actor.system()) as uow:
        uow.session.add(AgentPresence(user_id=agent.user.id, status=PresenceStatus.away))
    pending = await offer(db, first, agent.user.id, OfferState.pending, timedelta(seconds=30))
    await offer(db, second, agent.user.id, OfferState.declined, timedelta(seconds=30))
    await offer(db, second, colleague.user.id, OfferState.pending, timedelta(seconds=30))

    state = await (await clients.integration(agent)).resync()

    assert state["user_id"] == agent.user.id
    assert state["role"] == "agent"
    assert state["presence"] == "away"
    [only] = state["offers"]
    assert only["offer_id"] == pending
    assert only["ticket_id"] == first.id
    assert only["channel"] == "email"
    assert only["expires_at"].endswith("+00:00")
    assert 0 < only["seconds_left"] <= 30
    assert sorted(state["queues"], key=lambda q: q["queue_id"]) == [
        {"queue_id": ours.id, "name": ours.name, "waiting": 2},
        {"queue_id": also_ours.id, "name": also_ours.name, "waiting": 0},
    ]


async def test_an_offer_past_its_expiry_is_not_pending_any_more(live_server, clients):
    db = live_server.db
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    [ticket] = await waiting_in(db, queue, 1)
    # The sweeper has not timed it out yet, but its time is over.
    await offer(db, ticket, agent.user.id, OfferState.pending, timedelta(seconds=-1))

    state = await (await clients.integration(agent)).resync()

    assert state["offers"] == []
    assert state["presence"] is None  # never connected a screen: no presence yet


async def test_supervisors_get_every_queue_and_partners_none(live_server, clients):
    db = live_server.db
    queue = await f.create_team(db)
    await waiting_in(db, queue, 1)
    supervisor = await f.create_staff(db, Role.supervisor)
    lab = await f.create_organization(db, OrganizationKind.partner)
    partner = await f.create_staff(db, Role.partner, organization=lab)

    supervising = await (await clients.integration(supervisor)).resync()
    partnering = await (await clients.integration(partner)).resync()

    async with db.read_session() as s:
        every_queue = set(await s.scalars(select(Team.id)))
    assert {q["queue_id"] for q in supervising["queues"]} == every_queue
    assert {"queue_id": queue.id, "name": queue.name, "waiting": 1} in supervising["queues"]
    assert partnering["queues"] == []
    assert partnering["offers"] == []
    assert partnering["role"] == "partner"
