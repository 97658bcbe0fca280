"""Each push goes, after commit, to those who may know and to nobody else: agents
hear the tickets of their queues and their own; partners their organisation's
tickets and nothing of offers, queues or presence; an offer only reaches the agent
it was made to; supervisors hear every ticket, queue and agent."""

from __future__ import annotations

from datetime import UTC, datetime

from servicedesk.db import Actor
from servicedesk.enums import Channel, Direction, OrganizationKind, Role, TicketStatus
from servicedesk.events import OfferCreated, OfferEnded, PresenceChanged, QueueChanged
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from tests import factories as f

EXPIRES = datetime(2031, 5, 4, 9, 30, 15, tzinfo=UTC)


async def emit(db, *events) -> None:
    """Events as routing emits them: in a unit of work, pushed once it committed."""
    async with db.unit_of_work(Actor.system()) as uow:
        for event in events:
            await uow.emit(event)


async def assign(db, ticket: Ticket, user_id: int) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket.id)
        assert row is not None
        await tickets.update_ticket(
            uow, row, tickets.TicketChanges(assignee_id=user_id, set_assignee=True)
        )


async def test_an_agent_hears_the_tickets_of_its_queues_and_those_assigned_to_it(
    live_server, clients
):
    db = live_server.db
    ours, theirs = await f.create_team(db), await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(ours,))
    screen = await clients.integration(agent)
    customer = await f.create_customer(db)

    elsewhere = await f.create_ticket(db, customer, queue=theirs)
    given_to_me = await f.create_ticket(db, customer, queue=theirs)
    await assign(db, given_to_me, agent.user.id)
    in_my_queue = await f.create_ticket(db, customer, queue=ours)
    await screen.settle()

    assert screen.tickets() == {given_to_me.id, in_my_queue.id}
    assert elsewhere.id not in screen.tickets()
    assigned = await screen.wait("ticket.assigned")
    assert assigned == {
        "event": "ticket.assigned",
        "ticket_id": given_to_me.id,
        "version": 2,
        "queue_id": theirs.id,
        "assignee_id": agent.user.id,
    }
    # The assignment is an update too, so screens that only refresh on updates do.
    updated = await screen.wait("ticket.updated", lambda p: p["ticket_id"] == given_to_me.id)
    assert {**updated, "event": "ticket.assigned"} == assigned


async def test_an_offer_reaches_only_the_agent_it_was_made_to(live_server, clients):
    db = live_server.db
    queue = await f.create_team(db)
    offered, colleague = [await f.create_staff(db, Role.agent, teams=(queue,)) for _ in range(2)]
    supervisor = await f.create_staff(db, Role.supervisor)
    screens = {
        "offered": await clients.integration(offered),
        "colleague": await clients.integration(colleague),
        "supervisor": await clients.integration(supervisor),
    }
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)

    await emit(
        db,
        OfferCreated(
            offer_id=7001,
            ticket_id=ticket.id,
            user_id=offered.user.id,
            channel="email",
            queue_id=queue.id,
            expires_at=EXPIRES,
            timeout_seconds=20,
        ),
    )
    await emit(
        db,
        OfferEnded(offer_id=7001, ticket_id=ticket.id, user_id=offered.user.id, reason="timeout"),
    )
    for screen in screens.values():
        await screen.settle()

    assert await screens["offered"].wait("offer.created") == {
        "event": "offer.created",
        "offer_id": 7001,
        "ticket_id": ticket.id,
        "channel": "email",
        "queue_id": queue.id,
        "expires_at": "2031-05-04T09:30:15+00:00",
        "timeout_seconds": 20,
    }
    assert await screens["offered"].wait("offer.expired") == {
        "event": "offer.expired",
        "offer_id": 7001,
        "ticket_id": ticket.id,
        "reason": "timeout",
    }
    for other in ("colleague", "supervisor"):
        assert not screens[other].names() & {"offer.created", "offer.expired"}, other


async def test_a_queue_change_reaches_its_agents_and_the_supervisors(live_server, clients):
    db = live_server.db
    ours, theirs = await f.create_team(db), await f.create_team(db)
    member = await f.create_staff(db, Role.agent, teams=(ours,))
    outsider = await f.create_staff(db, Role.agent, teams=(theirs,))
    supervisor = await f.create_staff(db, Role.supervisor)
    screens = [await clients.integration(p) for p in (member, outsider, supervisor)]

    await emit(db, QueueChanged(queue_id=ours.id))
    for screen in screens:
        await screen.settle()

    member_screen, outsider_screen, supervisor_screen = screens
    expected = {"event": "queue.changed", "queue_id": ours.id}
    assert await member_screen.wait("queue.changed") == expected
    await supervisor_screen.wait("queue.changed", lambda p: p == expected)
    assert not any(
        p["queue_id"] == ours.id for n, p in outsider_screen.heard if n == "queue.changed"
    )


