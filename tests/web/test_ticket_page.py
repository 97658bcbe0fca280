"""The ticket screen: what it shows, and the reply and properties forms."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from servicedesk.audit.models import AuditEvent
from servicedesk.db import Actor
from servicedesk.enums import Channel, Direction, Priority, Role, TicketStatus, Tier
from servicedesk.products import service as products
from servicedesk.settings import local_today
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Message, Ticket
from tests import factories as f


async def _audit(db, ticket_id: int, action: str) -> list[AuditEvent]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id == ticket_id, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return list(rows)


async def _ticket(db, ticket_id: int) -> Ticket:
    async with db.read_session() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


async def test_header_shows_the_ticket_customer_and_unit(signed_in, db, settings):
    queue = await f.create_team(db, "Dishwashers")
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    customer = await f.create_customer(db, name="Avi Mizrahi", tier=Tier.platinum)
    product = await f.create_product(db, months=12)
    asset = await f.create_asset(db, product, customer, local_today(settings) - timedelta(days=30))
    async with db.unit_of_work(Actor.system()) as uow:
        ticket, _ = await tickets.create_ticket(
            uow,
            subject="Door will not latch",
            customer=customer,
            asset=asset,
            queue_id=queue.id,
            priority=Priority.high,
            first=tickets.NewMessage(
                channel=Channel.sms, direction=Direction.inbound, body_text="Help"
            ),
        )
    session = await signed_in(agent)
    page = await session.get(f"/tickets/{ticket.number}")
    assert page.status_code == 200
    html = page.text
    assert f"#{ticket.number}" in html
    assert "Door will not latch" in html
    assert 'class="status status-new">New<' in html
    assert "Priority: High" in html
    assert ">SMS<" in html
    assert "Dishwashers" in html
    assert "Unassigned" in html
    assert f'href="/customers/{customer.id}"' in html
    assert 'class="tier tier-platinum">Platinum<' in html
    assert asset.serial in html
    until = asset.warranty_ends_on.strftime("%d/%m/%Y")
    assert f'class="warranty warranty-active">In warranty until {until}<' in html
    for part in ("ticket-header", "conversation", "ticket-properties"):
        assert re.search(rf'id="{part}"[^>]*data-ticket-id="{ticket.id}"', html), part


async def test_warranty_states_extended_and_expired(signed_in, db, settings):
    agent = await f.create_staff(db, Role.admin)
    customer = await f.create_customer(db)
    product = await f.create_product(db, sku="WM-9", months=12)
    today = local_today(settings)
    async with db.unit_of_work(Actor.system()) as uow:
        extended = await products.create_asset(
            uow,
            serial="EXT-1",
            product_sku="WM-9",
            customer_id=customer.id,
            purchased_on=today - timedelta(days=500),
            extended_until=today + timedelta(days=100),
        )
    expired = await f.create_asset(db, product, customer, today - timedelta(days=800))
    session = await signed_in(agent)
    for asset, expected in (
        (extended, f"Extended warranty until {extended.extended_until:%d/%m/%Y}"),
        (expired, f"Warranty ended {expired.warranty_ends_on:%d/%m/%Y}"),
    ):
        async with db.unit_of_work(Actor.system()) as uow:
            ticket, _ = await tickets.create_ticket(
                uow,
                subject="Noise",
                customer=customer,
                asset=asset,
                first=tickets.NewMessage(
                    channel=Channel.web, direction=Direction.inbound, body_text="x"
                ),
            )
        html = (await session.get(f"/tickets/{ticket.number}")).text
        assert expected in html
    page = await session.get(f"/customers/{customer.id}")
    assert "warranty-extended" in page.text
    assert "warranty-expired" in page.text


async def test_conversation_runs_oldest_first_and_marks_each_kind(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(agent)
    base = f"/tickets/{ticket.number}"
    await session.post(f"{base}/replies", {"body": "First reply", "kind": "public"})
    await session.post(f"{base}/replies", {"body": "Note to self", "kind": "internal"})
    html = (await session.get(f"{base}/conversation", htmx=True)).text
    kinds = re.findall(r'class="msg msg-(in|out|note)"', html)
    assert kinds == ["in", "out", "note"]
    assert html.index("stops mid-cycle") < html.index("First reply") < html.index("Note to self")


async def test_public_reply_is_stored_sent_and_audited(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(agent)
    resp = await session.post(
        f"/tickets/{ticket.number}/replies",
        {"body": "We are sending a technician.", "kind": "public", "then_status": "pending"},
        htmx=True,
    )
    assert resp.status_code == 200
    # A fresh form, the new conversation and the changed header, swapped out of band.
    assert 'id="reply-form"' in resp.text
    assert "We are sending a technician." in resp.text
    assert 'id="conversation"' in resp.text
    assert 'hx-swap-oob="true"' in resp.text
    assert 'class="status status-pending">Pending<' in resp.text
    async with db.read_session() as s:
        message = await s.scalar(
            select(Message).where(
                Message.ticket_id == ticket.id, Message.author_user_id.is_not(None)
            )
        )
    assert message is not None
    assert message.is_public
    assert message.channel == Channel.email  # goes out the way the customer wrote
    saved = await _ticket(db, ticket.id)
    assert saved.status == TicketStatus.pending
    assert saved.first_responded_at is not None
    (audit,) = await _audit(db, ticket.id, "message.created")
    assert audit.actor_user_id == agent.user.id
    assert audit.actor_kind == "user"
    # The reply opened the new ticket: the status it set is audited with it.
    assert audit.after == {
        "message_id": message.id,
        "public": True,
        "channel": "email",
        "status": "open",
    }
    assert audit.request_id
    (status_change,) = await _audit(db, ticket.id, "ticket.updated")
    assert status_change.after == {"status": "pending"}


async def test_internal_note_is_not_public(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(agent)
    resp = await session.post(
        f"/tickets/{ticket.number}/replies", {"body": "Check the pump", "kind": "internal"}
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/tickets/{ticket.number}"
    async with db.read_session() as s:
        note = await s.scalar(select(Message).where(Message.body_text == "Check the pump"))
    assert note is not None
    assert not note.is_public
    assert note.channel == Channel.note
    (audit,) = await _audit(db, ticket.id, "message.created")
    assert audit.after["public"] is False
    assert (await _ticket(db, ticket.id)).status == TicketStatus.new  # notes do not open it


async def test_empty_reply_comes_back_with_the_error_and_the_choices_kept(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(agent)
    resp = await session.post(
        f"/tickets/{ticket.number}/replies",
        {"body": "   ", "kind": "internal", "then_status": "solved"},
        htmx=True,
    )
    assert resp.status_code == 422
    assert resp.headers["HX-Retarget"] == "#reply-form"
    assert resp.headers["HX-Reswap"] == "outerHTML"
    assert "The reply is empty." in resp.text
    assert 'value="internal" checked' in resp.text
    assert 'value="solved" selected' in resp.text
    assert await _audit(db, ticket.id, "message.created") == []
    page = await session.post(f"/tickets/{ticket.number}/replies", {"body": "", "kind": "public"})
    assert page.status_code == 422
    assert "<html" in page.text  # without htmx, the whole screen with the error


async def test_closed_ticket_offers_no_reply_form(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket.id)
        await tickets.update_ticket(uow, row, tickets.TicketChanges(status=TicketStatus.closed))
    session = await signed_in(agent)
    page = await session.get(f"/tickets/{ticket.number}")
    assert "This ticket is closed" in page.text
    assert 'name="body"' not in page.text
    late = await session.post(f"/tickets/{ticket.number}/replies", {"body": "Too late"})
    assert late.status_code == 422


async def test_properties_form_changes_the_ticket_and_audits_it(signed_in, db):
    queue = await f.create_team(db)
    second = await f.create_team(db)
    supervisor = await f.create_staff(db, Role.supervisor)
    colleague = await f.create_staff(db, Role.agent, teams=(second,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(supervisor)
    resp = await session.post(
        f"/tickets/{ticket.number}/properties",
        {
            "status": "on_hold",
            "priority": "urgent",
            "queue_id": str(second.id),
            "assignee_id": str(colleague.user.id),
            "version": str(ticket.version),
        },
        htmx=True,
    )
    assert resp.status_code == 200
    assert "Saved." in resp.text
    assert f'name="version" value="{ticket.version + 1}"' in resp.text
    assert 'id="ticket-header"' in resp.text  # the header follows, out of band
    saved = await _ticket(db, ticket.id)
    assert (saved.status, saved.priority) == (TicketStatus.on_hold, Priority.urgent)
    assert (saved.queue_id, saved.assignee_id) == (second.id, colleague.user.id)
    (audit,) = await _audit(db, ticket.id, "ticket.updated")
    assert audit.actor_user_id == supervisor.user.id
    assert audit.before == {
        "status": "new",
        "priority": "normal",
        "queue_id": queue.id,
        "assignee_id": None,
    }
    assert audit.after == {
        "status": "on_hold",
        "priority": "urgent",
        "queue_id": second.id,
        "assignee_id": colleague.user.id,
    }


async def test_assign_to_me(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(agent)
    resp = await session.post(
        f"/tickets/{ticket.number}/properties",
        {
            "status": "new",
            "priority": "normal",
            "queue_id": str(queue.id),
            "assignee_id": "",
            "take": "1",
            "version": "1",
        },
    )
    assert resp.status_code == 303
    saved = await _ticket(db, ticket.id)
    assert saved.assignee_id == agent.user.id
    assert saved.status == TicketStatus.open  # taking new work opens it


async def test_stale_properties_form_is_refused_and_shows_the_ticket_as_it_is(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket.id)
        await tickets.update_ticket(uow, row, tickets.TicketChanges(priority=Priority.urgent))
    session = await signed_in(agent)
    resp = await session.post(
        f"/tickets/{ticket.number}/properties",
        {"status": "solved", "priority": "low", "queue_id": str(queue.id), "version": "1"},
        htmx=True,
    )
    assert resp.status_code == 409
    assert resp.headers["HX-Retarget"] == "#ticket-properties"
    assert "Someone changed this ticket meanwhile" in resp.text
    assert 'value="urgent" selected' in resp.text
    assert 'name="version" value="2"' in resp.text
    assert (await _ticket(db, ticket.id)).status == TicketStatus.new


async def test_invalid_property_values_are_refused_with_field_errors(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(agent)
    resp = await session.post(
        f"/tickets/{ticket.number}/properties",
        {"status": "exploded", "priority": "normal", "queue_id": "999999", "version": "1"},
        htmx=True,
    )
    assert resp.status_code == 422
    assert "Not one of the choices." in resp.text
    missing_queue = await session.post(
        f"/tickets/{ticket.number}/properties",
        {"status": "open", "priority": "normal", "queue_id": "999999", "version": "1"},
        htmx=True,
    )
    assert missing_queue.status_code == 422
    assert "No such queue." in missing_queue.text
    assert await _audit(db, ticket.id, "ticket.updated") == []


async def test_agent_moving_a_ticket_out_of_its_queues_is_sent_back_to_the_list(signed_in, db):
    queue = await f.create_team(db)
    other = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(agent)
    resp = await session.post(
        f"/tickets/{ticket.number}/properties",
        {"status": "new", "priority": "normal", "queue_id": str(other.id), "version": "1"},
        htmx=True,
    )
    assert resp.status_code == 204
    assert resp.headers["HX-Redirect"] == "/tickets"
    assert (await _ticket(db, ticket.id)).queue_id == other.id
