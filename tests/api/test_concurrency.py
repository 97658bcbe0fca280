"""Simultaneous requests, on a database of their own where transactions really commit
(one connection per request), emptied after every test."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from sqlalchemy import func, select, text

from servicedesk.audit.models import AuditEvent
from servicedesk.customers.models import Customer, CustomerIdentity
from servicedesk.enums import Role
from servicedesk.products.models import Product
from servicedesk.tickets.models import Ticket
from tests.api.conftest import create_api_user

GUARD_SECONDS = 10  # only so a broken test fails instead of hanging; nothing is timed


async def count(db, model, *where) -> int:
    async with db.read_session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def until_blocked(connection) -> None:
    """Return once some session is waiting on a lock. PostgreSQL announces no such
    thing, so pg_stat_activity is polled; its snapshot is per transaction, hence
    dropped before every look."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(GUARD_SECONDS):
        while True:
            await connection.execute(text("SELECT pg_stat_clear_snapshot()"))
            if await connection.scalar(query):
                return
            await asyncio.sleep(0.01)  # poll interval, not an assumption about timing


@asynccontextmanager
async def first_contact_in_flight(engine, email: str):
    """Another transaction has just taken `email` for a customer of its own and not yet
    committed. `settle()` waits until a request is blocked on that identity's unique
    index, then commits it: the race of two first contacts, the same way every time."""
    async with engine.connect() as other:
        await other.begin()
        winner = await other.scalar(
            text(
                "INSERT INTO customer (name, tier, preferred_language, created_at, updated_at) "
                "VALUES ('Earlier caller', 'standard', 'he', now(), now()) RETURNING id"
            )
        )
        await other.execute(
            text(
                'INSERT INTO customer_identity (customer_id, kind, value, "primary", created_at)'
                " VALUES (:id, 'email', :email, true, now())"
            ),
            {"id": winner, "email": email},
        )

        async def settle() -> None:
            await until_blocked(other)
            await other.commit()

        yield winner, settle


def new_ticket(**customer) -> dict:
    return {"subject": "First contact", "body": "Hello?", **customer}


async def test_a_first_contact_racing_another_ends_on_the_winners_customer(
    committed_client, committed_db, committed_engine
):
    admin = await create_api_user(committed_db, Role.admin)
    address = "race.winner@mail.example"
    async with first_contact_in_flight(committed_engine, address) as (winner, settle):
        request = asyncio.create_task(
            committed_client.post(
                "/api/v1/tickets",
                headers=admin.headers,
                json=new_ticket(customer_email="Race.Winner@Mail.example"),
            )
        )
        await settle()
        resp = await request

    assert resp.status_code == 201, resp.text
    assert resp.json()["customer"]["id"] == winner
    assert await count(committed_db, Customer) == 1  # the request's own row is gone
    assert await count(committed_db, CustomerIdentity) == 1
    assert await count(committed_db, Ticket, Ticket.customer_id == winner) == 1
    # The request created no customer in the end, so it audited none.
    created = await count(committed_db, AuditEvent, AuditEvent.action == "customer.created")
    assert created == 0
    found = await committed_client.get(
        "/api/v1/customers", params={"email": address}, headers=admin.headers
    )
    assert [c["id"] for c in found.json()["items"]] == [winner]


async def test_two_first_contacts_at_once_make_one_customer(committed_client, committed_db):
    admin = await create_api_user(committed_db, Role.admin)
    body = new_ticket(customer_email="both@mail.example")

    first, second = await asyncio.gather(
        committed_client.post("/api/v1/tickets", headers=admin.headers, json=body),
        committed_client.post("/api/v1/tickets", headers=admin.headers, json=body),
    )

    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert first.json()["customer"]["id"] == second.json()["customer"]["id"]
    assert await count(committed_db, Customer) == 1
    assert await count(committed_db, AuditEvent, AuditEvent.action == "customer.created") == 1


async def test_many_first_contacts_by_phone_in_different_notations(committed_client, committed_db):
    admin = await create_api_user(committed_db, Role.admin)
    notations = ["054-123-4567", "+972 54 123 4567", "00972541234567", "(054)1234567", "0541234567"]

    answers = await asyncio.gather(
        *(
            committed_client.post(
                "/api/v1/tickets", headers=admin.headers, json=new_ticket(customer_phone=n)
            )
            for n in notations
        )
    )

    assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
    assert len({a.json()["customer"]["id"] for a in answers}) == 1
    assert await count(committed_db, Customer) == 1
    assert await count(committed_db, Ticket) == 5


async def test_creating_a_customer_whose_address_another_just_took_conflicts(
    committed_client, committed_db, committed_engine
):
    admin = await create_api_user(committed_db, Role.admin)
    body = {"name": "Twice", "email": "twice@mail.example"}
    async with first_contact_in_flight(committed_engine, "twice@mail.example") as (_, settle):
        request = asyncio.create_task(
            committed_client.post("/api/v1/customers", headers=admin.headers, json=body)
        )
        await settle()
        resp = await request

    assert resp.status_code == 409, resp.text
    assert resp.json()["fields"] == {"email": "belongs to another customer"}
    assert await count(committed_db, Customer) == 1
    assert await count(committed_db, AuditEvent, AuditEvent.action == "customer.created") == 0


async def test_duplicate_sku_lost_to_a_concurrent_insert_is_409(
    committed_client, committed_db, committed_engine
):
    """Another transaction holds the same SKU, uncommitted: the request's check passes,
    its INSERT waits on the unique index and fails once the other commits."""
    admin = await create_api_user(committed_db, Role.admin)
    async with committed_engine.connect() as other:
        await other.begin()
        await other.execute(
            text(
                "INSERT INTO product (sku, name, category, attributes, warranty_months, "
                "created_at) VALUES ('RACE-1', 'First', '', '{}', 12, now())"
            )
        )
        request = asyncio.create_task(
            committed_client.post(
                "/api/v1/products", headers=admin.headers, json={"sku": "race-1", "name": "Second"}
            )
        )
        await until_blocked(other)
        await other.commit()
        resp = await request

    assert resp.status_code == 409, resp.text
    assert resp.json()["error"] == "conflict"
    assert await count(committed_db, Product) == 1
    assert await count(committed_db, AuditEvent, AuditEvent.entity_type == "product") == 0