async def test_presence_reaches_the_supervisors_and_the_agent_alone(live_server, clients):
    db = live_server.db
    queue = await f.create_team(db)
    agent, colleague = [await f.create_staff(db, Role.agent, teams=(queue,)) for _ in range(2)]
    supervisor = await f.create_staff(db, Role.supervisor)
    screens = [await clients.integration(p) for p in (agent, colleague, supervisor)]

    await emit(db, PresenceChanged(user_id=agent.user.id, status="away", reason="missed_offer"))
    for screen in screens:
        await screen.settle()

    agent_screen, colleague_screen, supervisor_screen = screens
    expected = {
        "event": "agent.presence",
        "user_id": agent.user.id,
        "status": "away",
        "reason": "missed_offer",
    }
    assert await agent_screen.wait("agent.presence") == expected
    await supervisor_screen.wait("agent.presence", lambda p: p == expected)
    assert not any(
        p["user_id"] == agent.user.id for n, p in colleague_screen.heard if n == "agent.presence"
    )


async def test_a_partner_hears_its_organisations_tickets_and_nothing_of_routing(
    live_server, clients
):
    db = live_server.db
    queue = await f.create_team(db)
    lab, other_lab = [await f.create_organization(db, OrganizationKind.partner) for _ in "ab"]
    partner = await f.create_staff(db, Role.partner, organization=lab)
    screen = await clients.browser(partner)
    ours = await f.create_ticket(db, await f.create_customer(db, organization=lab), queue=queue)
    # Another lab's ticket and a walk-in's, in the same queue: never heard.
    await f.create_ticket(db, await f.create_customer(db, organization=other_lab), queue=queue)
    await f.create_ticket(db, await f.create_customer(db), queue=queue)

    # Even addressed to the partner, routing's news never reaches a partner's screen.
    await emit(
        db,
        QueueChanged(queue_id=queue.id),
        PresenceChanged(user_id=partner.user.id, status="available", reason="chosen"),
        OfferCreated(
            offer_id=7002,
            ticket_id=ours.id,
            user_id=partner.user.id,
            channel="email",
            queue_id=queue.id,
            expires_at=EXPIRES,
            timeout_seconds=20,
        ),
    )
    await screen.settle()

    assert screen.tickets() == {ours.id}
    assert screen.names() <= {"ticket.created", "ticket.updated"}


async def test_supervisors_hear_every_ticket_queue_and_agent(live_server, clients):
    db = live_server.db
    first, second = await f.create_team(db), await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(first,))
    supervisor = await f.create_staff(db, Role.supervisor)
    screen = await clients.browser(supervisor)
    customer = await f.create_customer(db)

    one = await f.create_ticket(db, customer, queue=first)
    two = await f.create_ticket(db, customer, queue=second)
    no_queue = await f.create_ticket(db, customer)
    await assign(db, two, agent.user.id)
    await emit(
        db,
        QueueChanged(queue_id=second.id),
        PresenceChanged(user_id=agent.user.id, status="on_call", reason="call"),
    )
    await screen.settle()

    assert {one.id, two.id, no_queue.id} <= screen.tickets()
    await screen.wait("ticket.assigned", lambda p: p["ticket_id"] == two.id)
    await screen.wait("queue.changed", lambda p: p["queue_id"] == second.id)
    await screen.wait("agent.presence", lambda p: p["user_id"] == agent.user.id)


async def test_a_commit_is_folded_into_one_push_per_ticket(live_server, clients):
    """A new ticket's transaction emits its creation, its opening message and its
    queue's change: screens hear one `ticket.created` (at 1,000 screens every push
    costs a send per screen). A reply that also changes the status is one update."""
    db = live_server.db
    queue = await f.create_team(db)
    supervisor = await f.create_staff(db, Role.supervisor)
    screen = await clients.browser(supervisor)
    customer = await f.create_customer(db)

    ticket = await f.create_ticket(db, customer, queue=queue)
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket.id)
        assert row is not None
        await tickets.add_message(
            uow,
            row,
            tickets.NewMessage(
                channel=Channel.email,
                direction=Direction.inbound,
                body_text="And the door does not close either.",
                author_customer_id=customer.id,
            ),
        )
        await tickets.update_ticket(uow, row, tickets.TicketChanges(status=TicketStatus.open))
    await screen.settle()

    about = [(n, p) for n, p in screen.heard if p and p.get("ticket_id") == ticket.id]
    assert [n for n, _ in about] == ["ticket.created", "ticket.updated"]
    created, updated = about[0][1], about[1][1]
    assert created["version"] == 1
    assert updated["message"] is True
    assert updated["version"] == row.version
    assert not [p for n, p in screen.heard if n == "queue.changed" and p["queue_id"] == queue.id]
