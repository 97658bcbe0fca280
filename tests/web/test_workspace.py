"""The agent's workspace: who may open it, what it shows (presence, the offer with
accept and decline, their work, the queue's waiting work with SLA badges), and
what its buttons do (accept assigns and opens the ticket, decline passes it on,
presence changes, "next ticket" takes the most urgent written ticket)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from servicedesk.db import Actor, utcnow
from servicedesk.enums import Channel, OrganizationKind, Role, Tier
from servicedesk.routing import dispatch
from servicedesk.routing.models import WorkClass
from servicedesk.tickets.models import Ticket
from tests import factories as f
from tests.routing.support import CAPACITY, connect, waiting


async def offer_to(db, queue, agent) -> int:
    """Open the agent's screen and let routing offer them the queue's call."""
    await connect(db, agent, utcnow() - timedelta(seconds=5))
    async with db.unit_of_work(Actor.system()) as uow:
        made = await dispatch.offer_next(uow, queue.id, WorkClass.voice, CAPACITY, utcnow())
    assert made is not None
    assert made.user_id == agent.user.id
    return made.offer_id


async def test_agents_and_supervisors_open_the_workspace_partners_may_not(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    supervisor = await f.create_staff(db, Role.supervisor)
    partner_org = await f.create_organization(db, OrganizationKind.partner)
    partner = await f.create_staff(db, Role.partner, organization=partner_org)
    assert (await (await signed_in(agent)).get("/workspace")).status_code == 200
    assert (await (await signed_in(supervisor)).get("/workspace")).status_code == 200
    assert (await (await signed_in(partner)).get("/workspace")).status_code == 403


async def test_the_workspace_reads_right_to_left_in_hebrew_and_left_to_right_in_english(
    signed_in, db
):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,), language="he")
    session = await signed_in(agent)
    page = await session.get("/workspace")
    assert 'dir="rtl"' in page.text
    assert "הסטטוס שלי" in page.text
    await session.get("/lang/en")
    page = await session.get("/workspace")
    assert 'dir="ltr"' in page.text
    assert "My status" in page.text


async def test_waiting_work_shows_in_routing_order_with_its_sla_badge(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    normal = await waiting(db, queue, channel=Channel.email)
    gold = await waiting(db, queue, channel=Channel.email, tier=Tier.gold)
    due = utcnow() + timedelta(minutes=30)
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text("UPDATE ticket SET sla_due_at = :due WHERE id = :id"),
            {"due": due, "id": normal.id},
        )
    part = await (await signed_in(agent)).get("/workspace/queue", htmx=True)
    assert part.status_code == 200
    assert part.text.index(f"#{gold.number}") < part.text.index(f"#{normal.number}")
    assert f'data-due="{due.isoformat()}"' in part.text  # the countdown badge
    assert '<strong class="waiting-count">2</strong>' in part.text


async def test_an_offer_shows_with_its_countdown_and_accepting_opens_the_ticket(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    call = await waiting(db, queue, channel=Channel.voice)
    offer_id = await offer_to(db, queue, agent)
    session = await signed_in(agent)
    part = await session.get("/workspace/offers", htmx=True)
    assert f'data-offer="{offer_id}"' in part.text
    assert "data-expires=" in part.text
    assert f"#{call.number}" in part.text
    resp = await session.post(f"/offers/{offer_id}/accept")
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/tickets/{call.number}"
    async with db.read_session() as s:
        ticket = await s.get(Ticket, call.id)
        assert ticket is not None
        assert ticket.assignee_id == agent.user.id
    assert (await session.get("/workspace/offers", htmx=True)).text.strip() == ""
    presence = await session.get("/workspace/presence", htmx=True)
    assert 'data-presence="on_call"' in presence.text


async def test_accepting_through_htmx_redirects_with_a_header(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    call = await waiting(db, queue, channel=Channel.voice)
    offer_id = await offer_to(db, queue, agent)
    resp = await (await signed_in(agent)).post(f"/offers/{offer_id}/accept", htmx=True)
    assert resp.status_code == 204
    assert resp.headers["hx-redirect"] == f"/tickets/{call.number}"


async def test_an_offer_of_someone_else_cannot_be_accepted(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    other = await f.create_staff(db, Role.agent, teams=(queue,))
    call = await waiting(db, queue, channel=Channel.voice)
    offer_id = await offer_to(db, queue, agent)
    resp = await (await signed_in(other)).post(f"/offers/{offer_id}/accept")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/workspace?notice=offer_gone"
    async with db.read_session() as s:
        ticket = await s.get(Ticket, call.id)
        assert ticket is not None
        assert ticket.assignee_id is None
    page = await (await signed_in(other)).get("/workspace?notice=offer_gone")
    assert "no longer open" in page.text


async def test_declining_removes_the_offer(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    await waiting(db, queue, channel=Channel.voice)
    offer_id = await offer_to(db, queue, agent)
    session = await signed_in(agent)
    resp = await session.post(f"/offers/{offer_id}/decline", htmx=True)
    assert resp.status_code == 200
    assert "data-offer" not in resp.text
    async with db.read_session() as s:
        state = (
            await s.execute(text("SELECT state FROM routing_offer WHERE id = :i"), {"i": offer_id})
        ).scalar_one()
    assert state == "declined"


async def test_presence_is_changed_by_the_agent_and_unknown_states_are_refused(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    await connect(db, agent, utcnow())
    session = await signed_in(agent)
    resp = await session.post("/workspace/presence", {"status": "away"}, htmx=True)
    assert resp.status_code == 200
    assert 'data-presence="away"' in resp.text
    refused = await session.post("/workspace/presence", {"status": "on_call"}, htmx=True)
    assert refused.status_code == 422
    bogus = await session.post("/workspace/presence", {"status": "asleep"}, htmx=True)
    assert bogus.status_code == 422


async def test_next_ticket_takes_the_most_urgent_written_ticket(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    await waiting(db, queue, channel=Channel.email)
    platinum = await waiting(db, queue, channel=Channel.email, tier=Tier.platinum)
    session = await signed_in(agent)
    resp = await session.post("/workspace/next")
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/tickets/{platinum.number}"
    mine = await session.get("/workspace/mine", htmx=True)
    assert f"#{platinum.number}" in mine.text


async def test_next_ticket_with_nothing_waiting_says_so(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    session = await signed_in(agent)
    resp = await session.post("/workspace/next")
    assert resp.headers["location"] == "/workspace?notice=nothing_waiting"
    page = await session.get(resp.headers["location"])
    assert "Nothing is waiting for you right now." in page.text


async def test_the_ticket_view_loads_the_customers_products_and_whole_timeline(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    customer = await f.create_customer(db, phone="+972501234567")
    product = await f.create_product(db, months=24)
    asset = await f.create_asset(db, product, customer, utcnow().date() - timedelta(days=30))
    by_mail = await f.create_ticket(db, customer, queue=queue, subject="Noisy drum")
    by_phone = await f.create_ticket(
        db, customer, queue=queue, subject="Called about the drum", channel=Channel.voice
    )
    session = await signed_in(agent)
    page = await session.get(f"/tickets/{by_phone.number}")
    assert f'hx-get="/customers/{customer.id}/summary"' in page.text
    summary = await session.get(f"/customers/{customer.id}/summary", htmx=True)
    assert summary.status_code == 200
    assert asset.serial in summary.text
    assert 'class="warranty warranty-active"' in summary.text
    assert f"#{by_mail.number}" in summary.text  # the other channel's conversation too
    assert f"#{by_phone.number}" in summary.text
    assert "Phone call" in summary.text
    assert "E-mail" in summary.text


async def test_a_partner_gets_no_summary_of_a_customer_not_theirs(signed_in, db):
    partner_org = await f.create_organization(db, OrganizationKind.partner)
    partner = await f.create_staff(db, Role.partner, organization=partner_org)
    stranger = await f.create_customer(db)
    resp = await (await signed_in(partner)).get(f"/customers/{stranger.id}/summary", htmx=True)
    assert resp.status_code == 403
