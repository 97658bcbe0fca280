from __future__ import annotations

from datetime import date, datetime, timedelta

from servicedesk.enums import Role
from tests import factories as f


async def test_create_ticket_for_unknown_customer_creates_customer(client, db):
    admin = await f.create_staff(db, Role.admin)
    resp = await client.post(
        "/api/v1/tickets",
        headers=admin.headers,
        json={
            "subject": "המקרר לא מקרר",
            "body": "שלום, המקרר הפסיק לקרר אתמול.",
            "channel": "email",
            "customer_email": "Noa.Cohen@Example.com",
        },
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["number"] >= 10001
    assert body["status"] == "new"
    assert body["messages"][0]["text"] == "שלום, המקרר הפסיק לקרר אתמול."
    assert datetime.fromisoformat(body["created_at"]).utcoffset() == timedelta(0)
    found = await client.get(
        "/api/v1/customers", params={"email": "noa.cohen@example.COM"}, headers=admin.headers
    )
    assert found.json()["total"] == 1
    assert found.json()["items"][0]["id"] == body["customer"]["id"]


async def test_ticket_with_asset_shows_warranty(client, db):
    admin = await f.create_staff(db, Role.admin)
    customer = await f.create_customer(db)
    product = await f.create_product(db, months=24)
    asset = await f.create_asset(db, product, customer, date.today())
    resp = await client.post(
        "/api/v1/tickets",
        headers=admin.headers,
        json={
            "subject": "Noise",
            "body": "Loud noise when spinning",
            "customer_id": customer.id,
            "asset_serial": asset.serial,
        },
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["asset"]["warranty"] == "active"
