"""Hostile content: message HTML is sanitised when written, everything else is escaped."""

from __future__ import annotations

from servicedesk.db import Actor
from servicedesk.enums import Channel, Direction, Role
from servicedesk.tickets import service as tickets
from tests import factories as f

HOSTILE_HTML = (
    '<p>Hello <b>team</b></p><script>alert("pwned")</script>'
    '<img src="https://img.example/x.png" onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a><div style="position:fixed">x</div>'
)


async def test_message_html_is_rendered_sanitised(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    customer = await f.create_customer(db)
    async with db.unit_of_work(Actor.system()) as uow:
        ticket, _ = await tickets.create_ticket(
            uow,
            subject="Hostile mail",
            customer=customer,
            queue_id=queue.id,
            first=tickets.NewMessage(
                channel=Channel.email,
                direction=Direction.inbound,
                body_text="Hello team",
                body_html=HOSTILE_HTML,
            ),
        )
    session = await signed_in(agent)
    for url in (f"/tickets/{ticket.number}", f"/tickets/{ticket.number}/conversation"):
        html = (await session.get(url, htmx=url.endswith("conversation"))).text
        assert "<b>team</b>" in html  # formatting survives
        assert "<script>alert" not in html
        assert "onerror" not in html
        assert "javascript:" not in html
        assert "position:fixed" not in html
        assert '<img src="https://img.example/x.png">' in html


async def test_names_and_subjects_are_escaped_everywhere(signed_in, db):
    queue = await f.create_team(db, "<i>Queue</i>")
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    customer = await f.create_customer(db, name="<b>Bold</b> Customer")
    ticket = await f.create_ticket(
        db, customer, queue=queue, subject='<b>Bold</b> subject "><script>x()</script>'
    )
    session = await signed_in(agent)
    await session.post(
        f"/tickets/{ticket.number}/replies", {"body": "<b>not bold</b> <script>y()</script>"}
    )
    pages = [
        "/tickets",
        f"/tickets/{ticket.number}",
        f"/customers/{customer.id}",
        "/customers?q=Bold",
    ]
    for url in pages:
        html = (await session.get(url)).text
        assert "<b>Bold</b>" not in html, url
        assert "<script>x()" not in html, url
        assert "<i>Queue</i>" not in html, url
    ticket_page = (await session.get(f"/tickets/{ticket.number}")).text
    assert (
        "&lt;b&gt;Bold&lt;/b&gt; subject &#34;&gt;&lt;script&gt;x()&lt;/script&gt;" in ticket_page
    )
    assert "&lt;b&gt;Bold&lt;/b&gt; Customer" in ticket_page
    assert "&lt;i&gt;Queue&lt;/i&gt;" in ticket_page
    # A typed reply is text: its markup shows literally and never runs.
    assert "&lt;b&gt;not bold&lt;/b&gt; &lt;script&gt;y()&lt;/script&gt;" in ticket_page
    assert "<script>y()" not in ticket_page
    search = (await session.get("/customers?q=<b>Bold")).text
    assert 'value="&lt;b&gt;Bold"' in search
