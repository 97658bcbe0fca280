"""The live desk in a real Chromium, as people use it: an agent signs in to their
workspace, a customer's e-mail arrives over SMTP, the agent gets the offer on
screen without reloading, accepts it, answers; the supervisor's board (in Hebrew,
right to left) follows every step. Screenshots of both screens go to
tests/artifacts/."""

from __future__ import annotations

import re
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import text

from servicedesk.db import Actor
from servicedesk.enums import Role
from tests import factories as f
from tests.live_server import free_port, run_live_server

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


async def _sign_in(page: Page, base_url: str, email: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}/tickets")


async def _mail(port: int, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = "Dana Levi <dana@example.com>"
    message["To"] = "support@desk.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@example.com>"
    message.set_content(body)
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
        await smtp.send_message(message)


async def test_an_emailed_ticket_is_offered_live_accepted_answered_and_the_board_follows(
    browser: Browser, databases, settings
):
    ARTIFACTS.mkdir(exist_ok=True)
    smtp = free_port()
    configured = replace(
        settings,
        smtp_listen=f"127.0.0.1:{smtp}",
        run_worker=True,  # the router makes offers and times them out
        routing_sweep_seconds=0.5,
    )
    async with run_live_server(await databases.create("sd_live_desk"), configured) as server:
        db = server.db
        queue = await f.create_team(db, "Front desk", default=True)
        async with db.unit_of_work(Actor.system()) as uow:
            await uow.execute(
                text("UPDATE team SET email_mode = 'push' WHERE id = :id"), {"id": queue.id}
            )
        agent = await f.create_staff(db, Role.agent, teams=(queue,), language="en")
        supervisor = await f.create_staff(db, Role.supervisor, language="he")

        agent_context = await browser.new_context(viewport={"width": 1280, "height": 900})
        board_context = await browser.new_context(viewport={"width": 1280, "height": 900})
        desk = await agent_context.new_page()
        board = await board_context.new_page()
        try:
            await _sign_in(desk, server.base_url, agent.user.email)
            await desk.goto(f"{server.base_url}/workspace")
            await expect(desk.locator("body")).to_have_attribute("data-live-state", "connected")
            await expect(desk.locator("[data-presence]")).to_have_attribute(
                "data-presence", "available"
            )
            await _sign_in(board, server.base_url, supervisor.user.email)
            await board.goto(f"{server.base_url}/board")
            await expect(board.locator("html")).to_have_attribute("dir", "rtl")
            await expect(board.locator("body")).to_have_attribute("data-live-state", "connected")
            agent_row = board.locator(f'.board-agents tr[data-user-id="{agent.user.id}"]')
            await expect(agent_row.locator(".agent-state")).to_have_class(
                "agent-state agent-state-available"
            )

            await _mail(smtp, "Dishwasher leaks", "Water under the dishwasher since Sunday.")

            offer = desk.locator(".offer")
            await expect(offer).to_be_visible()  # pushed: nobody reloaded
            await expect(offer).to_contain_text("Dishwasher leaks")
            await expect(offer.locator(".offer-countdown")).to_have_text(re.compile(r"^\d+s$"))
            tile = board.locator(f'.board-tile[data-queue-id="{queue.id}"]')
            await expect(tile.locator("dd.num").first).to_have_text("1")  # waiting
            await desk.screenshot(path=str(ARTIFACTS / "desk-offer.png"), full_page=True)
            await board.screenshot(path=str(ARTIFACTS / "board-waiting.png"), full_page=True)

            await desk.keyboard.press("a")  # the accept shortcut
            await desk.wait_for_url(f"{server.base_url}/tickets/*")
            await expect(desk.locator("h1")).to_contain_text("Dishwasher leaks")
            await desk.fill("#reply-body", "We are sending a technician tomorrow morning.")
            await desk.click(".reply-form button[type=submit]")
            await expect(desk.locator(".conversation")).to_contain_text(
                "We are sending a technician tomorrow morning."
            )

            await expect(tile.locator("dd.num").first).to_have_text("0")  # taken
            await expect(agent_row.locator("td.num")).to_have_text("1")  # the agent's load
            await desk.screenshot(path=str(ARTIFACTS / "desk-answered.png"), full_page=True)
            await board.screenshot(path=str(ARTIFACTS / "board-answered.png"), full_page=True)
        finally:
            await agent_context.close()
            await board_context.close()
