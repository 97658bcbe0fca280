"""Customers: found by any notation of their identities, changed by PATCH, and their
timeline across every ticket and channel."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from servicedesk.enums import Channel, Role
from tests import factories as f
from tests.api.conftest import World, create_api_user, unique

PHONE_NOTATIONS = ["054-123-4567", "+972 54 123 4567", "00972541234567", "(054)1234567"]


@pytest.mark.parametrize("written", PHONE_NOTATIONS)
async def test_phone_in_any_notation_finds_the_same_customer(client, admin, written):
    created = await client.post(
        "/api/v1/customers", headers=admin.headers, json={"name": "Noa", "phone": written}
    )
    assert created.status_code == 201, created.text
    assert created.json()["phone"] == "+972541234567"
    for stamp in ("created_at", "updated_at"):
        assert datetime.fromisoformat(created.json()[stamp]).utcoffset() == timedelta(0)
    for lookup in PHONE_NOTATIONS:
        found = await client.get(
            "/api/v1/customers", params={"phone": lookup}, headers=admin.headers
        )
        assert found.status_code == 200, found.text
        assert [c["id"] for c in found.json()["items"]] == [created.json()["id"]], lookup
        assert found.json()["total"] == 1


async def test_ticket_by_phone_in_another_notation_lands_on_the_existing_customer(client, admin):
    created = await client.post(
        "/api/v1/customers", headers=admin.headers, json={"name": "Noa", "phone": "0541234567"}
    )
    for notation in PHONE_NOTATIONS:
        resp = await client.post(
            "/api/v1/tickets",
            headers=admin.headers,
            json={"subject": "Noise", "body": "Loud", "customer_phone": notation},
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["customer"]["id"] == created.json()["id"]
    everyone = await client.get("/api/v1/customers", headers=admin.headers)
    assert everyone.json()["total"] == 1


async def test_email_is_matched_case_insensitively(client, admin):
    created = await client.post(
        "/api/v1/customers",
        headers=admin.headers,
        json={"name": "Dana", "email": "Dana.Levi@Example.COM"},
    )
    assert created.json()["email"] == "dana.levi@example.com"
    for lookup in ("dana.levi@example.com", "DANA.LEVI@EXAMPLE.COM", "  dana.Levi@example.com "):
        found = await client.get(
            "/api/v1/customers", params={"email": lookup}, headers=admin.headers
        )
        assert [c["id"] for c in found.json()["items"]] == [created.json()["id"]], lookup
    ticket = await client.post(
        "/api/v1/tickets",
        headers=admin.headers,
        json={"subject": "Hi", "body": "Hello", "customer_email": "DANA.levi@example.com"},
    )
    assert ticket.json()["customer"]["id"] == created.json()["id"]


async def test_lookup_of_an_unknown_identity_is_an_empty_page(client, db, admin):
    await f.create_customer(db, email="someone@mail.example")
    resp = await client.get(
        "/api/v1/customers", params={"email": "nobody@mail.example"}, headers=admin.headers
    )
    assert resp.status_code == 200
    assert resp.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


async def test_blank_lookup_is_no_filter(client, db, admin):
    await f.create_customer(db)
    await f.create_customer(db)
    resp = await client.get(
        "/api/v1/customers", params={"email": "  ", "phone": ""}, headers=admin.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["total"] == 2


async def test_customer_list_is_paginated_with_a_true_total(client, db, admin):
    made = [await f.create_customer(db, name=f"Paging {i}") for i in range(5)]
    seen = []
    for offset in (0, 2, 4):
        page = await client.get(
            "/api/v1/customers",
            params={"limit": 2, "offset": offset, "q": "paging"},
            headers=admin.headers,
        )
        assert page.json()["total"] == 5
        seen += [c["id"] for c in page.json()["items"]]
    assert seen == [c.id for c in made]


async def test_patch_adds_identities_and_makes_them_primary(client, admin):
    created = await client.post(
        "/api/v1/customers",
        headers=admin.headers,
        json={"name": "Avi", "email": "avi@old.example", "phone": "052-765-4321"},
    )
    url = f"/api/v1/customers/{created.json()['id']}"

    resp = await client.patch(
        url,
        headers=admin.headers,
        json={"email": "Avi@New.Example", "phone": "+972 50 111 2222", "tier": "gold"},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["email"] == "avi@new.example"
    assert body["phone"] == "+972501112222"
    assert body["tier"] == "gold"
    assert {(i["kind"], i["value"], i["primary"]) for i in body["identities"]} == {
        ("email", "avi@old.example", False),
        ("email", "avi@new.example", True),
        ("phone", "+972527654321", False),
        ("phone", "+972501112222", True),
    }
    # The old address still finds the customer, and can be made primary again.
    found = await client.get(
        "/api/v1/customers", params={"email": "avi@old.example"}, headers=admin.headers
    )
    assert found.json()["items"][0]["id"] == body["id"]
    again = await client.patch(url, headers=admin.headers, json={"email": "AVI@old.example"})
    assert again.json()["email"] == "avi@old.example"
    assert len(again.json()["identities"]) == 4
    assert datetime.fromisoformat(again.json()["updated_at"]) > datetime.fromisoformat(
        body["created_at"]
    )


async def test_patch_with_nothing_changes_nothing(client, db, admin):
    customer = await f.create_customer(db, name="Same")
    url = f"/api/v1/customers/{customer.id}"
    before = (await client.get(url, headers=admin.headers)).json()
    resp = await client.patch(url, headers=admin.headers, json={})
    assert resp.status_code == 200, resp.text
    assert {k: v for k, v in resp.json().items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


async def test_partner_creates_customers_in_its_own_organisation(client, db, world: World):
    partner = await create_api_user(db, Role.partner, organization=world.own_org)
    resp = await client.post(
        "/api/v1/customers", headers=partner.headers, json={"name": "Moshe", "phone": "0531112233"}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["organization_id"] == world.own_org.id


async def test_partner_lists_only_customers_of_its_organisation(client, db, world: World):
    await f.create_customer(db, organization=world.other_org)
    await f.create_customer(db)
    partner = await create_api_user(db, Role.partner, organization=world.own_org)
    resp = await client.get("/api/v1/customers", headers=partner.headers)
    assert [c["id"] for c in resp.json()["items"]] == [world.customer.id]
    assert resp.json()["total"] == 1
    own_email = resp.json()["items"][0]["email"]
    other = await create_api_user(db, Role.partner, organization=world.other_org)
    hidden = await client.get(
        "/api/v1/customers", params={"email": own_email}, headers=other.headers
    )
    assert hidden.json()["total"] == 0


async def test_hebrew_name_round_trips(client, admin):
    name = "שרה בת־אברהם (‏RTL‏) 👩‍🔧"
    created = await client.post("/api/v1/customers", headers=admin.headers, json={"name": name})
    assert created.json()["name"] == name
    got = await client.get(f"/api/v1/customers/{created.json()['id']}", headers=admin.headers)
    assert got.json()["name"] == name
    found = await client.get("/api/v1/customers", params={"q": "בת־אברהם"}, headers=admin.headers)
    assert [c["name"] for c in found.json()["items"]] == [name]


async def _reply(client, who, ticket_id: int, body: str, public: bool = True) -> dict:
    resp = await client.post(
        f"/api/v1/tickets/{ticket_id}/replies",
        headers=who.headers,
        json={"body": body, "public": public},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_timeline_is_newest_first_across_tickets_and_channels(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    customer_id = world.customer.id
    sms = await f.create_ticket(db, world.customer, queue=world.queue, channel=Channel.sms)
    # Older first: the world's e-mail ticket's first message, then the SMS ticket's.
    reply = await _reply(client, agent, world.ticket.id, "We will call you")
    note = await _reply(client, agent, sms.id, "Customer sounds upset", public=False)
    by_api = await client.post(
        "/api/v1/tickets",
        headers=agent.headers,
        json={
            "subject": "Chat follow-up",
            "body": "Any news?",
            "channel": "chat",
            "customer_id": customer_id,
        },
    )
    sms_reply = await _reply(client, agent, sms.id, "Technician booked")

    resp = await client.get(f"/api/v1/customers/{customer_id}/timeline", headers=agent.headers)

    assert resp.status_code == 200, resp.text
    items = resp.json()["items"]
    assert resp.json()["total"] == 6
    assert [i["message_id"] for i in items[:4]] == [
        sms_reply["id"],
        by_api.json()["messages"][0]["id"],
        note["id"],
        reply["id"],
    ]
    assert [(i["ticket_id"], i["channel"], i["direction"], i["public"]) for i in items] == [
        (sms.id, "sms", "out", True),
        (by_api.json()["id"], "chat", "in", True),
        (sms.id, "note", "out", False),
        (world.ticket.id, "email", "out", True),
        (sms.id, "sms", "in", True),
        (world.ticket.id, "email", "in", True),
    ]
    stamps = [datetime.fromisoformat(i["created_at"]) for i in items]
    assert stamps == sorted(stamps, reverse=True)
    assert all(s.utcoffset() is not None for s in stamps)
    assert (
        items[0]["ticket_number"]
        == (await client.get(f"/api/v1/tickets/{sms.id}", headers=agent.headers)).json()["number"]
    )


async def test_partner_timeline_has_no_internal_notes_and_counts_only_what_it_shows(
    client, db, world: World
):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    partner = await create_api_user(db, Role.partner, organization=world.own_org)
    await _reply(client, agent, world.ticket.id, "Public answer")
    await _reply(client, agent, world.ticket.id, "note one", public=False)
    await _reply(client, agent, world.ticket.id, "note two", public=False)
    url = f"/api/v1/customers/{world.customer.id}/timeline"

    staff_view = (await client.get(url, headers=agent.headers)).json()
    partner_view = (await client.get(url, headers=partner.headers)).json()
    first_page = (await client.get(url, params={"limit": 1}, headers=partner.headers)).json()

    assert staff_view["total"] == 4
    assert [i["public"] for i in staff_view["items"]] == [False, False, True, True]
    assert partner_view["total"] == 2
    assert [i["text"] for i in partner_view["items"]] == [
        "Public answer",
        "It stops mid-cycle with water inside.",
    ]
    assert [i["text"] for i in first_page["items"]] == ["Public answer"]
    assert first_page["total"] == 2


async def test_timeline_pages_do_not_overlap(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    for n in range(4):
        await _reply(client, agent, world.ticket.id, f"reply {n}")
    url = f"/api/v1/customers/{world.customer.id}/timeline"
    pages = [
        (await client.get(url, params={"limit": 2, "offset": o}, headers=agent.headers)).json()
        for o in (0, 2, 4)
    ]
    texts = [i["text"] for p in pages for i in p["items"]]
    assert texts == [
        "reply 3",
        "reply 2",
        "reply 1",
        "reply 0",
        "It stops mid-cycle with water inside.",
    ]
    assert {p["total"] for p in pages} == {5}


async def test_timeline_of_a_customer_without_tickets_is_empty(client, db, admin):
    customer = await f.create_customer(db, email=f"{unique('quiet')}@mail.example")
    resp = await client.get(f"/api/v1/customers/{customer.id}/timeline", headers=admin.headers)
    assert resp.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


async def test_partner_is_not_told_which_customer_holds_an_identity(client, db):
    from servicedesk.enums import OrganizationKind

    other = await f.create_customer(db, email="taken@mail.example")
    partner_org = await f.create_organization(db, OrganizationKind.partner)
    partner = await f.create_staff(db, Role.partner, organization=partner_org)
    admin = await f.create_staff(db, Role.admin)
    body = {"name": "Someone", "email": "taken@mail.example"}
    as_partner = await client.post("/api/v1/customers", headers=partner.headers, json=body)
    assert as_partner.status_code == 409
    assert str(other.id) not in as_partner.json()["message"]
    as_admin = await client.post("/api/v1/customers", headers=admin.headers, json=body)
    assert as_admin.status_code == 409
    assert f"customer {other.id}" in as_admin.json()["message"]
