"""Bad input: a 4xx naming each offending field, never a 500, never a half-written row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database
from servicedesk.enums import Role, TicketStatus
from servicedesk.products.models import Asset
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from tests import factories as f
from tests.api.conftest import World, create_api_user, fields_of, row_counts, unique

BIG = 2**63  # past every integer column, and past PostgreSQL's bigint
HUGE_TEXT = "x" * 100_001  # more than 100 kB


@dataclass
class Scene:
    world: World
    other: Customer  # a second customer, with a phone number and an asset
    other_asset: Asset
    closed: Ticket  # a closed ticket of the world's customer


@pytest.fixture
async def scene(db: Database, world: World) -> Scene:
    other = await f.create_customer(db, email="other@mail.example", phone="+972541234567")
    other_asset = await f.create_asset(db, world.product, other, date(2025, 1, 1))
    closed = await f.create_ticket(db, world.customer, queue=world.queue)
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, closed.id)
        assert row is not None
        await tickets.update_ticket(uow, row, tickets.TicketChanges(status=TicketStatus.closed))
    return Scene(world, other, other_asset, closed)


Body = Callable[[Scene], Any]


def ticket(**overrides: Any) -> Body:
    """A valid POST /tickets body for the world's customer, with overrides (None drops a key)."""

    def build(s: Scene) -> dict[str, Any]:
        body = {
            "subject": "No hot water",
            "body": "Since Monday",
            "customer_id": s.world.customer.id,
        }
        body.update({k: v(s) if callable(v) else v for k, v in overrides.items()})
        return {k: v for k, v in body.items() if v is not None}

    return build


def customer(**overrides: Any) -> Body:
    def build(s: Scene) -> dict[str, Any]:
        body = {"name": "Yael Mizrahi", "email": f"{unique('yael')}@mail.example"}
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    return build


def asset(**overrides: Any) -> Body:
    def build(s: Scene) -> dict[str, Any]:
        body = {
            "serial": unique("SN-BAD-"),
            "product_sku": s.world.product.sku,
            "customer_id": s.world.customer.id,
            "purchased_on": "2026-01-31",
        }
        body.update({k: v(s) if callable(v) else v for k, v in overrides.items()})
        return {k: v for k, v in body.items() if v is not None}

    return build


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable[[Scene], str]
    body: Body | bytes | None
    status: int
    fields: frozenset[str]


def case(method: str, url: str | Callable[[Scene], str], body: Any, status: int, *fields: str):
    return Case(method, url if callable(url) else (lambda s: url), body, status, frozenset(fields))


def ticket_url(suffix: str = "") -> Callable[[Scene], str]:
    return lambda s: f"/tickets/{s.world.ticket.id}{suffix}"


def customer_url(s: Scene) -> str:
    return f"/customers/{s.world.customer.id}"


