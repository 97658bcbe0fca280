"""Small `create_*` helpers that build test data through the real services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from servicedesk.customers import service as customers
from servicedesk.customers.models import Customer, Organization
from servicedesk.db import Actor, Database
from servicedesk.enums import Channel, Direction, IdentityKind, OrganizationKind, Role, Tier
from servicedesk.products import service as products
from servicedesk.products.models import Asset, Product
from servicedesk.staff import service as staff
from servicedesk.staff.models import Team, User
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class Staff:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def create_team(db: Database, name: str | None = None, *, default: bool = False) -> Team:
    async with db.unit_of_work(Actor.system()) as uow:
        return await staff.create_team(uow, name=name or f"Queue {next(_seq)}", default=default)


async def create_organization(
    db: Database, kind: OrganizationKind = OrganizationKind.customer, name: str | None = None
) -> Organization:
    async with db.unit_of_work(Actor.system()) as uow:
        return await customers.ensure_organization(uow, name or f"Org {next(_seq)}", kind)


async def create_staff(
    db: Database,
    role: Role,
    *,
    teams: tuple[Team, ...] = (),
    organization: Organization | None = None,
    language: str = "en",
) -> Staff:
    n = next(_seq)
    async with db.unit_of_work(Actor.system()) as uow:
        user = await staff.create_user(
            uow,
            email=f"{role.value}{n}@desk.example",
            name=f"{role.value.title()} {n}",
            role=role,
            password=PASSWORD,
            organization_id=organization.id if organization else None,
            team_ids=tuple(t.id for t in teams if t.id is not None),
            language=language,
        )
        token = await staff.create_token(uow, user, "tests")
    return Staff(user, token)


async def create_customer(
    db: Database,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    tier: Tier = Tier.standard,
    organization: Organization | None = None,
) -> Customer:
    n = next(_seq)
    idents = []
    idents.append(customers.IdentityInput(IdentityKind.email, email or f"customer{n}@mail.example"))
    if phone:
        idents.append(customers.IdentityInput(IdentityKind.phone, phone))
    async with db.unit_of_work(Actor.system()) as uow:
        return await customers.create_customer(
            uow,
            name=name or f"Customer {n}",
            identities=idents,
            tier=tier,
            organization_id=organization.id if organization else None,
        )


async def create_product(db: Database, *, sku: str | None = None, months: int = 12) -> Product:
    async with db.unit_of_work(Actor.system()) as uow:
        return await products.create_product(
            uow, sku=sku or f"SKU-{next(_seq)}", name="Washing machine", warranty_months=months
        )


async def create_asset(
    db: Database, product: Product, customer: Customer, purchased_on: date
) -> Asset:
    assert customer.id is not None
    async with db.unit_of_work(Actor.system()) as uow:
        return await products.create_asset(
            uow,
            serial=f"SN{next(_seq):08d}",
            product_sku=product.sku,
            customer_id=customer.id,
            purchased_on=purchased_on,
        )


async def create_ticket(
    db: Database,
    customer: Customer,
    *,
    queue: Team | None = None,
    subject: str = "Machine does not drain",
    channel: Channel = Channel.email,
) -> Ticket:
    async with db.unit_of_work(Actor.system()) as uow:
        ticket, _ = await tickets.create_ticket(
            uow,
            subject=subject,
            customer=customer,
            queue_id=queue.id if queue else None,
            first=tickets.NewMessage(
                channel=channel,
                direction=Direction.inbound,
                body_text="It stops mid-cycle with water inside.",
                author_customer_id=customer.id,
            ),
        )
    return ticket
