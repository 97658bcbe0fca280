"""Browser-screen helpers: sign in through the real login form, post forms with
the page's CSRF token, and (for the real-browser test) a live server on its own
database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from servicedesk.staff.models import User
from tests import factories as f

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


@dataclass
class Agent:
    """A signed-in browser session: the httpx client plus the session's CSRF token."""

    client: httpx.AsyncClient
    user: User
    csrf: str

    async def get(self, url: str, *, htmx: bool = False, **kw: object) -> httpx.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        return await self.client.get(url, headers=headers, **kw)  # type: ignore[arg-type]

    async def post(
        self, url: str, data: dict[str, object] | None = None, *, htmx: bool = False
    ) -> httpx.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        form = {"csrf_token": self.csrf, **(data or {})}
        return await self.client.post(url, data=form, headers=headers)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = f.PASSWORD) -> str:
    """Log in through the form; returns the new session's CSRF token."""
    page = await client.get("/login")
    resp = await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert resp.status_code == 303, resp.text
    landing = await client.get("/tickets")
    assert landing.status_code == 200
    return csrf_of(landing.text)


SignIn = Callable[[f.Staff], Awaitable[Agent]]


@pytest.fixture
async def signed_in(app: object) -> AsyncIterator[SignIn]:
    """Each call opens a separate browser session (own cookies) for a user."""
    clients: list[httpx.AsyncClient] = []

    async def open_session(person: f.Staff) -> Agent:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        csrf = await sign_in(client, person.user.email)
        return Agent(client, person.user, csrf)

    yield open_session
    for client in clients:
        await client.aclose()


# ---- Debian's Chromium, driven by Playwright (never a downloaded browser) ---------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    yield page
    await context.close()
