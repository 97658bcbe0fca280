"""A real Socket.IO client on the staff namespace `/live`, as static/app.js or an
integration speaks to the server, keeping every push in order.

Waiting is always for an event; WAIT only stops a broken test from hanging. To say
that something did *not* arrive, `settle()` first: it asks the server a question on
the same connection, and the answer is queued behind every push the server made
before it (the test's units of work emit after commit, before they return)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import socketio
from sqlalchemy import update

from servicedesk.db import Actor, Database
from servicedesk.staff.models import ApiToken, User
from tests import factories as f
from tests.web.conftest import csrf_of

LIVE = "/live"
WAIT = 10  # seconds before a missing push fails the test (not a timing assertion)
PUSHES = (
    "ticket.created",
    "ticket.updated",
    "ticket.assigned",
    "offer.created",
    "offer.expired",
    "sla.warning",
    "sla.breached",
    "sla.escalated",
    "queue.changed",
    "agent.presence",
    "ticket.viewers",
)

Push = dict[str, Any]


async def session_cookie(base_url: str, email: str, password: str = f.PASSWORD) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        page = await http.get("/login")
        resp = await http.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        )
        assert resp.status_code == 303, resp.text
        return f"sd_session={http.cookies['sd_session']}"


class LiveClient:
    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.heard: list[tuple[str, Push]] = []
        self.refusal: Any = None
        self._changed = asyncio.Event()
        for name in PUSHES:
            self.client.on(name, self._keeper(name), namespace=LIVE)
        self.client.on("connect_error", self._refused, namespace=LIVE)

    def _keeper(self, name: str) -> Callable[[Push], Any]:
        async def keep(payload: Push) -> None:
            self.heard.append((name, payload))
            self._changed.set()

        return keep

    async def _refused(self, data: Any = None) -> None:
        self.refusal = data

    async def connect(
        self,
        base_url: str,
        *,
        cookie: str | None = None,
        token: str | None = None,
        auth: Any = None,
        namespace: str = LIVE,
    ) -> LiveClient:
        await self.client.connect(
            base_url,
            headers={"Cookie": cookie} if cookie else {},
            auth={"token": token} if token is not None else auth,
            namespaces=[namespace],
            transports=["websocket"],
            wait_timeout=WAIT,
        )
        return self

    async def wait(self, name: str, match: Callable[[Push], bool] = lambda p: True) -> Push:
        """The first push of `name` that matches, heard already or when it comes."""
        async with asyncio.timeout(WAIT):
            while True:
                for heard, payload in self.heard:
                    if heard == name and match(payload):
                        return payload
                self._changed.clear()
                await self._changed.wait()

    async def resync(self) -> dict[str, Any]:
        answer = await self.client.call("resync", {}, namespace=LIVE, timeout=WAIT)
        assert isinstance(answer, dict), answer
        return answer

    async def settle(self) -> None:
        """Every push the server made before now has been heard."""
        await self.resync()

    def names(self) -> set[str]:
        return {name for name, _ in self.heard}

    def tickets(self) -> set[int]:
        """The tickets of every ticket and SLA push heard."""
        return {p["ticket_id"] for n, p in self.heard if n.startswith(("ticket.", "sla.")) and p}

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()


async def revoke_tokens(db: Database, user: User) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.session.execute(
            update(ApiToken).where(ApiToken.user_id == user.id).values(revoked_at=datetime.now(UTC))
        )


async def deactivate(db: Database, user: User) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.session.execute(update(User).where(User.id == user.id).values(is_active=False))
