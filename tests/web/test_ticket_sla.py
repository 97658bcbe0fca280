"""The ticket page shows the SLA policy and each clock with its deadline."""

from __future__ import annotations

from datetime import timedelta

from servicedesk.db import Actor
from servicedesk.enums import OrganizationKind, Role
from servicedesk.sla_tracking import service as sla
from servicedesk.sla_tracking.sweeper import Sweeper
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.sla_tracking.test_tracking import POLICIES


async def test_staff_see_the_clocks_with_their_deadlines(signed_in, db, settings):
    registry = subscribe_domain(db.bus, settings)
    async with db.unit_of_work(Actor.system()) as uow:
        await sla.load_policy_set(uow, POLICIES, user_id=None)
    org = await f.create_organization(db, OrganizationKind.partner)
    ticket = await f.create_ticket(db, await f.create_customer(db, organization=org))
    supervisor = await signed_in(await f.create_staff(db, Role.supervisor))
    page = (await supervisor.get(f"/tickets/{ticket.number}")).text
    assert 'SLA: <bdi dir="auto">Everyone else</bdi>' in page
    due = (ticket.created_at + timedelta(hours=1)).isoformat()
    assert f'class="sla-clock sla-running" data-due="{due}"' in page
    assert "First response:" in page

    await Sweeper(db, registry).sweep(now=ticket.created_at + timedelta(hours=2))
    header = (await supervisor.get(f"/tickets/{ticket.number}/header")).text
    assert 'class="sla-clock sla-breached"' in header

    # Partners see the ticket, not the desk's internal targets.
    partner = await signed_in(await f.create_staff(db, Role.partner, organization=org))
    assert "sla-clock" not in (await partner.get(f"/tickets/{ticket.number}")).text
