"""A real Chromium against a real server: sign in, work a ticket, and see a new
ticket arrive in the queue through Socket.IO without reloading the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from servicedesk.enums import Role
from tests import factories as f

pytestmark = pytest.mark.browser


async def _sign_in(page: Page, base_url: str, email: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}/tickets")


async def test_agent_works_a_ticket_and_sees_new_work_arrive_live(live_server, page):
    db = live_server.db
    base = live_server.base_url
    queue = await f.create_team(db, "Laundry")
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    customer = await f.create_customer(db, name="Noa Cohen")
    ticket = await f.create_ticket(db, customer, queue=queue, subject="Dryer makes a loud noise")

    await _sign_in(page, base, agent.user.email)
    table = page.locator("#ticket-table")
    await expect(table.get_by_role("link", name="Dryer makes a loud noise")).to_be_visible()

    await table.get_by_role("link", name="Dryer makes a loud noise").click()
    await page.wait_for_url(f"{base}/tickets/{ticket.number}")
    conversation = page.locator("#conversation")
    await expect(conversation.locator(".msg-in")).to_contain_text("stops mid-cycle")

    await page.fill("#reply-body", "Thanks Noa, a technician will call you today.")
    await page.click("#reply-form button[type=submit]")
    await expect(conversation.locator(".msg-out")).to_contain_text("a technician will call you")
    await expect(page.locator("#reply-body")).to_have_value("")
    await expect(page.locator("#ticket-header .status")).to_have_text("Open")

    # An internal note is marked as such and never looks like a reply.
    await page.check("input[name=kind][value=internal]")
    await page.fill("#reply-body", "Customer sounded upset; offer a priority visit.")
    await page.click("#reply-form button[type=submit]")
    await expect(conversation.locator(".msg-note")).to_contain_text("priority visit")

    # The open list, live: a ticket created meanwhile appears without a reload.
    await page.goto(f"{base}/tickets")
    await expect(page.locator("body")).to_have_attribute("data-live-state", "connected")
    await page.evaluate("window.__sameDocument = true")
    await f.create_ticket(db, customer, queue=queue, subject="Washer leaks from the door")
    await expect(table.get_by_role("link", name="Washer leaks from the door")).to_be_visible()
    assert await page.evaluate("window.__sameDocument === true")


async def test_ticket_screen_reads_right_to_left_in_hebrew(live_server, page):
    db = live_server.db
    base = live_server.base_url
    queue = await f.create_team(db, "מכונות כביסה")
    agent = await f.create_staff(db, Role.agent, teams=(queue,), language="he")
    customer = await f.create_customer(db, name="נועה כהן", phone="+972541234567")
    ticket = await f.create_ticket(db, customer, queue=queue, subject="המכונה לא מסחררת")

    await _sign_in(page, base, agent.user.email)
    await page.goto(f"{base}/tickets/{ticket.number}")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("html")).to_have_attribute("lang", "he")
    await page.fill("#reply-body", "שלום נועה, טכנאי יתקשר אלייך היום.")
    await page.click("#reply-form button[type=submit]")
    await expect(page.locator("#conversation .msg-out")).to_contain_text("טכנאי יתקשר")

    # Right to left: the brand sits at the right edge, the reply column left of the side panel.
    brand = await page.locator(".brand").bounding_box()
    main = await page.locator(".ticket-main").bounding_box()
    side = await page.locator(".ticket-side").bounding_box()
    assert brand is not None
    assert main is not None
    assert side is not None
    assert brand["x"] > 640
    assert side["x"] < main["x"]
    await page.screenshot(path="/tmp/ticket-he.png", full_page=True)
