"""The web chat in a real Chromium: a shop's page embeds the widget with one script
tag; the customer chats from its frame, an agent accepts the chat's offer and
answers from the ticket screen, typing shows both ways, HTML stays text, and a
reload resumes the conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Frame, Page, expect
from sqlalchemy import select
from sqlmodel import col
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from servicedesk.channels.chat.models import Chat
from servicedesk.enums import Role
from servicedesk.staff.models import Team
from servicedesk.tickets.models import Ticket
from tests import factories as f
from tests.live_server import serve

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
HOSTILE = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2</script>'


def shop_page(desk: str, queue: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Dishwashers on sale</h1>
<script src="{desk}/static/chat-widget.js" data-lang="en" data-queue="{queue}" async></script>
</body></html>"""


async def _sign_in(page: Page, base_url: str, email: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}/tickets")


async def _chat_frame(page: Page, desk: str) -> Frame:
    element = page.locator("iframe[data-servicedesk-chat=frame]")
    await expect(element).to_be_visible()
    frame = await (await element.element_handle()).content_frame()
    assert frame is not None
    await frame.wait_for_url(f"{desk}/chat**")
    await frame.wait_for_load_state()
    return frame


async def _ticket_of_chat(db, queue: Team) -> Ticket:
    async with db.read_session() as session:
        found = await session.scalar(
            select(Ticket)
            .join(Chat, col(Chat.ticket_id) == col(Ticket.id))
            .where(col(Ticket.queue_id) == queue.id)
        )
    assert found is not None
    return found


@pytest.fixture
async def shop(live_server) -> AsyncIterator[tuple[str, Team]]:
    """Another site: its own server, one page that embeds the desk's chat widget."""
    queue = await f.create_team(live_server.db, "Dishwashers (chat)")
    page = shop_page(live_server.base_url, queue.name)

    async def home(request: Request) -> Response:
        return HTMLResponse(page)

    async with serve(Starlette(routes=[Route("/", home)])) as base_url:
        yield base_url.replace("127.0.0.1", "localhost") + "/", queue


async def test_a_customer_chats_through_the_widget_with_an_agent(
    live_server, page, browser: Browser, shop
):
    desk, db = live_server.base_url, live_server.db
    shop_url, queue = shop
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    agent_first = agent.user.name.split()[0]

    # The agent has their screen open: they are available to be offered chats.
    await _sign_in(page, desk, agent.user.email)
    await expect(page.locator("body")).to_have_attribute("data-live-state", "connected")

    # A shop on another site (localhost, not the desk's 127.0.0.1) embeds the widget
    # with one script tag.
    context = await browser.new_context(locale="en-US", viewport={"width": 1100, "height": 800})
    customer = await context.new_page()
    try:
        await customer.goto(shop_url)
        await customer.get_by_role("button", name="Chat with us").click()
        frame = await _chat_frame(customer, desk)
        await frame.fill("#chat-name", "Dana Levi")
        await frame.fill("#chat-email", "dana.widget@example.com")
        await frame.fill("#chat-first", "My dishwasher shows E24")
        await frame.click("#chat-start button[type=submit]")

        # The agent is offered the chat in the tray on their page, and accepts it: the
        # ticket opens for them, and the customer is told who they are chatting with.
        accept = page.locator("#offer-tray .offer .offer-accept")
        await expect(accept).to_be_visible()
        await accept.click()
        await page.wait_for_url(f"{desk}/tickets/*")
        await expect(frame.locator("#chat-status")).to_have_text(
            f"You are chatting with {agent_first}."
        )
        lines = frame.locator("#chat-lines .line")
        await expect(lines.first).to_contain_text("My dishwasher shows E24")

        # HTML and script from the customer are text, in the widget and on the agent's screen.
        await frame.fill("#chat-text", HOSTILE)
        await frame.press("#chat-text", "Enter")
        mine = frame.locator("#chat-lines .line-customer").last
        await expect(mine.locator(".text")).to_have_text(HOSTILE)
        await expect(mine.locator(".meta")).to_contain_text("sent")
        assert await frame.locator("#chat-lines img").count() == 0

        ticket = await _ticket_of_chat(db, queue)
        assert page.url == f"{desk}/tickets/{ticket.number}"
        assert ticket.assignee_id == agent.user.id
        await expect(page.locator("body")).to_have_attribute("data-live-state", "connected")
        conversation = page.locator("#conversation")
        await expect(conversation.locator(".chat-banner")).to_contain_text("Live chat with")
        await expect(conversation.locator(".msg-in").last).to_contain_text(HOSTILE)
        assert await conversation.locator("img[src=x]").count() == 0

        # Typing, both ways.
        await frame.type("#chat-text", "One more")
        await expect(page.locator(".typing-indicator")).to_be_visible()
        await page.type("#reply-body", "Please clean the filter at the bottom.")
        await expect(frame.locator("#chat-typing")).to_have_text(f"{agent_first} is typing…")

        # The agent's reply appears in the widget, and comes back as delivered.
        await page.click("#reply-form button[type=submit]")
        theirs = frame.locator("#chat-lines .line-agent").last
        await expect(theirs.locator(".text")).to_have_text("Please clean the filter at the bottom.")
        await expect(theirs.locator(".who")).to_have_text(agent_first)
        await expect(conversation.locator(".msg-out .msg-delivery").last).to_have_text("Delivered")

        ARTIFACTS.mkdir(exist_ok=True)
        await customer.screenshot(path=str(ARTIFACTS / "chat-widget-customer.png"))
        await page.screenshot(path=str(ARTIFACTS / "chat-widget-agent.png"), full_page=True)

        # A reload of the shop's page reopens the chat where it was.
        await customer.reload()
        frame = await _chat_frame(customer, desk)
        await expect(frame.locator("#chat-lines .line-agent").last).to_contain_text(
            "Please clean the filter"
        )
        await expect(frame.locator("#chat-lines .line")).to_have_count(3)
        assert await customer.evaluate("window.__xss") is None
        assert await frame.evaluate("window.__xss") is None

        # In Hebrew, right to left, the same conversation.
        await frame.click(".chat-lang")
        await frame.wait_for_url("**/chat?lang=he**")
        await expect(frame.locator("html")).to_have_attribute("dir", "rtl")
        await expect(frame.locator("#chat-lines .line")).to_have_count(3)
        await expect(frame.locator("#chat-status")).to_have_text(f"את/ה בשיחה עם {agent_first}.")
        await customer.screenshot(path=str(ARTIFACTS / "chat-widget-customer-he.png"))
    finally:
        await context.close()
