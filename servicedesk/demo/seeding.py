"""Writing the planned demo desk through the services, in one unit of work.

Every row is made by the service that owns it, so the audit log and events are
what real use would produce. The services stamp rows with the current time;
inside the same transaction, rows and their audit entries are then moved back
to the moment the plan says they happened (one batched UPDATE per table at the
end), and agents' actions are recorded as theirs rather than the system's.

One transaction makes seeding all or nothing, so "the demo admin exists" means
the whole demo exists. Each demo password is hashed once and shared by the
users who have it: Argon2 is slow on purpose, and these passwords are public.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel, col

from servicedesk.audit.models import AuditEvent
from servicedesk.audit.service import PENDING as PENDING_AUDIT
from servicedesk.customers import service as customers
from servicedesk.customers.models import Customer, Organization
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.demo.catalog import PRODUCTS
from servicedesk.demo.hours import DESK_ZONE
from servicedesk.demo.people import (
    COMPANIES,
    PARTNER_ORG,
    PARTNER_USER,
    PASSWORDS,
    QUEUES,
    SHOWN_LOGINS,
    STAFF,
    StaffSpec,
)
from servicedesk.demo.plan_customers import CustomerPlan, CustomerPlanner
from servicedesk.demo.plan_history import StepPlan
from servicedesk.demo.plan_tickets import TicketPlan, TicketPlanner
from servicedesk.enums import Direction, OrganizationKind, Role
from servicedesk.products import service as products
from servicedesk.products.models import Asset, Product
from servicedesk.sla_tracking import service as sla_tracking
from servicedesk.sla_tracking.models import SlaPolicySet
from servicedesk.staff import service as staff
from servicedesk.staff.models import Team, User
from servicedesk.staff.passwords import hash_password
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Message, Ticket

DEMO_POLICIES = Path(__file__).with_name("sla.toml")

log = logging.getLogger(__name__)

SEED = 2026
REGION = "IL"
Login = tuple[str, str, str]


@dataclass
class DemoPlan:
    customers: list[CustomerPlan]
    tickets: list[TicketPlan]


def build_plan(now: datetime) -> DemoPlan:
    """The whole demo desk as data: the same for the same `now`."""
    rng = random.Random(SEED)
    people = CustomerPlanner(rng, now).plan()
    return DemoPlan(people, TicketPlanner(rng, now, people).plan())


def logins() -> list[Login]:
    specs = {s.key: s for s in (*STAFF, PARTNER_USER)}
    return [
        (specs[key].email, PASSWORDS[specs[key].role], specs[key].role.value)
        for key in SHOWN_LOGINS
    ]


async def seed(db: Database, time_zone: str = "Asia/Jerusalem") -> list[Login]:
    """Fill an empty desk with the demo contact centre; return the sign-ins to show.

    Idempotent: once the demo admin exists nothing is written again. A desk that
    already holds other data is left alone (and no sign-ins are returned)."""
    started = time.perf_counter()
    async with db.unit_of_work(Actor.system()) as uow:
        if await _seeded(uow.session):
            await _demo_policies(db, time_zone)
            return logins()
        if not await _empty(uow.session):
            log.warning("not seeding demo data: this desk already holds data of its own")
            return []
        await Seeder(uow, utcnow()).run()
    await _demo_policies(db, time_zone)
    async with db.read_session() as session:
        counts = {
            model.__name__.lower(): await session.scalar(select(func.count()).select_from(model))
            for model in (Customer, Asset, Ticket, Message, AuditEvent)
        }
    log.info("seeded the demo desk in %.1f s: %s", time.perf_counter() - started, counts)
    return logins()


async def _demo_policies(db: Database, time_zone: str) -> None:
    """The demo's SLA policies (servicedesk/demo/sla.toml, the README's example), put
    in force once, with the clocks of the open tickets computed from their history."""
    async with db.unit_of_work(Actor.system()) as uow:
        if await uow.session.scalar(select(func.count()).select_from(SlaPolicySet)):
            return
        await sla_tracking.load_policy_set(uow, DEMO_POLICIES.read_text("utf-8"), user_id=None)
    count = await sla_tracking.recompute_open_tickets(db, sla_tracking.PolicyRegistry(), time_zone)
    log.info("demo SLA policies in force; clocks of %d open tickets computed", count)


async def _seeded(session: AsyncSession) -> bool:
    admin = next(s for s in STAFF if s.role == Role.admin)
    return (
        await session.scalar(select(col(User.id)).where(col(User.email) == admin.email)) is not None
    )


async def _empty(session: AsyncSession) -> bool:
    for column in (User.id, Team.id, Customer.id, Product.id, Ticket.id):
        if await session.scalar(select(col(column)).limit(1)) is not None:
            return False
    return True


class Seeder:
    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self.uow = uow
        self.now = now
        self.plan = build_plan(now)
        first_purchase = min(a.purchased_on for c in self.plan.customers for a in c.assets)
        opening = datetime.combine(first_purchase - timedelta(days=45), clock(9))
        self.launch = opening.replace(tzinfo=DESK_ZONE).astimezone(UTC)
        self.rng = random.Random(SEED + 1)
        self.orgs: dict[str, Organization] = {}
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}
        self.actors: dict[str, Actor] = {}
        self.customers: dict[int, Customer] = {}
        self.assets: dict[str, Asset] = {}
        self.hashes: dict[Role, str] = {}
        self.dated: dict[type[SQLModel], dict[int, dict[str, Any]]] = {}

    async def run(self) -> None:
        roles = list(PASSWORDS)
        hashes = await asyncio.gather(
            *(asyncio.to_thread(hash_password, PASSWORDS[r]) for r in roles)
        )
        self.hashes = dict(zip(roles, hashes, strict=True))
        await self._organisations()
        await self._staff()
        await self._products()
        for person in self.plan.customers:
            await self._customer(person)
        for ticket in self.plan.tickets:
            await self._ticket(ticket)
        await self.uow.session.flush()
        for model, rows in self.dated.items():
            await self.uow.session.execute(
                update(model), [{"id": key, **values} for key, values in rows.items()]
            )
        # A ticket's "created" audit row is written by the statement that opens it, so
        # it cannot be re-dated while pending: move it to its ticket's (historical) time.
        await self.uow.session.execute(
            text(
                "UPDATE audit_event a SET at = t.created_at FROM ticket t"
                " WHERE a.entity_type = 'ticket' AND a.action = 'ticket.created'"
                " AND a.entity_id = t.id AND a.at >= :now"
            ),
            {"now": self.now},
        )
        # The demo's replies are history: they went out when they were written.
        await self.uow.session.execute(
            text(
                "UPDATE message SET delivery_state = 'sent', delivery_updated_at = created_at"
                " WHERE delivery_state = 'queued'"
            )
        )

    # -- time -----------------------------------------------------------------------------

    def _date(self, row: SQLModel, **values: datetime | None) -> None:
        """Give a flushed row its historical times (written in one batch at the end)."""
        for name, value in values.items():
            set_committed_value(row, name, value)
        key = getattr(row, "id")  # noqa: B009 - every dated table has an integer id
        self.dated.setdefault(type(row), {}).setdefault(key, {}).update(values)

    def _stamp(self, at: datetime) -> None:
        """Date the audit entries the last service call wrote (still pending) to `at`."""
        for row in self.uow.pending.get(PENDING_AUDIT, []):
            if row["at"] >= self.now:
                row["at"] = at

    def _settle(self, ticket: Ticket, at: datetime) -> None:
        """Move the times the last service call set on `ticket` to `at`."""
        times = {
            name: at if value is not None and value >= self.now else value
            for name in ("created_at", "updated_at", "first_responded_at", "solved_at", "closed_at")
            for value in (getattr(ticket, name),)
        }
        self._date(ticket, **times)
        self._stamp(at)

    def _later(self, days: int) -> datetime:
        return self.launch + timedelta(days=self.rng.randint(0, days), hours=self.rng.randint(0, 8))

    @contextmanager
    def _acting(self, key: str | None) -> Iterator[None]:
        previous = self.uow.actor
        self.uow.actor = self.actors[key] if key else Actor.system()
        try:
            yield
        finally:
            self.uow.actor = previous

    # -- the desk ----------------------------------------------------------------------------

    async def _organisations(self) -> None:
        kinds = [(PARTNER_ORG, OrganizationKind.partner)]
        kinds += [(c.name, OrganizationKind.customer) for c in COMPANIES]
        for name, kind in kinds:
            org = await customers.ensure_organization(self.uow, name, kind)
            self._date(org, created_at=self._later(30))
            self._stamp(org.created_at)
            self.orgs[name] = org

    async def _staff(self) -> None:
        for spec in QUEUES:
            team = await staff.create_team(
                self.uow,
                name=spec.name,
                language=spec.language,
                description=spec.description,
                default=spec.default,
            )
            self._date(team, created_at=self.launch)
            self._stamp(team.created_at)
            self.teams[spec.key] = team
        for person in (*STAFF, PARTNER_USER):
            await self._user(person)

    async def _user(self, spec: StaffSpec) -> None:
        team_ids = tuple(self.teams[key].id for key in spec.queues)
        org = self.orgs[PARTNER_ORG].id if spec.role == Role.partner else None
        user = await staff.create_user(
            self.uow,
            email=spec.email,
            name=spec.name,
            role=spec.role,
            password=None,
            organization_id=org,
            team_ids=tuple(t for t in team_ids if t is not None),
            language=spec.language,
        )
        user.password_hash = self.hashes[spec.role]
        self.uow.session.add(user)
        hired = spec.role in (Role.admin, Role.supervisor)
        self._date(user, created_at=self.launch if hired else self._later(365))
        self._stamp(user.created_at)
        self.users[spec.key] = user
        self.actors[spec.key] = staff.actor_for(user, frozenset(t for t in team_ids if t))

    async def _products(self) -> None:
        for spec in PRODUCTS:
            product = await products.create_product(
                self.uow,
                sku=spec.sku,
                name=spec.name,
                category=spec.category,
                price=spec.price_ils,
                warranty_months=spec.warranty_months,
                attributes=spec.attributes,
            )
            self._date(product, created_at=self.launch)
            self._stamp(product.created_at)

    async def _customer(self, person: CustomerPlan) -> None:
        found = await customers.create_customer(
            self.uow,
            name=person.name,
            identities=customers.identities_from(
                email=person.email, phone=person.phone, region=REGION
            ),
            tier=person.tier,
            preferred_language=person.language,
            organization_id=self.orgs[person.organization].id if person.organization else None,
        )
        since = max(person.created_at, self.launch)
        self._date(found, created_at=since, updated_at=since)
        self._stamp(since)
        assert found.id is not None
        self.customers[id(person)] = found
        for unit in person.assets:
            asset = await products.create_asset(
                self.uow,
                serial=unit.serial,
                product_sku=unit.product.sku,
                customer_id=found.id,
                purchased_on=unit.purchased_on,
                extended_until=unit.extended_until,
            )
            bought = datetime.combine(unit.purchased_on, clock(self.rng.randint(10, 19)))
            registered = max(bought.replace(tzinfo=DESK_ZONE).astimezone(UTC), self.launch)
            self._date(asset, created_at=registered)
            self._stamp(registered)
            self.assets[unit.serial] = asset

    # -- the tickets ---------------------------------------------------------------------------

    async def _ticket(self, plan: TicketPlan) -> None:
        customer = self.customers[id(plan.customer)]
        first = tickets.NewMessage(
            channel=plan.channel,
            direction=Direction.inbound,
            body_text=plan.body,
            author_customer_id=customer.id,
            provider_id=plan.provider_id,
            meta=plan.meta,
        )
        with self._acting(plan.creator):
            ticket, message = await tickets.create_ticket(
                self.uow,
                subject=plan.subject,
                customer=customer,
                first=first,
                priority=plan.priority,
                asset=self.assets[plan.asset.serial] if plan.asset else None,
                queue_id=self.teams[plan.queue].id if plan.queue else None,
            )
        self._date(message, created_at=plan.created_at)
        self._settle(ticket, plan.created_at)
        for step in plan.steps:
            await self._step(ticket, step)

    async def _step(self, ticket: Ticket, step: StepPlan) -> None:
        assert step.at is not None
        with self._acting(step.actor):
            if step.kind in ("note", "reply"):
                assert step.actor is not None
                message = await tickets.add_reply(
                    self.uow,
                    ticket,
                    author=self.users[step.actor],
                    body=step.text,
                    public=step.public,
                )
                self._date(message, created_at=step.at)
            else:
                await tickets.update_ticket(self.uow, ticket, self._changes(step))
        self._settle(ticket, step.at)

    def _changes(self, step: StepPlan) -> tickets.TicketChanges:
        if step.kind == "route":
            assert step.queue is not None
            return tickets.TicketChanges(queue_id=self.teams[step.queue].id, set_queue=True)
        if step.kind == "assign":
            assert step.assignee is not None
            return tickets.TicketChanges(
                assignee_id=self.users[step.assignee].id, set_assignee=True
            )
        return tickets.TicketChanges(status=step.status)
