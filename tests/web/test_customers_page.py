"""The customer screen and customer search."""

from __future__ import annotations

from datetime import timedelta

from servicedesk.db import Actor
from servicedesk.enums import Channel, OrganizationKind, Role, Tier
from servicedesk.settings import local_today
from servicedesk.staff.models import User
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from tests import factories as f


async def test_customer_page_shows_everything_about_the_customer(signed_in, db, settings):
    queue = await f.create_team(db, "Ovens")
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    org = await f.create_organization(db, OrganizationKind.customer, "Cohen Bakery")
    customer = await f.create_customer(
        db,
        name="Yael Cohen",
        email="yael@bakery.example",
        phone="+972541234567",
        tier=Tier.gold,
        organization=org,
    )
    product = await f.create_product(db, sku="OV-77", months=24)
    asset = await f.create_asset(db, product, customer, local_today(settings) - timedelta(days=10))
    by_mail = await f.create_ticket(db, customer, queue=queue, subject="Oven too hot")
    await f.create_ticket(
        db, customer, queue=queue, subject="Called about a door", channel=Channel.voice
    )
    async with db.unit_of_work(Actor.system()) as uow:
        author = await uow.session.get(User, agent.user.id)
        row = await uow.session.get(Ticket, by_mail.id)
        await tickets.add_reply(uow, row, author=author, body="Sending a technician", public=True)

    session = await signed_in(agent)
    page = await session.get(f"/customers/{customer.id}")
    assert page.status_code == 200
    html = page.text
    assert "Yael Cohen" in html
    assert 'class="tier tier-gold">Gold<' in html
    assert "Cohen Bakery" in html
    assert "Hebrew" in html  # preferred language
    assert "yael@bakery.example" in html
    assert "+972 54-123-4567" in html  # formatted for people, stored as E.164
    assert asset.serial in html
    assert "OV-77" in html
    assert asset.warranty_ends_on.strftime("%d/%m/%Y") in html
    assert "warranty-active" in html
    assert "Oven too hot" in html
    assert "Called about a door" in html
    # The timeline crosses channels, newest first.
    timeline = html[html.index('class="timeline"') :]
    assert timeline.index("Sending a technician") < timeline.index(">Phone call<")
    assert ">E-mail<" in timeline


async def test_search_by_name_email_and_phone(signed_in, db):
    agent = await f.create_staff(db, Role.agent)
    noa = await f.create_customer(
        db, name="Noa Levi", email="noa.levi@mail.example", phone="+972521112233"
    )
    await f.create_customer(db, name="Dan Levinson")
    session = await signed_in(agent)

    by_name = (await session.get("/customers", params={"q": "levi"})).text
    assert "Noa Levi" in by_name
    assert "Dan Levinson" in by_name

    for q in ("NOA.LEVI@Mail.Example", "052-111 2233", "+972 52 111 2233", "00972521112233"):
        found = await session.get("/customers", params={"q": q}, htmx=True)
        assert found.status_code == 200
        assert f'href="/customers/{noa.id}"' in found.text, q
        assert "Dan Levinson" not in found.text, q
        assert "<html" not in found.text  # htmx gets the results fragment only

    nobody = (await session.get("/customers", params={"q": "nobody@mail.example"})).text
    assert "No customers found." in nobody


async def test_customer_search_is_for_staff(signed_in, db):
    org = await f.create_organization(db, OrganizationKind.partner)
    partner = await f.create_staff(db, Role.partner, organization=org)
    session = await signed_in(partner)
    assert (await session.get("/customers")).status_code == 403
