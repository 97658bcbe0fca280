"""Simultaneous requests, on a database of their own where transactions really commit
(one connection per request), emptied after every test."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from servicedesk.audit.models import AuditEvent
from servicedesk.customers import service as customers_service
from servicedesk.customers.models import Customer, CustomerIdentity
from servicedesk.enums import Role
from servicedesk.products.models import Product
from servicedesk.tickets.models import Ticket
from tests.api.conftest import create_api_user

GUARD_SECONDS = 10  # only so a broken test fails instead of hanging; nothing is timed


async def count(db, model, *where) -> int:
    async with db.read_session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def claims_meet(monkeypatch):
    """Make the first two identity claims wait for each other, so both requests have
    inserted their own customer before either claims the address: the race, every time."""
    barrier = asyncio.Barrier(2)
    claim = customers_service._claim_identity

    async def claim_together(*args, **kwargs):
        async with asyncio.timeout(GUARD_SECONDS):
            await barrier.wait()
        return await claim(*args, **kwargs)

    monkeypatch.setattr(customers_service, "_claim_identity", claim_together)


def new_ticket(**customer) -> dict:
    return {"subject": "First contact", "body": "Hello?", **customer}


async def test_two_first_contacts_from_one_new_address_make_one_customer(
    committed_client, committed_db, claims_meet
):
    admin = await create_api_user(committed_db, Role.admin)
    body = new_ticket(customer_email="Race.Winner@Mail.example")

    first, second = await asyncio.gather(
        committed_client.post("/api/v1/tickets", headers=admin.headers, json=body),
        committed_client.post("/api/v1/tickets", headers=admin.headers, json=body),
    )

    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    owner = first.json()["customer"]["id"]
    assert second.json()["customer"]["id"] == owner
    assert first.json()["id"] != second.json()["id"]
    assert await count(committed_db, Customer) == 1
    assert await count(committed_db, CustomerIdentity) == 1
    assert await count(committed_db, Ticket, Ticket.customer_id == owner) == 2
    # The loser's short-lived customer is gone from the audit log too.
    created = await count(committed_db, AuditEvent, AuditEvent.action == "customer.created")
    assert created == 1
    found = await committed_client.get(
        "/api/v1/customers", params={"email": "race.winner@mail.example"}, headers=admin.headers
    )
    assert [c["id"] for c in found.json()["items"]] == [owner]


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


async def test_two_simultaneous_creates_of_one_customer_conflict(
    committed_client, committed_db, claims_meet
):
    admin = await create_api_user(committed_db, Role.admin)
    body = {"name": "Twice", "email": "twice@mail.example"}

    answers = await asyncio.gather(
        committed_client.post("/api/v1/customers", headers=admin.headers, json=body),
        committed_client.post("/api/v1/customers", headers=admin.headers, json=body),
    )

    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["fields"] == {"email": "belongs to another customer"}
    assert await count(committed_db, Customer) == 1
    assert await count(committed_db, AuditEvent, AuditEvent.action == "customer.created") == 1


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
        async with asyncio.timeout(GUARD_SECONDS):
            while not await other.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ):
                await asyncio.sleep(0.01)
        await other.commit()
        resp = await request

    assert resp.status_code == 409, resp.text
    assert resp.json()["error"] == "conflict"
    assert await count(committed_db, Product) == 1
    assert await count(committed_db, AuditEvent, AuditEvent.entity_type == "product") == 0
