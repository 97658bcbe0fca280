"""Who may open which screen: roles, queues and partner organisations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from servicedesk.customers.models import Customer, Organization
from servicedesk.db import Actor
from servicedesk.enums import OrganizationKind, Role
from servicedesk.staff.models import Team, User
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from tests import factories as f

ADMIN_PAGES = ["/admin/products", "/admin/queues", "/admin/users"]
NOTE = "Internal: customer threatened to cancel the contract"


@dataclass
class World:
    queue: Team
    other_queue: Team
    partner_org: Organization
    org_customer: Customer
    other_customer: Customer
    mine: Ticket  # in `queue`, customer of the partner organisation
    elsewhere: Ticket  # in `other_queue`, a customer of nobody's organisation


@pytest.fixture
async def world(db) -> World:
    queue = await f.create_team(db)
    other_queue = await f.create_team(db)
    partner_org = await f.create_organization(db, OrganizationKind.partner)
    org_customer = await f.create_customer(db, organization=partner_org)
    other_customer = await f.create_customer(db)
    mine = await f.create_ticket(db, org_customer, queue=queue, subject="Partner's ticket")
    elsewhere = await f.create_ticket(db, other_customer, queue=other_queue, subject="Not yours")
    async with db.unit_of_work(Actor.system()) as uow:
        author = await uow.session.get(User, (await f.create_staff(db, Role.admin)).user.id)
        fresh = await uow.session.get(Ticket, mine.id)
        await tickets.add_reply(uow, fresh, author=author, body=NOTE, public=False)
    return World(queue, other_queue, partner_org, org_customer, other_customer, mine, elsewhere)


@pytest.mark.parametrize("role", [Role.supervisor, Role.agent, Role.partner])
@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_admin_screens_are_for_admins_only(signed_in, db, world, role, path):
    org = world.partner_org if role == Role.partner else None
    person = await f.create_staff(db, role, organization=org)
    session = await signed_in(person)
    assert (await session.get(path)).status_code == 403
    assert (await session.post(path, {"name": "x", "sku": "X-1"})).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_admins_open_admin_screens(signed_in, db, path):
    session = await signed_in(await f.create_staff(db, Role.admin))
    assert (await session.get(path)).status_code == 200


async def test_nav_shows_only_what_the_role_may_open(signed_in, db, world):
    admin = await signed_in(await f.create_staff(db, Role.admin))
    agent = await signed_in(await f.create_staff(db, Role.agent, teams=(world.queue,)))
    partner = await signed_in(
        await f.create_staff(db, Role.partner, organization=world.partner_org)
    )
    admin_nav = (await admin.get("/tickets")).text
    agent_nav = (await agent.get("/tickets")).text
    partner_nav = (await partner.get("/tickets")).text
    assert 'href="/admin/users"' in admin_nav
    assert 'href="/customers"' in admin_nav
    assert 'href="/admin/users"' not in agent_nav
    assert 'href="/customers"' in agent_nav
    assert 'href="/admin/users"' not in partner_nav
    assert 'href="/customers"' not in partner_nav


async def test_agent_opens_tickets_of_its_queues_only(signed_in, db, world):
    session = await signed_in(await f.create_staff(db, Role.agent, teams=(world.queue,)))
    assert (await session.get(f"/tickets/{world.mine.number}")).status_code == 200
    for suffix in ("", "/conversation", "/header", "/properties"):
        resp = await session.get(f"/tickets/{world.elsewhere.number}{suffix}", htmx=bool(suffix))
        assert resp.status_code == 403, suffix
    reply = await session.post(
        f"/tickets/{world.elsewhere.number}/replies", {"body": "sneaky", "kind": "public"}
    )
    assert reply.status_code == 403
    listed = await session.get("/tickets?status=any")
    assert "Partner&#39;s ticket" in listed.text
    assert "Not yours" not in listed.text


async def test_agent_opens_a_ticket_assigned_to_it_in_another_queue(signed_in, db, world):
    agent = await f.create_staff(db, Role.agent, teams=(world.queue,))
    async with db.unit_of_work(Actor.system()) as uow:
        ticket = await uow.session.get(Ticket, world.elsewhere.id)
        await tickets.update_ticket(
            uow, ticket, tickets.TicketChanges(assignee_id=agent.user.id, set_assignee=True)
        )
    session = await signed_in(agent)
    assert (await session.get(f"/tickets/{world.elsewhere.number}")).status_code == 200


async def test_supervisor_opens_every_ticket(signed_in, db, world):
    session = await signed_in(await f.create_staff(db, Role.supervisor))
    for ticket in (world.mine, world.elsewhere):
        assert (await session.get(f"/tickets/{ticket.number}")).status_code == 200


async def test_partner_sees_own_organisation_tickets_without_internal_notes(signed_in, db, world):
    partner = await f.create_staff(db, Role.partner, organization=world.partner_org)
    session = await signed_in(partner)
    page = await session.get(f"/tickets/{world.mine.number}")
    assert page.status_code == 200
    assert "stops mid-cycle" in page.text
    assert NOTE not in page.text
    assert 'value="internal"' not in page.text  # no way to write one either
    assert 'id="properties-form"' not in page.text
    part = await session.get(f"/tickets/{world.mine.number}/conversation", htmx=True)
    assert part.status_code == 200
    assert NOTE not in part.text
    assert (await session.get(f"/tickets/{world.elsewhere.number}")).status_code == 403
    listed = await session.get("/tickets?status=any")
    assert "Partner&#39;s ticket" in listed.text
    assert "Not yours" not in listed.text


async def test_partner_replies_publicly_but_cannot_note_or_change_properties(signed_in, db, world):
    partner = await f.create_staff(db, Role.partner, organization=world.partner_org)
    session = await signed_in(partner)
    base = f"/tickets/{world.mine.number}"
    note = await session.post(f"{base}/replies", {"body": "psst", "kind": "internal"})
    assert note.status_code == 403
    props = await session.post(
        f"{base}/properties", {"status": "solved", "priority": "low", "version": "1"}
    )
    assert props.status_code == 403
    assert (await session.get(f"{base}/properties", htmx=True)).status_code == 403
    reply = await session.post(f"{base}/replies", {"body": "Technician booked for Sunday."})
    assert reply.status_code == 303
    page = await session.get(base)
    assert "Technician booked for Sunday." in page.text


async def test_customer_pages_for_staff_and_own_organisation_partners(signed_in, db, world):
    agent = await signed_in(await f.create_staff(db, Role.agent, teams=(world.queue,)))
    partner = await signed_in(
        await f.create_staff(db, Role.partner, organization=world.partner_org)
    )
    assert (await agent.get(f"/customers/{world.other_customer.id}")).status_code == 200
    own = await partner.get(f"/customers/{world.org_customer.id}")
    assert own.status_code == 200
    assert NOTE not in own.text  # the timeline hides internal notes from partners
    assert (await partner.get(f"/customers/{world.other_customer.id}")).status_code == 403
    assert (await partner.get("/customers?q=Customer")).status_code == 403


async def test_agent_sees_the_whole_customer_but_links_only_tickets_it_may_open(
    signed_in, db, world
):
    other_agent = await f.create_staff(db, Role.agent, teams=(world.other_queue,))
    session = await signed_in(other_agent)
    page = await session.get(f"/customers/{world.org_customer.id}")
    assert page.status_code == 200
    assert NOTE in page.text  # staff see the whole history, notes included
    assert f'href="/tickets/{world.mine.number}' not in page.text


async def test_missing_records_are_404(signed_in, db):
    session = await signed_in(await f.create_staff(db, Role.admin))
    assert (await session.get("/tickets/99999999")).status_code == 404
    assert (await session.get("/tickets/99999999999999999999999")).status_code == 404
    assert (await session.get("/customers/999999")).status_code == 404
    assert (await session.get("/customers/99999999999")).status_code == 404
    assert (await session.get("/tickets/abc")).status_code == 404
    assert (await session.get("/tickets?queue=99999999999")).status_code == 200
