"""The demo desk that `servicedesk serve --demo` seeds: varied, signed-in, seeded once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from servicedesk.audit.models import AuditEvent
from servicedesk.customers.models import Customer, CustomerIdentity, Organization
from servicedesk.db import Database
from servicedesk.demo import build_plan, seed
from servicedesk.demo.hours import DESK_ZONE
from servicedesk.enums import (
    Channel,
    Direction,
    IdentityKind,
    OrganizationKind,
    Role,
    TicketStatus,
    Tier,
    WarrantyState,
)
from servicedesk.identities import normalise_phone
from servicedesk.products.models import Asset, Product
from servicedesk.products.warranty import warranty_state
from servicedesk.sla_tracking.models import SlaClock
from servicedesk.staff.models import Team, User
from servicedesk.staff.service import authenticate_password
from servicedesk.tickets.models import Message, Ticket
from tests.factories import create_team

HEBREW = re.compile(r"[\u0590-\u05FF]")
TABLES = (Organization, Team, User, Product, Customer, CustomerIdentity, Asset, Ticket, Message)


async def _counts(db: Database) -> dict[str, int]:
    async with db.read_session() as session:
        return {
            table.__name__: await session.scalar(select(func.count()).select_from(table)) or 0
            for table in (*TABLES, AuditEvent)
        }


async def test_seeding_builds_a_varied_desk(db: Database) -> None:
    started = datetime.now(UTC)
    await seed(db)
    today = datetime.now(DESK_ZONE).date()
    async with db.read_session() as session:
        tickets = list(await session.scalars(select(Ticket)))
        customers = list(await session.scalars(select(Customer)))
        assets = list(await session.scalars(select(Asset)))
        messages = list(await session.scalars(select(Message)))
        teams = list(await session.scalars(select(Team)))
        partner = await session.scalar(select(User).where(col(User.role) == Role.partner))
        orgs = {o.id: o for o in await session.scalars(select(Organization))}
        # Only the SLA policies are put in force now; everything else is history.
        undated = await session.scalar(
            select(func.count()).where(
                col(AuditEvent.at) >= started, col(AuditEvent.action) != "sla.policies_loaded"
            )
        )
        clocked = await session.scalar(select(func.count(func.distinct(SlaClock.ticket_id))))
        agent_replies = await session.scalar(
            select(func.count()).where(
                col(AuditEvent.action) == "message.created",
                col(AuditEvent.actor_user_id).is_not(None),
            )
        )
        phones = list(
            await session.scalars(
                select(CustomerIdentity.value).where(
                    col(CustomerIdentity.kind) == IdentityKind.phone
                )
            )
        )

    assert 350 <= len(tickets) <= 450
    assert 250 <= len(customers) <= 350
    assert {Channel.email, Channel.voice, Channel.sms, Channel.chat, Channel.web, Channel.api} <= {
        t.channel for t in tickets
    }
    assert {t.status for t in tickets} == set(TicketStatus)
    assert sum(t.asset_id is not None for t in tickets) > len(tickets) / 2
    assert all(t.queue_id is not None for t in tickets)
    assert any(t.assignee_id is None for t in tickets)
    assert sum(t.assignee_id is not None for t in tickets) > len(tickets) / 2

    # Warranties in all three states on the day of seeding.
    states = {warranty_state(a.warranty_ends_on, a.extended_until, today) for a in assets}
    assert states == set(WarrantyState)

    # Hebrew and English customers, every tier, companies and the partner's customers.
    assert {c.preferred_language for c in customers} == {"he", "en"}
    assert any(HEBREW.search(c.name) for c in customers)
    assert any(c.name.isascii() for c in customers)
    assert {c.tier for c in customers} == set(Tier)
    assert sum(c.tier == Tier.standard for c in customers) > len(customers) / 2
    kinds = [orgs[c.organization_id].kind for c in customers if c.organization_id]
    assert OrganizationKind.customer in kinds
    assert OrganizationKind.partner in kinds
    assert all(normalise_phone(p, "IL") == p for p in phones)
    assert any(p.startswith("+9725") for p in phones)

    # The partner user belongs to the partner organisation.
    assert partner is not None
    assert partner.organization_id is not None
    assert orgs[partner.organization_id].kind == OrganizationKind.partner

    # Queues per product line and language, one of them the default.
    assert len(teams) >= 5
    assert sum(t.is_default for t in teams) == 1
    assert {t.language for t in teams} == {"he", "en"}

    # Conversations: the customer's message, public replies and internal notes.
    assert any(m.direction == Direction.outbound and m.is_public for m in messages)
    assert any(not m.is_public for m in messages)
    by_ticket = {t.id: t for t in tickets}
    for message in messages:
        ticket = by_ticket[message.ticket_id]
        assert ticket.created_at <= message.created_at <= ticket.updated_at

    # Three weeks of history, numbered in order, with an audit trail dated to match
    # that names the agents who acted.
    created = sorted(t.created_at for t in tickets)
    assert created[0] < started - timedelta(days=18)
    assert created[-1] > started - timedelta(days=1)
    assert all(t.updated_at <= started for t in tickets)
    assert all(t.solved_at is not None for t in tickets if t.status == TicketStatus.closed)
    numbers = [t.number for t in sorted(tickets, key=lambda t: t.created_at)]
    assert numbers == sorted(numbers)
    assert undated == 0
    # The README's SLA policies are in force and every open ticket has its clocks.
    open_tickets = [t for t in tickets if t.status != TicketStatus.closed]
    assert clocked == len(open_tickets)
    assert all(t.sla_policy for t in open_tickets)
    assert agent_replies is not None
    assert agent_replies > 100


async def test_logins_work_and_seeding_again_adds_nothing(db: Database) -> None:
    logins = await seed(db)
    assert {role for _, _, role in logins} == {r.value for r in Role}
    async with db.read_session() as session:
        for email, password, role in logins:
            assert len(password) >= 10
            user = await authenticate_password(session, email, password)
            assert user is not None, email
            assert user.role.value == role

    before = await _counts(db)
    assert await seed(db) == logins
    assert await _counts(db) == before


async def test_a_desk_with_its_own_data_is_left_alone(db: Database) -> None:
    await create_team(db, "Our own queue", default=True)
    assert await seed(db) == []
    counts = await _counts(db)
    assert counts["Customer"] == counts["Ticket"] == counts["User"] == 0


def test_the_plan_is_deterministic() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    first, second = build_plan(now), build_plan(now)
    assert [c.email for c in first.customers] == [c.email for c in second.customers]
    assert [(t.subject, t.created_at, t.status) for t in first.tickets] == [
        (t.subject, t.created_at, t.status) for t in second.tickets
    ]
    assert [s.text for s in first.tickets[-1].steps] == [s.text for s in second.tickets[-1].steps]
