"""Hostile and broken input in the web chat: every refusal is a clear error (in the
answer and as a `chat.error` event) and stores nothing; floods are limited; HTML
and script are kept as text and shown escaped; the chat page itself is locked down."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from servicedesk.channels.chat.token import ChatTokens
from servicedesk.enums import Role
from servicedesk.tickets.models import Message, Ticket
from tests import factories as f
from tests.channels.chat.conftest import BURST
from tests.channels.chat.support import new_id
from tests.web.conftest import sign_in

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)"> & <b>bold</b>'


async def count_messages(db) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(Message)) or 0)


async def ticket_of(db, answer) -> Ticket:
    async with db.read_session() as session:
        found = await session.scalar(
            select(Ticket).where(col(Ticket.number) == answer["chat"]["ticket"])
        )
    assert found is not None
    return found


def start_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "Dana",
        "email": f"{new_id()[:8]}@chat.example",
        "text": "Hello",
        "id": new_id(),
        "language": "en",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not ...}


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"name": ...}, "name", "required"),
        ({"name": "   \n\t "}, "name", "required"),
        ({"name": "x" * 101}, "name", "too_long"),
        ({"email": ...}, "email", "required"),
        ({"email": "not an address"}, "email", "invalid"),
        ({"email": "dana@"}, "email", "invalid"),
        ({"email": ["dana@example.com"]}, "email", "required"),
        ({"text": ""}, "text", "required"),
        ({"text": "\x00\x01\x02"}, "text", "required"),
        ({"text": "x" * 2001}, "text", "too_long"),
        ({"id": "1; DROP TABLE message"}, "id", "invalid"),
        ({"id": ...}, "id", "invalid"),
    ],
)
async def test_a_bad_start_is_refused_field_by_field_and_stores_nothing(
    desk, clients, changes, field, problem
):
    widget = await clients.widget()
    before = await count_messages(desk.db)
    answer = await widget.call("start", start_form(**changes))
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid"
    assert answer["error"]["fields"][field] == problem
    assert field in answer["error"]["message"]
    event = await widget.pushes.wait("chat.error")
    assert (event["code"], event["event"]) == ("invalid", "start")
    assert await count_messages(desk.db) == before


@pytest.mark.parametrize("data", [None, "start", 42, ["name", "email"]])
async def test_a_start_that_is_not_an_object_is_refused(desk, clients, data):
    widget = await clients.widget()
    answer = await widget.client.call("start", data, namespace="/chat", timeout=15)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "token",
    ["", "not-a-token", "eyJjaGF0IjogMX0.forged.signature", 12345, None, "x" * 5000],
)
async def test_a_bad_token_cannot_resume_anything(desk, clients, token):
    widget = await clients.widget()
    answer = await widget.call("resume", {"token": token})
    assert answer["ok"] is False
    assert answer["error"]["code"] == "bad_token"
    event = await widget.pushes.wait("chat.error")
    assert (event["code"], event["event"]) == ("bad_token", "resume")


async def test_a_token_signed_with_another_key_is_refused(desk, clients):
    widget = await clients.widget()
    forged = ChatTokens("not-the-desks-secret").issue(1)
    assert (await widget.call("resume", {"token": forged}))["error"]["code"] == "bad_token"


async def test_lines_before_a_chat_are_refused(desk, clients):
    widget = await clients.widget()
    for event, data in (("message", {"id": new_id(), "text": "hi"}), ("end", {})):
        answer = await widget.call(event, data)
        assert answer["error"]["code"] == "no_chat"


async def test_an_oversized_or_empty_line_is_refused_and_not_stored(desk, world, clients):
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    before = await count_messages(desk.db)
    too_long = await widget.say("x" * 2001)
    assert too_long["error"]["code"] == "invalid"
    assert too_long["error"]["fields"] == {"text": "too_long"}
    empty = await widget.say("   ")
    assert empty["error"]["fields"] == {"text": "required"}
    no_id = await widget.call("message", {"text": "hello"})
    assert no_id["error"]["fields"] == {"id": "invalid"}
    assert await count_messages(desk.db) == before
    assert answer["ok"]


async def test_a_flood_of_lines_is_limited_and_never_stored(desk, world, clients):
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    ticket = await ticket_of(desk.db, answer)
    answers = [await widget.say(f"line {n}") for n in range(BURST + 5)]
    assert [a["ok"] for a in answers] == [True] * BURST + [False] * 5
    refused = answers[-1]["error"]
    assert refused["code"] == "rate_limited"
    assert int(refused["fields"]["retry_after"]) >= 1
    assert (await widget.pushes.wait("chat.error"))["code"] == "rate_limited"
    async with desk.db.read_session() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Message).where(col(Message.ticket_id) == ticket.id)
        )
    assert stored == 1 + BURST
    # The limit is the chat's, not the connection's: a second window shares it.
    other = await clients.widget()
    await other.call("resume", {"token": answer["token"]})
    assert (await other.say("from the other window"))["error"]["code"] == "rate_limited"


async def test_html_and_script_are_kept_as_text_and_shown_escaped(desk, world, clients):
    widget = await clients.widget()
    answer = await widget.start(name='<img src=x onerror="alert(2)">', queue=world.queue_name)
    said = await widget.say(HOSTILE)
    assert said["message"]["text"] == HOSTILE  # the widget gets it back as text
    async with desk.db.read_session() as session:
        stored = await session.get(Message, said["message"]["id"])
    assert stored is not None
    assert stored.body_text == HOSTILE
    assert "<script>" not in stored.body_html
    assert "&lt;script&gt;" in stored.body_html

    ticket = await ticket_of(desk.db, answer)
    admin = await f.create_staff(desk.db, Role.admin)
    async with httpx.AsyncClient(base_url=desk.base_url) as client:
        await sign_in(client, admin.user.email)
        page = await client.get(f"/tickets/{ticket.number}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert 'onerror="alert' not in page.text
    assert "&lt;script&gt;alert" in page.text


async def test_delivery_acknowledgements_are_checked(desk, world, clients):
    widget = await clients.widget()
    await widget.start(queue=world.queue_name)
    for ids, field_problem in (
        ("1,2,3", "invalid"),
        ([1, "2"], "invalid"),
        ([True], "invalid"),
        ([-4], "invalid"),
        (list(range(1, 200)), "too_long"),
    ):
        answer = await widget.call("delivered", {"ids": ids})
        assert answer["error"]["fields"] == {"ids": field_problem}, ids
    # Somebody else's message ids, or the customer's own lines, change nothing.
    assert (await widget.call("delivered", {"ids": [1, 2, 3]}))["delivered"] == []


async def test_typing_floods_are_dropped_quietly(desk, world, clients):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    ticket = await ticket_of(desk.db, answer)
    await screen.watch(ticket.id)
    for _ in range(50):
        await widget.emit("typing", {"typing": True})
    assert (await widget.say("after the flood"))["ok"]  # the connection still works
    await screen.pushes.wait("typing")  # the first ones were relayed
    assert widget.pushes.seen["chat.error"] == []  # the rest dropped, never answered


# ---- the page -------------------------------------------------------------------------


async def test_the_chat_page_is_public_locked_down_and_sets_no_cookie(desk):
    async with httpx.AsyncClient(base_url=desk.base_url) as client:
        page = await client.get("/chat?lang=he&queue=Sales&embed=1")
    assert page.status_code == 200
    assert '<html lang="he" dir="rtl">' in page.text
    assert "set-cookie" not in page.headers
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors *" in policy
    assert "default-src 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert 'data-queue="Sales"' in page.text
    assert "צ׳אט עם נציג" in page.text


async def test_the_page_escapes_what_it_is_given(desk):
    async with httpx.AsyncClient(base_url=desk.base_url) as client:
        page = await client.get("/chat", params={"queue": '"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in page.text or "&#34;&gt;&lt;script" in page.text


async def test_the_widget_and_its_page_scripts_are_served(desk):
    async with httpx.AsyncClient(base_url=desk.base_url) as client:
        for path in ("/static/chat-widget.js", "/static/chat.js", "/static/chat.css"):
            assert (await client.get(path)).status_code == 200, path
        script = (await client.get("/static/chat.js")).text
    assert "innerHTML" not in script  # untrusted text is only ever set as text
