"""Fixtures and helpers for the /api/v1 tests.

Users made here have no password (no Argon2 hash per test), only an API token.
The `committed_*` fixtures run against a dedicated database without the rolled-back
outer transaction, for tests that need two connections at once."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select, update

from servicedesk.app import create_app
from servicedesk.audit.models import AuditEvent
from servicedesk.customers.models import Customer, CustomerIdentity, Organization
from servicedesk.db import Actor, Database
from servicedesk.enums import OrganizationKind, Role
from servicedesk.products.models import Asset, Product
from servicedesk.settings import Settings
from servicedesk.staff import service as staff
from servicedesk.staff.models import ApiToken, Team, User
from servicedesk.tickets.models import Message, Ticket
from tests import factories as f

_seq = itertools.count(1)

# The tables a write through the API can touch; counted before and after a refused request.
WRITTEN_TABLES: dict[str, Any] = {
    "customer": Customer,
    "customer_identity": CustomerIdentity,
    "organization": Organization,
    "product": Product,
    "asset": Asset,
    "ticket": Ticket,
    "message": Message,
    "audit_event": AuditEvent,
}


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq)}"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create_api_user(
    db: Database,
    role: Role,
    *,
    teams: tuple[Team, ...] = (),
    organization: Organization | None = None,
) -> f.Staff:
    """A user with an API token and no password."""
    async with db.unit_of_work(Actor.system()) as uow:
        user = await staff.create_user(
            uow,
            email=f"api-{role.value}{next(_seq)}@desk.example",
            name=f"{role.value.title()} {next(_seq)}",
            role=role,
            password=None,
            organization_id=organization.id if organization else None,
            team_ids=tuple(t.id for t in teams if t.id is not None),
            language="en",
        )
        token = await staff.create_token(uow, user, "api tests")
    return f.Staff(user, token)


async def deactivate(db: Database, user: User) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.session.execute(update(User).where(User.id == user.id).values(is_active=False))


async def revoke_tokens(db: Database, user: User) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.session.execute(
            update(ApiToken).where(ApiToken.user_id == user.id).values(revoked_at=datetime.now(UTC))
        )


async def row_counts(db: Database) -> dict[str, int]:
    async with db.read_session() as session:
        return {
            name: await session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in WRITTEN_TABLES.items()
        }


async def audit_events(db: Database, entity_type: str, entity_id: int) -> list[AuditEvent]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        )
        return list(rows)


def fields_of(resp: httpx.Response) -> dict[str, str]:
    body = resp.json()
    assert "message" in body, body
    return body.get("fields", {})


@pytest.fixture
async def admin(db: Database) -> f.Staff:
    return await create_api_user(db, Role.admin)


@dataclass
class World:
    """One customer of a partner organisation with one ticket in one queue, and
    the organisation and queue next door."""

    queue: Team
    other_queue: Team
    own_org: Organization
    other_org: Organization
    customer: Customer
    ticket: Ticket
    product: Product


@pytest.fixture
async def world(db: Database) -> World:
    queue = await f.create_team(db, unique("Washers "))
    other_queue = await f.create_team(db, unique("Fridges "))
    own_org = await f.create_organization(db, OrganizationKind.partner, unique("Reseller "))
    other_org = await f.create_organization(db, OrganizationKind.partner, unique("Rival "))
    customer = await f.create_customer(db, organization=own_org)
    ticket = await f.create_ticket(db, customer, queue=queue)
    product = await f.create_product(db)
    return World(queue, other_queue, own_org, other_org, customer, ticket, product)


# ---- a database without the rolled-back outer transaction -----------------------------


@pytest.fixture
async def committed_client(
    settings: Settings, committed_db: Database
) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings, database=committed_db)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
