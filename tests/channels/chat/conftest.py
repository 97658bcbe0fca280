"""A served desk per test module, on a database of its own, its mail relayed to an
SMTP sink; each test gets its own queue and agent so routing is never shared."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from servicedesk.enums import Role
from servicedesk.settings import Settings
from servicedesk.staff.models import Team
from tests import factories as f
from tests.channels.chat.support import Screen, Widget
from tests.live_server import LiveServer, run_live_server
from tests.smtp_sink import SmtpSink

CAPACITY = 2
BURST = 5


@pytest.fixture(scope="module")
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
def chat_settings(settings: Settings, sink: SmtpSink) -> Settings:
    return replace(
        settings,
        smtp_relay=sink.relay,
        chat_capacity=CAPACITY,
        chat_wait_seconds=3600,  # a test that wants the wait over says so to the sweeper
        chat_rate_burst=BURST,
        chat_rate_per_minute=0.001,  # no refill within a test: exactly BURST lines pass
    )


@pytest.fixture(scope="module")
async def desk(databases, chat_settings: Settings) -> AsyncIterator[LiveServer]:
    async with run_live_server(await databases.create("sd_chat"), chat_settings) as server:
        yield server


@dataclass
class World:
    queue: Team
    agent: f.Staff

    @property
    def queue_name(self) -> str:
        return self.queue.name


@pytest.fixture
async def world(desk: LiveServer) -> World:
    queue = await f.create_team(desk.db)
    agent = await f.create_staff(desk.db, Role.agent, teams=(queue,))
    return World(queue, agent)


class Clients:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.made: list[Widget | Screen] = []

    async def widget(self) -> Widget:
        made = await Widget().connect(self.base_url)
        self.made.append(made)
        return made

    async def screen(self, person: f.Staff) -> Screen:
        made = await Screen().connect(self.base_url, person.user.email)
        self.made.append(made)
        return made


@pytest.fixture
async def clients(desk: LiveServer) -> AsyncIterator[Clients]:
    made = Clients(desk.base_url)
    yield made
    for client in made.made:
        await client.close()
