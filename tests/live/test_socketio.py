"""Socket.IO against a served app: only signed-in people connect, and each gets
pushes only for the tickets its role lets it see (rooms are server-assigned)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import socketio

from servicedesk.db import Actor
from servicedesk.enums import OrganizationKind, Role
from servicedesk.staff import service as staff
from servicedesk.staff.models import User
from tests import factories as f
from tests.web.conftest import csrf_of

WAIT = 10  # seconds before a missing push fails the test (not a timing assertion)


async def _session_cookie(base_url: str, email: str, password: str = f.PASSWORD) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        page = await http.get("/login")
        resp = await http.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        )
        assert resp.status_code == 303, resp.text
        return f"sd_session={http.cookies['sd_session']}"


class Listener:
    """A real Socket.IO client collecting `ticket` pushes."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[dict[str, object]] = asyncio.Queue()
        self.client.on("ticket", self.events.put_nowait)

    async def connect(self, base_url: str, cookie: str | None) -> None:
        headers = {"Cookie": cookie} if cookie else {}
        await self.client.connect(
            base_url, headers=headers, transports=["websocket"], wait_timeout=WAIT
        )

    async def next(self) -> dict[str, object]:
        return await asyncio.wait_for(self.events.get(), WAIT)

    async def close(self) -> None:
        await self.client.disconnect()


@pytest.fixture
async def listeners():
    made: list[Listener] = []

    def make() -> Listener:
        made.append(Listener())
        return made[-1]

    yield make
    for listener in made:
        if listener.client.connected:
            await listener.close()


async def test_connection_without_a_session_is_refused(live_server, listeners):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await listeners().connect(live_server.base_url, None)


async def test_forged_session_cookie_is_refused(live_server, listeners):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await listeners().connect(live_server.base_url, "sd_session=eyJ1aWQiOiAxfQ==.forged.sig")


async def test_each_role_hears_only_the_tickets_it_may_see(live_server, listeners):
    db = live_server.db
    ours, theirs = await f.create_team(db), await f.create_team(db)
    lab = await f.create_organization(db, OrganizationKind.partner)
    agent = await f.create_staff(db, Role.agent, teams=(ours,))
    supervisor = await f.create_staff(db, Role.supervisor)
    partner = await f.create_staff(db, Role.partner, organization=lab)
    lab_customer = await f.create_customer(db, organization=lab)
    walk_in = await f.create_customer(db)

    heard = {}
    for person in (agent, supervisor, partner):
        heard[person.user.role] = listeners()
        cookie = await _session_cookie(live_server.base_url, person.user.email)
        await heard[person.user.role].connect(live_server.base_url, cookie)

    # Created in this order, so a push that should not arrive would be heard first.
    elsewhere = await f.create_ticket(db, walk_in, queue=theirs)
    for_lab = await f.create_ticket(db, lab_customer, queue=theirs)
    in_our_queue = await f.create_ticket(db, walk_in, queue=ours)

    assert await heard[Role.agent].next() == {
        "event": "ticket.created",
        "ticket_id": in_our_queue.id,
        "version": 1,
    }
    assert (await heard[Role.partner].next())["ticket_id"] == for_lab.id
    # A new ticket also announces its first message: two pushes per ticket.
    supervisor_heard = [await heard[Role.supervisor].next() for _ in range(6)]
    created = [e["ticket_id"] for e in supervisor_heard if e["event"] == "ticket.created"]
    assert created == [elsewhere.id, for_lab.id, in_our_queue.id]


async def test_a_changed_password_ends_live_connections_from_old_sessions(live_server, listeners):
    db = live_server.db
    agent = await f.create_staff(db, Role.agent)
    cookie = await _session_cookie(live_server.base_url, agent.user.email)
    async with db.unit_of_work(Actor.system()) as uow:
        user = await uow.session.get(User, agent.user.id)
        assert user is not None
        await staff.set_password(uow, user, "a brand new password")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await listeners().connect(live_server.base_url, cookie)
