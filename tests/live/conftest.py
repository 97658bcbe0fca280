"""`/live` clients against the served app (`live_server`), closed after each test;
and the browser tests' Chromium (`browser`, `page`), shared with tests/web."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests import factories as f
from tests.live.support import LiveClient, session_cookie
from tests.live_server import LiveServer
from tests.web.conftest import browser, page  # noqa: F401  (fixtures, re-exported)


class Clients:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.made: list[LiveClient] = []

    def new(self) -> LiveClient:
        self.made.append(LiveClient())
        return self.made[-1]

    async def browser(self, person: f.Staff) -> LiveClient:
        """A signed-in browser's screen: the session cookie."""
        cookie = await session_cookie(self.base_url, person.user.email)
        return await self.new().connect(self.base_url, cookie=cookie)

    async def integration(self, person: f.Staff) -> LiveClient:
        """An integration holding the person's API token."""
        return await self.new().connect(self.base_url, token=person.token)


@pytest.fixture
async def clients(live_server: LiveServer) -> AsyncIterator[Clients]:
    made = Clients(live_server.base_url)
    yield made
    for client in made.made:
        await client.close()
