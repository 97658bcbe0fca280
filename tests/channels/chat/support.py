"""Real Socket.IO clients for the chat tests: a customer's widget on `/chat` and an
agent's screen on the staff namespace `/live`, each collecting what the server pushes.
Waiting is always for an event; the guard only stops a broken test from hanging."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import httpx
import socketio
from procrastinate import App
from sqlalchemy import select
from sqlmodel import col

from servicedesk.db import Database
from servicedesk.jobs import Backoff, create_job_app
from servicedesk.settings import Settings
from servicedesk.tickets.models import Ticket
from tests import factories as f
from tests.smtp_sink import Received, SmtpSink
from tests.web.conftest import csrf_of, sign_in

WAIT = 15  # seconds before a missing answer or push fails the test (not a timing assertion)
CHAT = "/chat"
LIVE = "/live"


def new_id() -> str:
    return str(uuid.uuid4())


class Pushes:
    """Every event of the given names, kept in order and awaitable."""

    def __init__(self) -> None:
        self.seen: dict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Event()

    def handler(self, name: str):
        async def keep(data: Any = None) -> None:
            self.seen[name].append(data)
            self._changed.set()

        return keep

    async def wait(self, name: str, match=lambda data: True) -> Any:
        """The first push of `name` that matches, now or when it comes."""
        async with asyncio.timeout(WAIT):
            while True:
                for data in self.seen[name]:
                    if match(data):
                        return data
                self._changed.clear()
                await self._changed.wait()


class Widget:
    """The customer's chat widget, as static/chat.js speaks to the server."""

    EVENTS = ("chat.message", "chat.state", "chat.typing", "chat.error")

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.pushes = Pushes()
        for name in self.EVENTS:
            self.client.on(name, self.pushes.handler(name), namespace=CHAT)

    async def connect(self, base_url: str) -> Widget:
        await self.client.connect(
            base_url, namespaces=[CHAT], transports=["websocket"], wait_timeout=WAIT
        )
        return self

    async def call(self, event: str, data: Any = None) -> dict[str, Any]:
        answer = await self.client.call(event, data or {}, namespace=CHAT, timeout=WAIT)
        assert isinstance(answer, dict), answer
        return answer

    async def emit(self, event: str, data: Any) -> None:
        await self.client.emit(event, data, namespace=CHAT)

    async def start(
        self,
        *,
        name: str = "Dana Levi",
        email: str | None = None,
        text: str = "My dishwasher shows E24",
        queue: str | None = None,
        language: str = "en",
        client_id: str | None = None,
    ) -> dict[str, Any]:
        return await self.call(
            "start",
            {
                "name": name,
                "email": email or f"{new_id()[:8]}@chat.example",
                "text": text,
                "id": client_id or new_id(),
                "language": language,
                "queue": queue,
            },
        )

    async def say(self, text: str, client_id: str | None = None) -> dict[str, Any]:
        return await self.call("message", {"id": client_id or new_id(), "text": text})

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()


async def session_cookie(base_url: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        page = await http.get("/login")
        resp = await http.post(
            "/login",
            data={"email": email, "password": f.PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert resp.status_code == 303, resp.text
        return f"sd_session={http.cookies['sd_session']}"


class Screen:
    """An agent's open screen: a signed-in Socket.IO connection on the staff namespace,
    hearing what the desk pushes to it (offers among them), and answering offers as
    the workspace's buttons do (a form POST with the session's CSRF token)."""

    EVENTS = (
        "ticket.created",
        "ticket.updated",
        "typing",
        "chat",
        "offer.created",
        "offer.expired",
    )

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.pushes = Pushes()
        self.base_url = ""
        self.email = ""
        for name in self.EVENTS:
            self.client.on(name, self.pushes.handler(name), namespace=LIVE)

    async def offer(self, ticket_id: int) -> dict[str, Any]:
        """The offer of this ticket pushed to this agent, now or when it comes."""
        return await self.pushes.wait("offer.created", lambda o: o["ticket_id"] == ticket_id)

    async def answer(self, offer_id: int, verb: str = "accept") -> httpx.Response:
        """Press the offer's Accept (or Decline) button."""
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            csrf = await sign_in(http, self.email)
            return await http.post(f"/offers/{offer_id}/{verb}", data={"csrf_token": csrf})

    async def connect(self, base_url: str, email: str) -> Screen:
        self.base_url, self.email = base_url, email
        cookie = await session_cookie(base_url, email)
        await self.client.connect(
            base_url,
            headers={"Cookie": cookie},
            namespaces=[LIVE],
            transports=["websocket"],
            wait_timeout=WAIT,
        )
        return self

    async def watch(self, ticket_id: int) -> dict[str, Any]:
        answer = await self.client.call(
            "watch", {"ticket_id": ticket_id}, namespace=LIVE, timeout=WAIT
        )
        assert isinstance(answer, dict)
        return answer

    async def typing(self, ticket_id: int, typing: bool) -> None:
        await self.client.emit("typing", {"ticket_id": ticket_id, "typing": typing}, namespace=LIVE)

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()


async def ticket_id_of(db: Database, answer: dict[str, Any]) -> int:
    """The ticket of a chat, by the number the widget was given."""
    async with db.read_session() as session:
        found = await session.scalar(
            select(Ticket.id).where(col(Ticket.number) == answer["chat"]["ticket"])
        )
    assert found is not None
    return int(found)


async def accepted(db: Database, screen: Screen, widget: Widget, answer: dict[str, Any]) -> None:
    """The screen's agent accepts the chat's offer; the widget hears them join."""
    offer = await screen.offer(await ticket_id_of(db, answer))
    resp = await screen.answer(offer["offer_id"])
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == f"/tickets/{answer['chat']['ticket']}"
    await widget.pushes.wait("chat.state", lambda s: s["state"] == "active")


async def mail_to(sink: SmtpSink, address: str) -> Received:
    """The first mail the sink received for `address`, now or when it comes."""
    async with asyncio.timeout(WAIT):
        while True:
            for mail in sink.received:
                if address in mail.rcpt_tos:
                    return mail
            await sink.wait_for(len(sink.received) + 1, guard_seconds=WAIT)


async def send_mail(db: Database, settings: Settings) -> None:
    """procrastinate's own worker on the real queue, until no job is due."""
    app: App = create_job_app(settings, db, retry=Backoff(attempts=3, first=3600))
    async with app.open_async():
        await app.run_worker_async(wait=False, install_signal_handlers=False, listen_notify=False)
