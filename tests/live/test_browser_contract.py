"""static/app.js in a real Chromium: the browser contract other screens build on.
Every push becomes a `live-…` event on <body> carrying its payload, the socket is
`window.liveSocket`, and after a reconnect the page resynchronises and asks every
live fragment to re-fetch itself."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from servicedesk.db import Actor
from servicedesk.enums import Role
from servicedesk.events import QueueChanged
from tests import factories as f

pytestmark = pytest.mark.browser

# Records every live-… event and the refresh events on <body> and the ticket parts.
RECORD = """() => {
  window.__heard = [];
  const names = ["live-ticket-created", "live-ticket-updated", "live-queue-changed",
                 "live-resync", "live-agent-presence", "ticket-changed"];
  for (const name of names) {
    document.body.addEventListener(name, (e) => window.__heard.push([name, e.detail]));
  }
  // Captured on the way down: the event does not bubble, and parts are swapped.
  document.addEventListener("this-ticket-changed", (e) =>
    window.__heard.push(["this-ticket-changed", e.target.dataset.ticketId, e.detail]), true);
}"""


async def sign_in(page: Page, base_url: str, email: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}/tickets")


async def heard(page: Page, name: str, **detail: object) -> list:
    """Every `name` event heard, once one whose detail has these fields was heard."""
    await page.wait_for_function(
        """([name, want]) => window.__heard.some((h) => h[0] === name &&
             Object.entries(want).every(([k, v]) => h[1] && h[1][k] === v))""",
        arg=[name, detail],
    )
    return await page.evaluate(
        "(n) => window.__heard.filter((h) => h[0] === n).map((h) => h.slice(1))", name
    )


async def test_pushes_become_live_events_and_a_reconnect_refreshes_everything(live_server, page):
    db = live_server.db
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    customer = await f.create_customer(db)
    ticket = await f.create_ticket(db, customer, queue=queue)

    await sign_in(page, live_server.base_url, agent.user.email)
    await page.goto(f"{live_server.base_url}/tickets/{ticket.number}")
    await expect(page.locator("body")).to_have_attribute("data-live-state", "connected")
    await page.evaluate(RECORD)
    assert await page.evaluate("typeof window.liveSocket.emit") == "function"

    created = await f.create_ticket(db, customer, queue=queue)
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.emit(QueueChanged(queue_id=queue.id))
    pushed = {
        "event": "ticket.created",
        "ticket_id": created.id,
        "version": 1,
        "queue_id": queue.id,
        "assignee_id": None,
    }
    assert [pushed] in await heard(page, "live-ticket-created", ticket_id=created.id)
    changed = {"event": "queue.changed", "queue_id": queue.id}
    assert [changed] in await heard(page, "live-queue-changed", **changed)

    # A lost connection: once back, the state is asked for and every part refreshes.
    await page.evaluate("window.liveSocket.disconnect(); window.liveSocket.connect()")
    # One task answers the resync and dispatches every refresh: all are heard by now.
    [[state]] = await heard(page, "live-resync")
    assert state["user_id"] == agent.user.id
    assert queue.id in {q["queue_id"] for q in state["queues"]}
    refreshed = await heard(page, "this-ticket-changed")
    parts = await page.locator("[data-ticket-id]").count()  # header, conversation, properties
    assert parts >= 2
    assert refreshed.count([str(ticket.id), {"resync": True}]) == parts
    assert [queue.id] == [
        d["queue_id"] for [d] in await heard(page, "live-queue-changed") if d.get("resync")
    ]
