"""The SMS benchmark's starting data: `bench.seed`'s customers (each with a phone
identity `+97253…`, which `bench.sms_corpus` texts from), half of them with an open
ticket they opened by e-mail that their texts must join, and the baseline's table.
Made once in the template database every measurement copies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench.seed import seed
from bench.sms_baseline import DDL
from bench.sms_corpus import existing_number
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database, make_engine
from servicedesk.enums import Channel, Direction
from servicedesk.events import EventBus
from servicedesk.tickets import service as tickets

BATCH = 50
POLICIES = Path(__file__).resolve().parent.parent / "servicedesk" / "demo" / "sla.toml"


@dataclass(frozen=True)
class SmsSeed:
    customers: int
    open_ticket_of: dict[str, int]  # an existing customer's number → their e-mail ticket


async def prepare(url: str, customers: int) -> SmsSeed:
    """Migrate and fill the fresh database at `url`."""
    seeded = await seed(url, customers)
    db = Database(make_engine(url, pool_size=2), EventBus())
    open_ticket_of: dict[str, int] = {}
    try:
        with_ticket = [(i, c) for i, c in enumerate(seeded.customers) if i % 2 == 0]
        for start in range(0, len(with_ticket), BATCH):
            async with db.unit_of_work(Actor.system()) as uow:
                for i, existing in with_ticket[start : start + BATCH]:
                    customer = await uow.session.get(Customer, existing.id)
                    assert customer is not None
                    ticket, _ = await tickets.create_ticket(
                        uow,
                        subject="המכונה לא מנקזת / Machine does not drain",
                        customer=customer,
                        first=tickets.NewMessage(
                            channel=Channel.email,
                            direction=Direction.inbound,
                            body_text="The machine stops mid-cycle. המכונה עוצרת באמצע.",
                            author_customer_id=existing.id,
                        ),
                    )
                    assert ticket.id is not None
                    open_ticket_of[existing_number(i)] = ticket.id
    finally:
        await db.dispose()
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute(DDL)
        phones = await conn.fetchval(
            "SELECT count(*) FROM customer_identity WHERE kind = 'phone' AND value = ANY($1)",
            [existing_number(i) for i in range(customers)],
        )
    finally:
        await conn.close()
    if phones != customers:
        raise RuntimeError(f"{phones} of {customers} seeded phone numbers found as +97253…")
    return SmsSeed(customers, open_ticket_of)


async def activate_demo_policies(url: str) -> None:
    """The demo desk's SLA policies (the README's example) made the active version,
    as an admin loading the file does; existing tickets get clocks on their next change."""
    from servicedesk.sla_tracking.service import load_policy_set

    db = Database(make_engine(url, pool_size=1), EventBus())
    try:
        async with db.unit_of_work(Actor.system()) as uow:
            await load_policy_set(uow, POLICIES.read_text(encoding="utf-8"), user_id=None)
    finally:
        await db.dispose()