CASES: dict[str, Case] = {
    # ---- POST /tickets ----
    "ticket: missing subject": case("POST", "/tickets", ticket(subject=None), 422, "subject"),
    "ticket: missing body": case("POST", "/tickets", ticket(body=None), 422, "body"),
    "ticket: extra field": case("POST", "/tickets", ticket(colour="red"), 422, "colour"),
    "ticket: subject is a number": case("POST", "/tickets", ticket(subject=5), 422, "subject"),
    "ticket: customer_id is text": case(
        "POST", "/tickets", ticket(customer_id="abc"), 422, "customer_id"
    ),
    "ticket: customer_id is a float": case(
        "POST", "/tickets", ticket(customer_id=1.5), 422, "customer_id"
    ),
    "ticket: empty subject": case("POST", "/tickets", ticket(subject=""), 422, "subject"),
    "ticket: blank subject": case("POST", "/tickets", ticket(subject=" \t\n "), 422, "subject"),
    "ticket: 100 kB subject": case("POST", "/tickets", ticket(subject=HUGE_TEXT), 422, "subject"),
    "ticket: 200 kB+ body": case("POST", "/tickets", ticket(body="x" * 200_001), 422, "body"),
    "ticket: NUL in subject": case("POST", "/tickets", ticket(subject="a\x00b"), 422, "subject"),
    "ticket: NUL in body": case("POST", "/tickets", ticket(body="a\x00b"), 422, "body"),
    "ticket: invalid JSON": case("POST", "/tickets", b'{"subject": "x",', 400, "body"),
    "ticket: not UTF-8": case("POST", "/tickets", b"\xff\xfe\x00", 400, "body"),
    "ticket: empty body": case("POST", "/tickets", b"", 422, "body"),
    "ticket: JSON array": case("POST", "/tickets", b"[1, 2]", 422, "body"),
    "ticket: JSON null": case("POST", "/tickets", b"null", 422, "body"),
    "ticket: invalid e-mail": case(
        "POST", "/tickets", ticket(customer_id=None, customer_email="noa@@x"), 422, "customer_email"
    ),
    "ticket: impossible phone": case(
        "POST", "/tickets", ticket(customer_id=None, customer_phone="123"), 422, "customer_phone"
    ),
    "ticket: unknown channel": case("POST", "/tickets", ticket(channel="pigeon"), 422, "channel"),
    "ticket: starts with a note": case("POST", "/tickets", ticket(channel="note"), 422, "channel"),
    "ticket: unknown priority": case(
        "POST", "/tickets", ticket(priority="whenever"), 422, "priority"
    ),
    "ticket: no customer at all": case(
        "POST", "/tickets", ticket(customer_id=None), 422, "customer_id"
    ),
    "ticket: customer_id unknown": case(
        "POST", "/tickets", ticket(customer_id=987_654), 422, "customer_id"
    ),
    "ticket: customer_id negative": case(
        "POST", "/tickets", ticket(customer_id=-3), 422, "customer_id"
    ),
    "ticket: customer_id huge": case(
        "POST", "/tickets", ticket(customer_id=BIG), 422, "customer_id"
    ),
    "ticket: asset_serial unknown": case(
        "POST", "/tickets", ticket(asset_serial="NO-SUCH-SERIAL"), 422, "asset_serial"
    ),
    "ticket: asset of another customer": case(
        "POST", "/tickets", ticket(asset_serial=lambda s: s.other_asset.serial), 422, "asset_serial"
    ),
    "ticket: new customer with another's asset": case(
        "POST",
        "/tickets",
        ticket(
            customer_id=None,
            customer_email="brand.new@mail.example",
            asset_serial=lambda s: s.other_asset.serial,
        ),
        422,
        "asset_serial",
    ),
    # ---- POST /customers ----
    "customer: missing name": case("POST", "/customers", customer(name=None), 422, "name"),
    "customer: blank name": case("POST", "/customers", customer(name="   "), 422, "name"),
    "customer: extra field": case("POST", "/customers", customer(vip=True), 422, "vip"),
    "customer: invalid e-mail": case("POST", "/customers", customer(email="dana@"), 422, "email"),
    "customer: impossible phone": case(
        "POST", "/customers", customer(phone="+972 5"), 422, "phone"
    ),
    "customer: bad e-mail and phone": case(
        "POST", "/customers", customer(email="x", phone="not a phone"), 422, "email", "phone"
    ),
    "customer: unknown tier": case("POST", "/customers", customer(tier="diamond"), 422, "tier"),
    "customer: tier is a number": case("POST", "/customers", customer(tier=3), 422, "tier"),
    "customer: unknown organisation": case(
        "POST", "/customers", customer(organization_id=987_654), 422, "organization_id"
    ),
    "customer: huge organisation id": case(
        "POST", "/customers", customer(organization_id=BIG), 422, "organization_id"
    ),
    "customer: e-mail of another customer": case(
        "POST", "/customers", customer(email="OTHER@mail.example"), 409, "email"
    ),
    "customer: phone of another customer": case(
        "POST", "/customers", customer(phone="054-123-4567"), 409, "phone"
    ),
    # ---- PATCH /customers/{id} ----
    "patch customer: e-mail of another": case(
        "PATCH", customer_url, {"name": "Renamed", "email": "other@MAIL.example"}, 409, "email"
    ),
    "patch customer: phone of another": case(
        "PATCH", customer_url, {"name": "Renamed", "phone": "+972 54 123 4567"}, 409, "phone"
    ),
    "patch customer: unknown tier": case("PATCH", customer_url, {"tier": "bronze"}, 422, "tier"),
    "patch customer: empty name": case("PATCH", customer_url, {"name": ""}, 422, "name"),
    "patch customer: invalid e-mail": case(
        "PATCH", customer_url, {"email": "a b@c.d"}, 422, "email"
    ),
    "patch customer: extra field": case("PATCH", customer_url, {"id": 7}, 422, "id"),
    "patch customer: empty body": case("PATCH", customer_url, b"", 422, "body"),
    # ---- POST /products ----
    "product: duplicate sku": case(
        "POST", "/products", lambda s: {"sku": s.world.product.sku.lower(), "name": "X"}, 409, "sku"
    ),
    "product: missing name": case("POST", "/products", {"sku": "NEW-1"}, 422, "name"),
    "product: negative warranty": case(
        "POST",
        "/products",
        {"sku": "NEW-2", "name": "X", "warranty_months": -1},
        422,
        "warranty_months",
    ),
    "product: warranty as words": case(
        "POST",
        "/products",
        {"sku": "NEW-3", "name": "X", "warranty_months": "twelve"},
        422,
        "warranty_months",
    ),
    "product: negative price": case(
        "POST", "/products", {"sku": "NEW-4", "name": "X", "price": "-1"}, 422, "price"
    ),
    "product: NUL in attributes": case(
        "POST",
        "/products",
        {"sku": "NEW-5", "name": "X", "attributes": {"k": "a\x00"}},
        422,
        "attributes",
    ),
    # ---- POST /assets ----
    "asset: extended before the maker's warranty ends": case(
        "POST",
        "/assets",
        asset(purchased_on="2026-01-31", extended_until="2027-01-30"),
        422,
        "extended_until",
    ),
    "asset: unknown product and customer": case(
        "POST",
        "/assets",
        asset(product_sku="NOPE", customer_id=987_654),
        422,
        "product_sku",
        "customer_id",
    ),
    "asset: impossible date": case(
        "POST", "/assets", asset(purchased_on="2026-02-30"), 422, "purchased_on"
    ),
    "asset: purchased in year 9999": case(
        "POST", "/assets", asset(purchased_on="9999-06-01"), 422, "purchased_on"
    ),
    "asset: huge customer id": case("POST", "/assets", asset(customer_id=BIG), 422, "customer_id"),
    "asset: duplicate serial": case(
        "POST", "/assets", asset(serial=lambda s: s.other_asset.serial), 409, "serial"
    ),
    # ---- PATCH /tickets/{id} ----
    "patch ticket: unknown status": case("PATCH", ticket_url(), {"status": "done"}, 422, "status"),
    "patch ticket: unknown priority": case(
        "PATCH", ticket_url(), {"priority": "asap"}, 422, "priority"
    ),
    "patch ticket: unknown queue": case(
        "PATCH", ticket_url(), {"queue_id": 987_654}, 422, "queue_id"
    ),
    "patch ticket: huge queue id": case("PATCH", ticket_url(), {"queue_id": BIG}, 422, "queue_id"),
    "patch ticket: unknown assignee": case(
        "PATCH", ticket_url(), {"assignee_id": 987_654}, 422, "assignee_id"
    ),
    "patch ticket: extra field": case("PATCH", ticket_url(), {"number": 1}, 422, "number"),
    "patch ticket: stale version": case(
        "PATCH", ticket_url(), {"priority": "high", "version": 0}, 409, "version"
    ),
    "patch ticket: reopen a closed ticket": case(
        "PATCH", lambda s: f"/tickets/{s.closed.id}", {"status": "open"}, 422, "status"
    ),
    # ---- POST /tickets/{id}/replies ----
    "reply: empty": case("POST", ticket_url("/replies"), {"body": ""}, 422, "body"),
    "reply: public is not a boolean": case(
        "POST", ticket_url("/replies"), {"body": "Hi", "public": "maybe"}, 422, "public"
    ),
    "reply: attachment not base64": case(
        "POST",
        ticket_url("/replies"),
        {"body": "Hi", "attachments": [{"filename": "a.txt", "content_base64": "%%%"}]},
        422,
        "attachments.0.content_base64",
    ),
    "reply: attachment with a bad content type": case(
        "POST",
        ticket_url("/replies"),
        {
            "body": "Hi",
            "attachments": [
                {"filename": "a.txt", "content_type": "text/html\r\nX: y", "content_base64": "aGk="}
            ],
        },
        422,
        "attachments.0.content_type",
    ),
    "reply: too many attachments": case(
        "POST",
        ticket_url("/replies"),
        {"body": "Hi", "attachments": [{"filename": "a", "content_base64": "aGk="}] * 21},
        422,
        "attachments",
    ),
    "reply: on a closed ticket": case(
        "POST", lambda s: f"/tickets/{s.closed.id}/replies", {"body": "Hello?"}, 422, "status"
    ),
    # ---- query strings ----
    "tickets: status unknown": case("GET", "/tickets?status=open,done", None, 422, "status"),
    "tickets: queue not a number": case("GET", "/tickets?queue=abc", None, 422, "queue"),
    "tickets: customer not a number": case("GET", "/tickets?customer=1e3", None, 422, "customer"),
    "tickets: assignee not a number": case("GET", "/tickets?assignee=me", None, 422, "assignee"),
    "tickets: huge customer": case("GET", f"/tickets?customer={BIG}", None, 422, "customer"),
    "tickets: limit zero": case("GET", "/tickets?limit=0", None, 422, "limit"),
    "tickets: limit too big": case("GET", "/tickets?limit=201", None, 422, "limit"),
    "tickets: limit negative": case("GET", "/tickets?limit=-5", None, 422, "limit"),
    "tickets: limit not a number": case("GET", "/tickets?limit=ten", None, 422, "limit"),
    "tickets: offset negative": case("GET", "/tickets?offset=-1", None, 422, "offset"),
    "tickets: offset huge": case("GET", f"/tickets?offset={BIG}", None, 422, "offset"),
    "customers: limit too big": case("GET", "/customers?limit=100000", None, 422, "limit"),
    "customers: invalid e-mail": case("GET", "/customers?email=dana@", None, 422, "email"),
    "customers: impossible phone": case("GET", "/customers?phone=12", None, 422, "phone"),
    "customers: NUL in name search": case("GET", "/customers?q=a%00b", None, 422, "q"),
    "timeline: limit zero": case(
        "GET", lambda s: f"/customers/{s.world.customer.id}/timeline?limit=0", None, 422, "limit"
    ),
    "products: offset not a number": case("GET", "/products?offset=x", None, 422, "offset"),
    "products: NUL in category": case("GET", "/products?category=%00", None, 422, "category"),
    "assets: customer_id not a number": case(
        "GET", "/assets?customer_id=abc", None, 422, "customer_id"
    ),
    "assets: huge customer_id": case("GET", f"/assets?customer_id={BIG}", None, 422, "customer_id"),
    "assets: NUL in serial": case("GET", "/assets?serial=%00", None, 422, "serial"),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_input_is_refused_per_field_and_writes_nothing(client, db, scene, name):
    c = CASES[name]
    admin = await create_api_user(db, Role.admin)
    body = c.body(scene) if callable(c.body) else c.body
    kwargs: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
    before = await row_counts(db)

    resp = await client.request(c.method, "/api/v1" + c.url(scene), headers=admin.headers, **kwargs)

    assert resp.status_code == c.status, resp.text
    assert set(fields_of(resp)) == c.fields, resp.text
    assert await row_counts(db) == before


BAD_IDS = ["0", "-1", "2147483648", "99999999999999999999999", "abc", "1.5", "12abc"]
ID_PATHS = [
    ("GET", "/customers/{}", None),
    ("PATCH", "/customers/{}", {"tier": "gold"}),
    ("GET", "/customers/{}/timeline", None),
    ("GET", "/tickets/{}", None),
    ("PATCH", "/tickets/{}", {"priority": "low"}),
    ("POST", "/tickets/{}/replies", {"body": "Hello"}),
]


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(("method", "path", "body"), ID_PATHS, ids=lambda v: str(v))
async def test_impossible_ids_in_paths_are_404(client, admin, method, path, body, bad_id):
    resp = await client.request(
        method, "/api/v1" + path.format(bad_id), headers=admin.headers, json=body
    )
    assert resp.status_code == 404, resp.text
    assert resp.json()["error"] == "not_found"


async def test_closed_ticket_stays_closed(client, db, scene):
    admin = await create_api_user(db, Role.admin)
    for status in ("open", "new", "pending", "solved"):
        resp = await client.patch(
            f"/api/v1/tickets/{scene.closed.id}", headers=admin.headers, json={"status": status}
        )
        assert resp.status_code == 422, resp.text
    got = await client.get(f"/api/v1/tickets/{scene.closed.id}", headers=admin.headers)
    assert got.json()["status"] == "closed"
    assert got.json()["closed_at"] is not None


async def test_refused_customer_patch_changes_nothing(client, db, scene):
    admin = await create_api_user(db, Role.admin)
    url = f"/api/v1/customers/{scene.world.customer.id}"
    before = (await client.get(url, headers=admin.headers)).json()
    resp = await client.patch(
        url, headers=admin.headers, json={"name": "New name", "tier": "gold", "phone": "0541234567"}
    )
    assert resp.status_code == 409, resp.text
    assert (await client.get(url, headers=admin.headers)).json() == before


async def test_partner_cannot_write_internal_notes(client, db, scene):
    partner = await create_api_user(db, Role.partner, organization=scene.world.own_org)
    before = await row_counts(db)
    resp = await client.post(
        f"/api/v1/tickets/{scene.world.ticket.id}/replies",
        headers=partner.headers,
        json={"body": "psst", "public": False},
    )
    assert resp.status_code == 403, resp.text
    assert await row_counts(db) == before


async def test_partner_cannot_move_a_customer_to_another_organisation(client, db, scene):
    partner = await create_api_user(db, Role.partner, organization=scene.world.own_org)
    resp = await client.patch(
        f"/api/v1/customers/{scene.world.customer.id}",
        headers=partner.headers,
        json={"organization_id": scene.world.other_org.id},
    )
    assert resp.status_code == 403, resp.text


async def test_partner_cannot_create_customers_for_another_organisation(client, db, scene):
    partner = await create_api_user(db, Role.partner, organization=scene.world.own_org)
    before = await row_counts(db)
    resp = await client.post(
        "/api/v1/customers",
        headers=partner.headers,
        json={"name": "Avi", "organization_id": scene.world.other_org.id},
    )
    assert resp.status_code == 403, resp.text
    assert await row_counts(db) == before


async def test_partner_cannot_open_tickets_for_another_organisations_customer(client, db, scene):
    partner = await create_api_user(db, Role.partner, organization=scene.world.other_org)
    before = await row_counts(db)
    resp = await client.post(
        "/api/v1/tickets",
        headers=partner.headers,
        json={"subject": "Hi", "body": "Hello", "customer_phone": "054-123-4567"},
    )
    assert resp.status_code == 403, resp.text
    assert await row_counts(db) == before


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Basic ZGFuYTpzZWNyZXQ=",
        "sdk_abcdef",
        "Bearer not-our-prefix",
        "Bearer sdk_",
        "Bearer sdk_tampered",
    ],
)
async def test_malformed_authorization_headers_are_401(client, header):
    resp = await client.get("/api/v1/tickets", headers={"Authorization": header})
    assert resp.status_code == 401, resp.text
    assert resp.headers["www-authenticate"] == "Bearer"


async def test_bearer_scheme_is_case_insensitive(client, admin):
    resp = await client.get(
        "/api/v1/tickets", headers={"Authorization": f"bearer   {admin.token}  "}
    )
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/v1/nothing-here", 404),
        ("GET", "/api/v1/tickets/1/replies", 405),
        ("DELETE", "/api/v1/customers/1", 405),
        ("PUT", "/api/v1/tickets", 405),
    ],
)
async def test_unknown_routes_and_methods_answer_json(client, admin, method, url, status):
    resp = await client.request(method, url, headers=admin.headers)
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json()["error"] == "http_error"
