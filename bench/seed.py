"""The benchmark's starting data, made through the project's own services:
an admin with an API token, a default queue, a product and existing customers
(e-mail and phone identities) with one registered unit each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from bench.baseline_app import DDL
from servicedesk import migrate
from servicedesk.customers import service as customers
from servicedesk.db import Actor, Database, make_engine
from servicedesk.enums import IdentityKind, Role, Tier
from servicedesk.events import EventBus
from servicedesk.products import service as products
from servicedesk.staff import service as staff

SKU = "WM-BENCH-8"
BATCH = 50
TIERS = (Tier.standard, Tier.standard, Tier.silver, Tier.gold, Tier.platinum)
NAMES = ("דנה כהן", "Noa Levi", "יוסי מזרחי", "David Peretz", "מיכל אברהם", "Sarah Friedman")


@dataclass(frozen=True)
class ExistingCustomer:
    id: int
    email: str
    phone: str  # national notation, as a caller would type it
    serial: str


@dataclass(frozen=True)
class Seeded:
    token: str
    customers: list[ExistingCustomer]


def customer_email(i: int) -> str:
    return f"customer{i}@bench.example"


def customer_phone(i: int) -> str:
    return f"053-{i:07d}"


async def seed(url: str, n_customers: int) -> Seeded:
    """Migrate the fresh database and fill it; also make the baselines' table."""
    db = Database(make_engine(url, pool_size=2), EventBus())
    try:
        await migrate.upgrade(db.engine)
        async with db.engine.begin() as conn:
            await conn.execute(text(DDL))
        async with db.unit_of_work(Actor.system()) as uow:
            await staff.create_team(uow, name="תמיכה / Support", default=True)
            admin = await staff.create_user(
                uow, email="bench-admin@bench.example", name="Bench", role=Role.admin, password=None
            )
            token = await staff.create_token(uow, admin, "bench")
            await products.create_product(
                uow, sku=SKU, name="מכונת כביסה 8 ק״ג / Washing machine 8 kg", warranty_months=24
            )
        existing: list[ExistingCustomer] = []
        today = date.today()
        for start in range(0, n_customers, BATCH):
            async with db.unit_of_work(Actor.system()) as uow:
                for i in range(start, min(start + BATCH, n_customers)):
                    customer = await customers.create_customer(
                        uow,
                        name=f"{NAMES[i % len(NAMES)]} {i}",
                        identities=[
                            customers.IdentityInput(IdentityKind.email, customer_email(i)),
                            customers.IdentityInput(IdentityKind.phone, f"+97253{i:07d}"),
                        ],
                        tier=TIERS[i % len(TIERS)],
                        preferred_language="he" if i % 3 else "en",
                    )
                    assert customer.id is not None
                    serial = f"BENCH-{i:06d}"
                    # Some in warranty, some out of it.
                    await products.create_asset(
                        uow,
                        serial=serial,
                        product_sku=SKU,
                        customer_id=customer.id,
                        purchased_on=today - timedelta(days=(i * 7) % 1200),
                    )
                    existing.append(
                        ExistingCustomer(customer.id, customer_email(i), customer_phone(i), serial)
                    )
        return Seeded(token=token, customers=existing)
    finally:
        await db.dispose()


def write_customers(path: Path, existing: list[ExistingCustomer]) -> None:
    """One tab-separated line per customer, read by the wrk script's init()."""
    path.write_text(
        "".join(f"{c.id}\t{c.email}\t{c.phone}\t{c.serial}\n" for c in existing),
        encoding="utf-8",
    )
