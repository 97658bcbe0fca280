"""SLA warnings and breaches reach the screens that may see the ticket, once each,
after the sweeper's transaction committed."""

from __future__ import annotations

from datetime import timedelta

from servicedesk.db import Actor
from servicedesk.enums import Role
from servicedesk.sla_tracking import service as sla
from servicedesk.sla_tracking.sweeper import Sweeper
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.sla_tracking.test_tracking import POLICIES

SLA = ("sla.warning", "sla.breached", "sla.escalated")


def sla_pushes(screen) -> list[tuple[str, object, object]]:
    return [(n, p["ticket_id"], p["metric"]) for n, p in screen.heard if n in SLA]


async def test_the_queue_and_the_supervisors_hear_the_warning_then_the_breach(
    live_server, settings, clients
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

    screens = {p.user.id: await clients.browser(p) for p in (agent, outsider, supervisor)}
    sweeper = Sweeper(db, registry)
    await sweeper.sweep(now=ticket.created_at + timedelta(minutes=31))
    await sweeper.sweep(now=ticket.created_at + timedelta(minutes=61))
    for screen in screens.values():
        await screen.settle()

    assert sla_pushes(screens[agent.user.id]) == [
        ("sla.warning", ticket.id, "first_response"),
        ("sla.breached", ticket.id, "first_response"),
    ]
    warning = await screens[agent.user.id].wait("sla.warning")
    assert warning == {
        "event": "sla.warning",
        "ticket_id": ticket.id,
        "version": ticket.version,
        "metric": "first_response",
    }
    # Supervisors also hear the ladder's rung that notifies them.
    assert [n for n, _, _ in sla_pushes(screens[supervisor.user.id])] == list(SLA)
    assert sla_pushes(screens[outsider.user.id]) == []
