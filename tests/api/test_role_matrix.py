"""Who may call what: every operation of the route table against every kind of caller.

A new operation in `OPERATIONS` fails `test_every_operation_has_a_matrix_row` until it
gets a row here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from servicedesk.api.routes import OPERATIONS
from servicedesk.db import Database
from servicedesk.enums import Role
from tests.api.conftest import (
    World,
    auth,
    create_api_user,
    deactivate,
    revoke_tokens,
    row_counts,
    unique,
)

Request = tuple[str, dict[str, Any] | None]  # (url, JSON body)

# Callers that never get past authentication.
UNAUTHENTICATED = (
    "no token",
    "malformed header",
    "unknown token",
    "revoked token",
    "inactive user",
)
# Callers with a working token, in the column order of MATRIX.
AUTHENTICATED = (
    "admin",
    "supervisor",
    "agent in the queue",
    "agent not in the queue",
    "partner own org",
    "partner other org",
)


def _new_customer(w: World) -> Request:
    return "/customers", {
        "name": "Dana Levi",
        "email": f"{unique('dana')}@mail.example",
        "organization_id": w.own_org.id,
    }


def _new_asset(w: World) -> Request:
    return "/assets", {
        "serial": unique("SN-MATRIX-"),
        "product_sku": w.product.sku,
        "customer_id": w.customer.id,
        "purchased_on": date.today().isoformat(),
    }


def _new_ticket(w: World) -> Request:
    return "/tickets", {
        "subject": "Door seal leaks",
        "body": "Water on the floor",
        "channel": "web",
        "customer_id": w.customer.id,
    }


# The target of every {id}: the world's customer (of the "own" partner organisation)
# and its ticket (in the queue of "agent in the queue").
REQUESTS: dict[str, Callable[[World], Request]] = {
    "POST /customers": _new_customer,
    "GET /customers": lambda w: ("/customers", None),
    "GET /customers/{id}": lambda w: (f"/customers/{w.customer.id}", None),
    "PATCH /customers/{id}": lambda w: (f"/customers/{w.customer.id}", {"tier": "gold"}),
    "GET /customers/{id}/timeline": lambda w: (f"/customers/{w.customer.id}/timeline", None),
    "POST /products": lambda w: ("/products", {"sku": unique("SKU-M-"), "name": "Dryer"}),
    "GET /products": lambda w: ("/products", None),
    "POST /assets": _new_asset,
    "GET /assets": lambda w: ("/assets", None),
    "POST /tickets": _new_ticket,
    "GET /tickets": lambda w: ("/tickets", None),
    "GET /tickets/{id}": lambda w: (f"/tickets/{w.ticket.id}", None),
    "PATCH /tickets/{id}": lambda w: (f"/tickets/{w.ticket.id}", {"priority": "high"}),
    "POST /tickets/{id}/replies": lambda w: (f"/tickets/{w.ticket.id}/replies", {"body": "On it"}),
    "GET /sla/policies": lambda w: ("/sla/policies", None),
    "GET /sla/calendars": lambda w: ("/sla/calendars", None),
    "GET /reports/sla": lambda w: ("/reports/sla?group_by=policy", None),
}

# Every UNAUTHENTICATED caller gets 401 everywhere; the columns are AUTHENTICATED.
MATRIX: dict[str, tuple[int, int, int, int, int, int]] = {
    #                                admin sup  a-in a-out p-own p-other
    "POST /customers":              (201, 201, 201, 201, 201, 403),
    "GET /customers":               (200, 200, 200, 200, 200, 200),
    "GET /customers/{id}":          (200, 200, 200, 200, 200, 403),
    "PATCH /customers/{id}":        (200, 200, 200, 200, 200, 403),
    "GET /customers/{id}/timeline": (200, 200, 200, 200, 200, 403),
    "POST /products":               (201, 403, 403, 403, 403, 403),
    "GET /products":                (200, 200, 200, 200, 200, 200),
    "POST /assets":                 (201, 201, 201, 201, 201, 403),
    "GET /assets":                  (200, 200, 200, 200, 200, 200),
    "POST /tickets":                (201, 201, 201, 201, 201, 403),
    "GET /tickets":                 (200, 200, 200, 200, 200, 200),
    "GET /tickets/{id}":            (200, 200, 200, 403, 200, 403),
    "PATCH /tickets/{id}":          (200, 200, 200, 403, 403, 403),
    "POST /tickets/{id}/replies":   (201, 201, 201, 403, 201, 403),
    "GET /sla/policies":            (200, 200, 200, 200, 403, 403),
    "GET /sla/calendars":           (200, 200, 200, 200, 403, 403),
    "GET /reports/sla":             (200, 200, 403, 403, 403, 403),
}  # fmt: skip


def test_every_operation_has_a_matrix_row():
    operations = {f"{op.method} {op.path}" for op in OPERATIONS}
    assert operations == set(MATRIX)
    assert operations == set(REQUESTS)


def test_roles_in_the_openapi_description_match_the_matrix():
    role_of_column = ("admin", "supervisor", "agent", "agent", "partner", "partner")
    for op in OPERATIONS:
        row = MATRIX[f"{op.method} {op.path}"]
        allowed = {role for role, status in zip(role_of_column, row, strict=True) if status < 400}
        assert allowed == set(op.roles.split(", ")), op.path


async def _headers_for(db: Database, w: World, caller: str) -> dict[str, str]:
    if caller == "no token":
        return {}
    if caller == "malformed header":
        return {"Authorization": "Token abc123"}
    if caller == "unknown token":
        return auth("sdk_" + "x" * 43)
    if caller == "revoked token":
        who = await create_api_user(db, Role.admin)
        await revoke_tokens(db, who.user)
        return who.headers
    if caller == "inactive user":
        who = await create_api_user(db, Role.admin)
        await deactivate(db, who.user)
        return who.headers
    role, kwargs = {
        "admin": (Role.admin, {}),
        "supervisor": (Role.supervisor, {}),
        "agent in the queue": (Role.agent, {"teams": (w.queue,)}),
        "agent not in the queue": (Role.agent, {"teams": (w.other_queue,)}),
        "partner own org": (Role.partner, {"organization": w.own_org}),
        "partner other org": (Role.partner, {"organization": w.other_org}),
    }[caller]
    return (await create_api_user(db, role, **kwargs)).headers


CASES = [
    pytest.param(operation, caller, expected, id=f"{operation} | {caller}")
    for operation, row in MATRIX.items()
    for caller, expected in (
        *((c, 401) for c in UNAUTHENTICATED),
        *zip(AUTHENTICATED, row, strict=True),
    )
]


@pytest.mark.parametrize(("operation", "caller", "expected"), CASES)
async def test_role_matrix(client, db, world, operation, caller, expected):
    method, path = operation.split(" ")
    url, body = REQUESTS[operation](world)
    headers = await _headers_for(db, world, caller)
    before = await row_counts(db)

    resp = await client.request(method, "/api/v1" + url, headers=headers, json=body)

    assert resp.status_code == expected, resp.text
    if expected >= 400:
        assert resp.json()["error"] == {401: "not_authenticated", 403: "forbidden"}[expected]
        assert await row_counts(db) == before
    if expected == 401:
        assert resp.headers["www-authenticate"] == "Bearer"
