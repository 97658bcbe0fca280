"""Products and the customers' serial-numbered units, with their warranty state."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from servicedesk.enums import Role
from servicedesk.settings import local_today
from tests import factories as f
from tests.api.conftest import World, create_api_user, unique


async def test_create_product_normalises_the_sku(client, admin):
    resp = await client.post(
        "/api/v1/products",
        headers=admin.headers,
        json={
            "sku": "  wm-8kg-1400 ",
            "name": "מכונת כביסה 8 ק״ג",
            "category": "laundry",
            "price": "2499.90",
            "warranty_months": 36,
            "attributes": {"rpm": 1400, "colours": ["white", "לבן"]},
        },
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["sku"] == "WM-8KG-1400"
    assert body["name"] == "מכונת כביסה 8 ק״ג"
    assert Decimal(body["price"]) == Decimal("2499.90")
    assert body["attributes"] == {"rpm": 1400, "colours": ["white", "לבן"]}
    dup = await client.post(
        "/api/v1/products", headers=admin.headers, json={"sku": "WM-8kg-1400", "name": "Again"}
    )
    assert dup.status_code == 409
    assert dup.json()["fields"] == {"sku": "taken"}


async def test_product_list_filters_by_category_and_counts_every_page(client, admin):
    for n in range(3):
        await client.post(
            "/api/v1/products",
            headers=admin.headers,
            json={"sku": f"FR-{n}", "name": "Fridge", "category": "cooling"},
        )
    await client.post(
        "/api/v1/products",
        headers=admin.headers,
        json={"sku": "OV-1", "name": "Oven", "category": "cooking"},
    )
    page = await client.get(
        "/api/v1/products", params={"category": "cooling", "limit": 2}, headers=admin.headers
    )
    assert [p["sku"] for p in page.json()["items"]] == ["FR-0", "FR-1"]
    assert page.json()["total"] == 3
    rest = await client.get(
        "/api/v1/products",
        params={"category": "cooling", "limit": 2, "offset": 2},
        headers=admin.headers,
    )
    assert [p["sku"] for p in rest.json()["items"]] == ["FR-2"]
    assert rest.json()["total"] == 3


@pytest.mark.parametrize(
    ("purchased_on", "months", "ends_on"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 3, 15), 24, date(2027, 3, 15)),
        (date(2025, 5, 1), 0, date(2025, 5, 1)),
    ],
    ids=lambda v: str(v),
)
async def test_warranty_end_is_clamped_to_the_month_end(
    client, db, admin, purchased_on, months, ends_on
):
    product = await f.create_product(db, months=months)
    customer = await f.create_customer(db)
    resp = await client.post(
        "/api/v1/assets",
        headers=admin.headers,
        json={
            "serial": unique("SN-CLAMP-"),
            "product_sku": product.sku,
            "customer_id": customer.id,
            "purchased_on": purchased_on.isoformat(),
        },
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["warranty_ends_on"] == ends_on.isoformat()
    assert resp.json()["purchased_on"] == purchased_on.isoformat()
    # An extended warranty may end on the maker's last day, not one day earlier.
    just = await client.post(
        "/api/v1/assets",
        headers=admin.headers,
        json={
            "serial": unique("SN-EXT-"),
            "product_sku": product.sku,
            "customer_id": customer.id,
            "purchased_on": purchased_on.isoformat(),
            "extended_until": ends_on.isoformat(),
        },
    )
    assert just.status_code == 201, just.text
    short = await client.post(
        "/api/v1/assets",
        headers=admin.headers,
        json={
            "serial": unique("SN-EXT-"),
            "product_sku": product.sku,
            "customer_id": customer.id,
            "purchased_on": purchased_on.isoformat(),
            "extended_until": (ends_on - timedelta(days=1)).isoformat(),
        },
    )
    assert short.status_code == 422
    assert set(short.json()["fields"]) == {"extended_until"}


# (days before today the maker's warranty ends, days extended past it, state today)
WARRANTY_DAYS = {
    "last day of the maker's warranty": (0, None, "active"),
    "last day, also extended": (0, 30, "active"),
    "day after, no extension": (1, None, "expired"),
    "day after, extended": (1, 30, "extended"),
    "last day of the extension": (30, 30, "extended"),
    "day after the extension": (31, 30, "expired"),
    "a year ago": (365, None, "expired"),
}


@pytest.mark.parametrize(
    ("ended_days_ago", "extended_days", "state"), WARRANTY_DAYS.values(), ids=list(WARRANTY_DAYS)
)
async def test_warranty_state_at_its_boundaries(
    client, db, admin, settings, ended_days_ago, extended_days, state
):
    # A 0-month warranty ends on the purchase day, so the dates are exact.
    product = await f.create_product(db, months=0)
    customer = await f.create_customer(db)
    today = local_today(settings)
    ends = today - timedelta(days=ended_days_ago)
    body = {
        "serial": unique("SN-W-"),
        "product_sku": product.sku,
        "customer_id": customer.id,
        "purchased_on": ends.isoformat(),
    }
    if extended_days is not None:
        body["extended_until"] = (ends + timedelta(days=extended_days)).isoformat()

    created = await client.post("/api/v1/assets", headers=admin.headers, json=body)
    listed = await client.get(
        "/api/v1/assets", params={"serial": body["serial"]}, headers=admin.headers
    )
    ticket = await client.post(
        "/api/v1/tickets",
        headers=admin.headers,
        json={
            "subject": "Broken",
            "body": "It broke",
            "customer_id": customer.id,
            "asset_serial": body["serial"],
        },
    )

    assert created.status_code == 201, created.text
    assert created.json()["warranty"] == state
    assert [a["warranty"] for a in listed.json()["items"]] == [state]
    assert ticket.json()["asset"]["warranty"] == state


async def test_twelve_month_warranty_ends_on_the_same_day_next_year(client, db, admin, settings):
    product = await f.create_product(db, months=12)
    customer = await f.create_customer(db)
    today = local_today(settings)
    if (today.month, today.day) == (2, 29):  # no such day last year: nothing to compare
        today -= timedelta(days=1)
    bought = today.replace(year=today.year - 1)
    for purchased_on, state in ((bought, "active"), (bought - timedelta(days=1), "expired")):
        resp = await client.post(
            "/api/v1/assets",
            headers=admin.headers,
            json={
                "serial": unique("SN-Y-"),
                "product_sku": product.sku,
                "customer_id": customer.id,
                "purchased_on": purchased_on.isoformat(),
            },
        )
        assert resp.json()["warranty"] == state, purchased_on


async def test_asset_list_filters_and_counts(client, db, admin):
    product = await f.create_product(db)
    one, two = await f.create_customer(db), await f.create_customer(db)
    mine = [await f.create_asset(db, product, one, date(2025, 1, n)) for n in (1, 2, 3)]
    await f.create_asset(db, product, two, date(2025, 1, 4))

    page = await client.get(
        "/api/v1/assets", params={"customer_id": one.id, "limit": 2}, headers=admin.headers
    )
    assert [a["serial"] for a in page.json()["items"]] == [a.serial for a in mine[:2]]
    assert page.json()["total"] == 3
    by_serial = await client.get(
        "/api/v1/assets", params={"serial": f" {mine[2].serial} "}, headers=admin.headers
    )
    assert [a["id"] for a in by_serial.json()["items"]] == [mine[2].id]
    assert by_serial.json()["items"][0]["product_sku"] == product.sku


async def test_partner_sees_and_registers_assets_of_its_own_customers_only(
    client, db, world: World
):
    stranger = await f.create_customer(db, organization=world.other_org)
    await f.create_asset(db, world.product, stranger, date(2025, 6, 1))
    own = await f.create_asset(db, world.product, world.customer, date(2025, 6, 1))
    partner = await create_api_user(db, Role.partner, organization=world.own_org)

    listed = await client.get("/api/v1/assets", headers=partner.headers)
    asked = await client.get(
        "/api/v1/assets", params={"customer_id": stranger.id}, headers=partner.headers
    )
    refused = await client.post(
        "/api/v1/assets",
        headers=partner.headers,
        json={
            "serial": "SN-NOT-MINE",
            "product_sku": world.product.sku,
            "customer_id": stranger.id,
            "purchased_on": "2025-06-01",
        },
    )

    assert [a["id"] for a in listed.json()["items"]] == [own.id]
    assert listed.json()["total"] == 1
    assert asked.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert refused.status_code == 403
