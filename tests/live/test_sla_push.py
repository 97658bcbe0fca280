"""SLA warnings and breaches reach the screens that may see the ticket, once each,
after the sweeper's transaction committed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import socketio

from servicedesk.db import Actor
from servicedesk.enums import Role
from servicedesk.sla_tracking import service as sla
from servicedesk.sla_tracking.sweeper import Sweeper
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.live.test_socketio import WAIT, _session_cookie
from tests.sla_tracking.test_tracking import POLICIES


class SlaListener:
    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[dict[str, object]] = asyncio.Queue()
        self.client.on("sla", self.events.put_nowait)

    async def connect(self, base_url: str, cookie: str) -> None:
        await self.client.connect(
            base_url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=WAIT
        )

    async def next(self) -> dict[str, object]:
        return await asyncio.wait_for(self.events.get(), WAIT)


async def test_the_queue_and_the_supervisors_hear_the_warning_then_the_breach(
    live_server, settings
):
    db = live_server.db
    registry = subscribe_domain(db.bus, settings)  # the app's own wiring on its bus
    async with db.unit_of_work(Actor.system()) as uow:
        await sla.load_policy_set(uow, POLICIES, user_id=None)
    ours, theirs = await f.create_team(db), await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(ours,))
    outsider = await f.create_staff(db, Role.agent, teams=(theirs,))
    supervisor = await f.create_staff(db, Role.supervisor)
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=ours)

    listeners = {}
    try:
        for person in (agent, outsider, supervisor):
            listeners[person.user.id] = SlaListener()
            cookie = await _session_cookie(live_server.base_url, person.user.email)
            await listeners[person.user.id].connect(live_server.base_url, cookie)
        sweeper = Sweeper(db, registry)
        await sweeper.sweep(now=ticket.created_at + timedelta(minutes=31))
        await sweeper.sweep(now=ticket.created_at + timedelta(minutes=61))
        heard = [await listeners[agent.user.id].next() for _ in range(2)]
        assert [(e["event"], e["ticket_id"], e["metric"]) for e in heard] == [
            ("sla.warning", ticket.id, "first_response"),
            ("sla.breached", ticket.id, "first_response"),
        ]
        # Supervisors also hear the ladder's rung that notifies them.
        supervisor_heard = [await listeners[supervisor.user.id].next() for _ in range(3)]
        assert [e["event"] for e in supervisor_heard] == [
            "sla.warning",
            "sla.breached",
            "sla.escalated",
        ]
        assert listeners[outsider.user.id].events.empty()
    finally:
        for listener in listeners.values():
            if listener.client.connected:
                await listener.client.disconnect()
