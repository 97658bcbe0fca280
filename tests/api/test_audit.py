"""Every change made through the API leaves an audit row: who, what, from what, to what."""

from __future__ import annotations

from datetime import timedelta

from servicedesk.enums import Role
from tests import factories as f
from tests.api.conftest import World, audit_events, create_api_user, row_counts


def by(who, request_id: str) -> dict[str, str]:
    return {**who.headers, "X-Request-Id": request_id}


def assert_by(event, who, action: str, request_id: str) -> None:
    assert event.action == action
    assert event.actor_kind == "token"
    assert event.actor_user_id == who.user.id
    assert event.request_id == request_id
    assert event.at.utcoffset() == timedelta(0)


async def test_customer_create_and_patch_are_audited(client, db, admin):
    created = await client.post(
        "/api/v1/customers",
        headers=by(admin, "req-customer-create"),
        json={"name": "Tamar", "email": "tamar@mail.example", "tier": "silver"},
    )
    cid = created.json()["id"]
    await client.patch(
        f"/api/v1/customers/{cid}",
        headers=by(admin, "req-customer-patch"),
        json={"name": "Tamar Golan", "tier": "gold", "phone": "052-555-0101"},
    )

    made, changed = await audit_events(db, "customer", cid)

    assert_by(made, admin, "customer.created", "req-customer-create")
    assert made.before is None
    assert made.after == {
        "name": "Tamar",
        "tier": "silver",
        "preferred_language": "he",
        "organization_id": None,
    }
    assert_by(changed, admin, "customer.updated", "req-customer-patch")
    assert changed.before == made.after
    assert changed.after == {
        "name": "Tamar Golan",
        "tier": "gold",
        "preferred_language": "he",
        "organization_id": None,
        "identities_added": ["phone:+972525550101"],
    }


async def test_product_and_asset_creation_are_audited(client, db, admin):
    product = await client.post(
        "/api/v1/products",
        headers=by(admin, "req-product"),
        json={"sku": "dw-12", "name": "Dishwasher", "price": "1999.00", "warranty_months": 24},
    )
    customer = await f.create_customer(db)
    asset = await client.post(
        "/api/v1/assets",
        headers=by(admin, "req-asset"),
        json={
            "serial": "DW12-0001",
            "product_sku": "DW-12",
            "customer_id": customer.id,
            "purchased_on": "2025-02-28",
            "extended_until": "2028-02-29",
        },
    )

    (p_event,) = await audit_events(db, "product", product.json()["id"])
    (a_event,) = await audit_events(db, "asset", asset.json()["id"])

    assert_by(p_event, admin, "product.created", "req-product")
    assert p_event.after == {
        "sku": "DW-12",
        "name": "Dishwasher",
        "category": "",
        "price": "1999.00",
        "warranty_months": 24,
    }
    assert_by(a_event, admin, "asset.created", "req-asset")
    assert a_event.after == {
        "serial": "DW12-0001",
        "product_id": product.json()["id"],
        "customer_id": customer.id,
        "purchased_on": "2025-02-28",
        "warranty_ends_on": "2027-02-28",
        "extended_until": "2028-02-29",
    }


async def test_ticket_life_is_audited_change_by_change(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    supervisor = await create_api_user(db, Role.supervisor)
    created = await client.post(
        "/api/v1/tickets",
        headers=by(supervisor, "req-ticket-create"),
        json={"subject": "Ice maker", "body": "No ice", "customer_email": "new@mail.example"},
    )
    tid = created.json()["id"]
    await client.patch(
        f"/api/v1/tickets/{tid}",
        headers=by(supervisor, "req-ticket-assign"),
        json={"queue_id": world.queue.id, "assignee_id": agent.user.id, "priority": "high"},
    )
    note = await client.post(
        f"/api/v1/tickets/{tid}/replies",
        headers=by(agent, "req-ticket-note"),
        json={"body": "Ordered a part", "public": False},
    )
    await client.patch(
        f"/api/v1/tickets/{tid}",
        headers=by(agent, "req-ticket-solve"),
        json={"status": "solved"},
    )

    made, assigned, noted, solved = await audit_events(db, "ticket", tid)
    (customer_made,) = await audit_events(db, "customer", created.json()["customer"]["id"])

    assert_by(customer_made, supervisor, "customer.created", "req-ticket-create")
    assert customer_made.after["name"] == "new@mail.example"
    assert_by(made, supervisor, "ticket.created", "req-ticket-create")
    assert made.before is None
    assert made.after == {
        "status": "new",
        "priority": "normal",
        "queue_id": None,
        "assignee_id": None,
        "asset_id": None,
        "subject": "Ice maker",
    }
    assert_by(assigned, supervisor, "ticket.updated", "req-ticket-assign")
    assert assigned.before == {
        "status": "new",
        "priority": "normal",
        "queue_id": None,
        "assignee_id": None,
    }
    assert assigned.after == {
        "status": "open",
        "priority": "high",
        "queue_id": world.queue.id,
        "assignee_id": agent.user.id,
    }
    assert_by(noted, agent, "message.created", "req-ticket-note")
    assert noted.after == {"message_id": note.json()["id"], "public": False, "channel": "note"}
    assert_by(solved, agent, "ticket.updated", "req-ticket-solve")
    assert (solved.before, solved.after) == ({"status": "open"}, {"status": "solved"})


async def test_refused_and_unchanged_requests_leave_no_audit_row(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    outsider = await create_api_user(db, Role.agent, teams=(world.other_queue,))
    before = await row_counts(db)
    url = f"/api/v1/tickets/{world.ticket.id}"

    unchanged = await client.patch(url, headers=agent.headers, json={"priority": "normal"})
    refused = await client.patch(url, headers=outsider.headers, json={"priority": "high"})
    invalid = await client.patch(url, headers=agent.headers, json={"queue_id": 987_654})

    assert [r.status_code for r in (unchanged, refused, invalid)] == [200, 403, 422]
    assert await row_counts(db) == before
