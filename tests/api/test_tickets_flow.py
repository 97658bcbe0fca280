"""A ticket's life through the API: opened, listed, changed, answered, solved, closed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from servicedesk.enums import Channel, Role
from tests import factories as f
from tests.api.conftest import World, create_api_user

TIMESTAMPS = ("created_at", "updated_at", "first_responded_at", "solved_at", "closed_at")


def assert_aware(body: dict) -> None:
    """Every time in a ticket parses as ISO 8601 with a UTC offset."""
    for key in TIMESTAMPS:
        if body[key] is not None:
            assert datetime.fromisoformat(body[key]).utcoffset() == timedelta(0), key
    for message in body.get("messages") or []:
        assert datetime.fromisoformat(message["created_at"]).utcoffset() == timedelta(0)


async def patch(client, who, ticket_id: int, **changes) -> dict:
    resp = await client.patch(f"/api/v1/tickets/{ticket_id}", headers=who.headers, json=changes)
    assert resp.status_code == 200, resp.text
    assert_aware(resp.json())
    return resp.json()


async def reply(client, who, ticket_id: int, body: str, public: bool = True) -> dict:
    resp = await client.post(
        f"/api/v1/tickets/{ticket_id}/replies",
        headers=who.headers,
        json={"body": body, "public": public},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def get(client, who, ticket_id: int) -> dict:
    resp = await client.get(f"/api/v1/tickets/{ticket_id}", headers=who.headers)
    assert resp.status_code == 200, resp.text
    assert_aware(resp.json())
    return resp.json()


async def test_new_ticket_by_phone_creates_the_customer_in_the_default_queue(client, db, admin):
    queue = await f.create_team(db, "Front desk", default=True)
    resp = await client.post(
        "/api/v1/tickets",
        headers=admin.headers,
        json={
            "subject": "  Dryer   smells of   burning ",
            "body": "Smoke from the back",
            "channel": "voice",
            "priority": "urgent",
            "customer_phone": "054-987-6543",
            "customer_name": "Ruth Peretz",
        },
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert_aware(body)
    assert body["subject"] == "Dryer smells of burning"
    assert (body["status"], body["priority"], body["channel"]) == ("new", "urgent", "voice")
    assert body["queue"] == {"id": queue.id, "name": "Front desk"}
    assert body["assignee"] is None
    assert body["asset"] is None
    assert body["version"] == 1
    assert body["first_responded_at"] is None
    assert body["customer"]["name"] == "Ruth Peretz"
    (first,) = body["messages"]
    assert (first["channel"], first["direction"], first["public"]) == ("voice", "in", True)
    assert first["author_customer_id"] == body["customer"]["id"]
    assert first["text"] == "Smoke from the back"
    customer = await client.get(
        f"/api/v1/customers/{body['customer']['id']}", headers=admin.headers
    )
    assert customer.json()["phone"] == "+972549876543"
    again = await client.post(
        "/api/v1/tickets",
        headers=admin.headers,
        json={"subject": "Again", "body": "Still", "customer_phone": "+972549876543"},
    )
    assert again.json()["customer"]["id"] == body["customer"]["id"]
    assert again.json()["number"] > body["number"]


UNICODE = {
    "hebrew": ("המקרר לא מקרר", "שלום,\nהמקרר הפסיק לקרר אתמול בלילה.\n\nתודה, נועה"),
    "mixed direction": (
        "תקלה E21 במכונה WM-8KG ‏(דגם 2024)‏",
        "הקוד \u202bE21\u202c מופיע – ‎“drain pump”‎ לא עובד",
    ),
    "arabic and emoji": ("الغسالة لا تعمل 🧺", "مرحبا 👋🏽 — ‏الرقم ٠٥٤١٢٣٤٥٦٧"),
    "combining and zero-width": ("e\u0301te\u0301 ﬁx", "a\u200db\u200cc\ufeffd \u05d1\u05bc"),
}


@pytest.mark.parametrize(("subject", "text"), UNICODE.values(), ids=list(UNICODE))
async def test_unicode_text_round_trips_exactly(client, db, world: World, subject, text):
    agent = await create_api_user(db, Role.supervisor)
    created = await client.post(
        "/api/v1/tickets",
        headers=agent.headers,
        json={"subject": subject, "body": text, "customer_id": world.customer.id},
    )
    assert created.status_code == 201, created.text
    answer = await reply(client, agent, created.json()["id"], text)
    got = await get(client, agent, created.json()["id"])
    timeline = await client.get(
        f"/api/v1/customers/{world.customer.id}/timeline", headers=agent.headers
    )

    assert created.json()["subject"] == subject
    assert answer["text"] == text
    assert got["subject"] == subject
    assert [m["text"] for m in got["messages"]] == [text, text]
    assert [i["text"] for i in timeline.json()["items"][:2]] == [text, text]
    assert timeline.json()["items"][0]["ticket_subject"] == subject


async def test_ticket_shows_messages_in_order_and_hides_notes_from_partners(
    client, db, world: World
):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    partner = await create_api_user(db, Role.partner, organization=world.own_org)
    await reply(client, agent, world.ticket.id, "Checking with the technician", public=False)
    await reply(client, agent, world.ticket.id, "A technician comes on Sunday")
    await reply(client, partner, world.ticket.id, "Customer confirms Sunday")

    staff_view = await get(client, agent, world.ticket.id)
    partner_view = await get(client, partner, world.ticket.id)

    assert [(m["text"], m["public"]) for m in staff_view["messages"]] == [
        ("It stops mid-cycle with water inside.", True),
        ("Checking with the technician", False),
        ("A technician comes on Sunday", True),
        ("Customer confirms Sunday", True),
    ]
    assert [m["text"] for m in partner_view["messages"]] == [
        "It stops mid-cycle with water inside.",
        "A technician comes on Sunday",
        "Customer confirms Sunday",
    ]
    assert staff_view["messages"][1]["channel"] == "note"
    assert staff_view["messages"][3]["author_user_id"] == partner.user.id


async def test_first_public_reply_answers_the_ticket(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    note = await reply(client, agent, world.ticket.id, "Internal: check stock", public=False)
    after_note = await get(client, agent, world.ticket.id)
    assert note["channel"] == "note"
    assert (after_note["status"], after_note["first_responded_at"]) == ("new", None)

    answer = await reply(client, agent, world.ticket.id, "We are on it")
    answered = await get(client, agent, world.ticket.id)
    assert (answer["channel"], answer["direction"], answer["public"]) == ("email", "out", True)
    assert answered["status"] == "open"
    assert answered["first_responded_at"] == answer["created_at"]
    assert answered["version"] == after_note["version"] + 1

    await reply(client, agent, world.ticket.id, "Second answer")
    later = await get(client, agent, world.ticket.id)
    assert later["first_responded_at"] == answer["created_at"]


async def test_partner_reply_is_not_the_desks_first_response(client, db, world: World):
    partner = await create_api_user(db, Role.partner, organization=world.own_org)
    await reply(client, partner, world.ticket.id, "Forwarding the invoice")
    assert (await get(client, partner, world.ticket.id))["first_responded_at"] is None


@pytest.mark.parametrize(
    ("channel", "reply_channel"),
    # Nobody can be written to on a call: a phone ticket's reply goes by e-mail when the
    # customer has an address (tests/channels/voice covers the text-message case).
    [(Channel.sms, "sms"), (Channel.chat, "chat"), (Channel.voice, "email"), (Channel.api, "web")],
)
async def test_public_reply_goes_out_on_the_tickets_channel(
    client, db, world: World, channel, reply_channel
):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    ticket = await f.create_ticket(db, world.customer, queue=world.queue, channel=channel)
    assert (await reply(client, agent, ticket.id, "Hello"))["channel"] == reply_channel


async def test_assigning_a_new_ticket_opens_it(client, db, world: World):
    supervisor = await create_api_user(db, Role.supervisor)
    agent = await create_api_user(db, Role.agent, teams=(world.other_queue,))
    body = await patch(client, supervisor, world.ticket.id, assignee_id=agent.user.id)
    assert body["status"] == "open"
    assert body["assignee"] == {"id": agent.user.id, "name": agent.user.name}
    assert body["version"] == 2
    # The assignee sees it although it is not in their queue.
    assert (await get(client, agent, world.ticket.id))["id"] == world.ticket.id
    unassigned = await patch(client, supervisor, world.ticket.id, assignee_id=None)
    assert (unassigned["status"], unassigned["assignee"]) == ("open", None)


async def test_status_transitions_stamp_solved_and_closed(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    tid = world.ticket.id

    pending = await patch(client, agent, tid, status="pending")
    assert (pending["solved_at"], pending["closed_at"]) == (None, None)
    solved = await patch(client, agent, tid, status="solved")
    assert solved["solved_at"] is not None
    assert solved["closed_at"] is None
    reopened = await patch(client, agent, tid, status="open")
    assert reopened["solved_at"] is None
    solved_again = await patch(client, agent, tid, status="solved", version=reopened["version"])
    closed = await patch(client, agent, tid, status="closed")

    assert closed["solved_at"] == solved_again["solved_at"]
    assert closed["closed_at"] is not None
    assert datetime.fromisoformat(closed["closed_at"]) >= datetime.fromisoformat(
        closed["solved_at"]
    )
    assert [b["version"] for b in (pending, solved, reopened, solved_again, closed)] == [
        2,
        3,
        4,
        5,
        6,
    ]


async def test_closing_straight_from_open_also_solves(client, db, world: World):
    admin = await create_api_user(db, Role.admin)
    closed = await patch(client, admin, world.ticket.id, status="closed")
    assert closed["solved_at"] == closed["closed_at"]
    assert closed["solved_at"] is not None


async def test_public_reply_reopens_a_solved_ticket(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    await patch(client, agent, world.ticket.id, status="solved")
    await reply(client, agent, world.ticket.id, "One more thing", public=False)
    assert (await get(client, agent, world.ticket.id))["status"] == "solved"
    await reply(client, agent, world.ticket.id, "One more thing")
    body = await get(client, agent, world.ticket.id)
    assert (body["status"], body["solved_at"]) == ("open", None)


async def test_patch_without_a_change_keeps_the_version(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    body = await patch(client, agent, world.ticket.id, priority="normal", status="new")
    assert body["version"] == 1
    assert body["updated_at"] == (await get(client, agent, world.ticket.id))["updated_at"]


async def test_matching_version_is_accepted_and_a_stale_one_is_not(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    first = await patch(client, agent, world.ticket.id, priority="high", version=1)
    stale = await client.patch(
        f"/api/v1/tickets/{world.ticket.id}",
        headers=agent.headers,
        json={"priority": "low", "version": 1},
    )
    assert first["version"] == 2
    assert stale.status_code == 409
    assert stale.json()["fields"] == {"version": "2"}
    assert (await get(client, agent, world.ticket.id))["priority"] == "high"


async def test_moving_a_ticket_to_another_queue_takes_it_from_the_agent(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    moved = await patch(client, agent, world.ticket.id, queue_id=world.other_queue.id)
    assert moved["queue"]["id"] == world.other_queue.id
    gone = await client.get(f"/api/v1/tickets/{world.ticket.id}", headers=agent.headers)
    assert gone.status_code == 403


async def test_assignee_must_be_an_active_agent(client, db, world: World):
    admin = await create_api_user(db, Role.admin)
    partner = await create_api_user(db, Role.partner, organization=world.own_org)
    resp = await client.patch(
        f"/api/v1/tickets/{world.ticket.id}",
        headers=admin.headers,
        json={"assignee_id": partner.user.id},
    )
    assert resp.status_code == 422
    assert resp.json()["fields"] == {"assignee_id": "not an active agent"}


# ---- lists ----------------------------------------------------------------------------


@pytest.fixture
async def desk(db, world: World):
    """Six tickets across two queues, customers, statuses and assignees."""
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    helper = await create_api_user(db, Role.agent, teams=(world.other_queue,))
    supervisor = await create_api_user(db, Role.supervisor)
    second = await f.create_customer(db)
    washers = [world.ticket] + [
        await f.create_ticket(db, world.customer, queue=world.queue) for _ in range(2)
    ]
    fridges = [await f.create_ticket(db, second, queue=world.other_queue) for _ in range(3)]
    return {
        "agent": agent,
        "helper": helper,
        "supervisor": supervisor,
        "second": second,
        "washers": washers,
        "fridges": fridges,
    }


async def ids(client, who, **params) -> tuple[list[int], int]:
    resp = await client.get("/api/v1/tickets", params=params, headers=who.headers)
    assert resp.status_code == 200, resp.text
    for item in resp.json()["items"]:
        assert_aware(item)
        assert item["messages"] is None
    return [t["id"] for t in resp.json()["items"]], resp.json()["total"]


async def test_ticket_list_filters(client, world: World, desk):
    sup = desk["supervisor"]
    washers, fridges = desk["washers"], desk["fridges"]
    await patch(client, sup, washers[0].id, status="pending")
    await patch(client, sup, fridges[0].id, status="solved")
    await patch(client, sup, fridges[1].id, assignee_id=desk["helper"].user.id)

    def same(found: tuple[list[int], int], tickets: list) -> None:
        assert sorted(found[0]) == sorted(t.id for t in tickets)
        assert found[1] == len(tickets)

    same(await ids(client, sup), washers + fridges)
    same(await ids(client, sup, status="pending"), [washers[0]])
    same(await ids(client, sup, status="pending,solved"), [washers[0], fridges[0]])
    same(await ids(client, sup, status="open"), [fridges[1]])
    same(await ids(client, sup, queue=world.queue.id), washers)
    same(await ids(client, sup, customer=desk["second"].id), fridges)
    same(await ids(client, sup, assignee=desk["helper"].user.id), [fridges[1]])
    same(await ids(client, sup, queue=world.other_queue.id, status="new"), [fridges[2]])
    same(await ids(client, sup, customer=987_654), [])


async def test_ticket_list_pages_add_up(client, desk):
    sup = desk["supervisor"]
    everything, total = await ids(client, sup, limit=200)
    pages = [await ids(client, sup, limit=4, offset=o) for o in (0, 4, 8)]
    assert total == 6
    assert [len(p[0]) for p in pages] == [4, 2, 0]
    assert {p[1] for p in pages} == {6}
    assert [i for p in pages for i in p[0]] == everything


async def test_ticket_list_is_most_recently_updated_first(client, desk):
    sup = desk["supervisor"]
    await patch(client, sup, desk["fridges"][0].id, priority="high")
    await patch(client, sup, desk["washers"][1].id, priority="low")
    found, _ = await ids(client, sup)
    assert found[:2] == [desk["washers"][1].id, desk["fridges"][0].id]


async def test_agent_lists_its_queues_and_its_own_tickets(client, world: World, desk):
    await patch(
        client, desk["supervisor"], desk["fridges"][2].id, assignee_id=desk["agent"].user.id
    )
    found, total = await ids(client, desk["agent"])
    assert sorted(found) == sorted(t.id for t in [*desk["washers"], desk["fridges"][2]])
    assert total == 4
    # A filter never widens the scope.
    found, total = await ids(client, desk["agent"], queue=world.other_queue.id)
    assert (found, total) == ([desk["fridges"][2].id], 1)


async def test_partner_lists_only_its_organisations_tickets(client, db, world: World, desk):
    own = await create_api_user(db, Role.partner, organization=world.own_org)
    other = await create_api_user(db, Role.partner, organization=world.other_org)
    found, total = await ids(client, own)
    assert sorted(found) == sorted(t.id for t in desk["washers"])
    assert total == 3
    assert await ids(client, other) == ([], 0)
    assert await ids(client, other, customer=world.customer.id) == ([], 0)


async def test_message_html_is_sanitised_and_text_is_escaped(client, db, world: World):
    supervisor = await create_api_user(db, Role.supervisor)
    resp = await client.post(
        "/api/v1/tickets",
        headers=supervisor.headers,
        json={
            "subject": "<b>Subject</b>",
            "body": "Price <5 & >3\n\nשורה שנייה",
            "body_html": '<p onclick="steal()">Hi<script>alert(1)</script></p>'
            '<a href="javascript:alert(1)">x</a>',
            "customer_id": world.customer.id,
        },
    )
    assert resp.status_code == 201, resp.text
    (message,) = resp.json()["messages"]
    assert resp.json()["subject"] == "<b>Subject</b>"  # JSON carries text; escaping is the UI's
    assert message["text"] == "Price <5 & >3\n\nשורה שנייה"
    assert "script" not in message["html"]
    assert "onclick" not in message["html"]
    assert "javascript:" not in message["html"]
    answer = await reply(client, supervisor, resp.json()["id"], "a <i>b</i>\n\nג")
    assert answer["html"] == '<p dir="auto">a &lt;i&gt;b&lt;/i&gt;</p><p dir="auto">ג</p>'


async def test_partner_opens_a_ticket_for_a_new_customer_of_its_own(client, db, world: World):
    partner = await create_api_user(db, Role.partner, organization=world.own_org)
    resp = await client.post(
        "/api/v1/tickets",
        headers=partner.headers,
        json={"subject": "Install", "body": "Please install", "customer_email": "new@shop.example"},
    )
    assert resp.status_code == 201, resp.text
    customer = await client.get(
        f"/api/v1/customers/{resp.json()['customer']['id']}", headers=partner.headers
    )
    assert customer.json()["organization_id"] == world.own_org.id
    assert (await get(client, partner, resp.json()["id"]))["id"] == resp.json()["id"]
