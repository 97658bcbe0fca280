"""Administration: products, queues and users, with the services' errors shown in place."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.audit.models import AuditEvent
from servicedesk.enums import OrganizationKind, Role
from servicedesk.products.models import Product
from servicedesk.staff.models import Team, TeamMember, User
from tests import factories as f


async def _one(db, stmt):
    async with db.read_session() as session:
        return await session.scalar(stmt)


async def test_create_product(signed_in, db):
    admin = await f.create_staff(db, Role.admin)
    session = await signed_in(admin)
    resp = await session.post(
        "/admin/products",
        {
            "sku": "dw-100",
            "name": "Dishwasher 100",
            "category": "Kitchen",
            "price": "2499,90",
            "warranty_months": "36",
        },
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == "/admin/products?created=DW-100"
    product = await _one(db, select(Product).where(Product.sku == "DW-100"))
    assert product is not None
    assert (product.name, product.warranty_months, str(product.price)) == (
        "Dishwasher 100",
        36,
        "2499.90",
    )
    audit = await _one(db, select(AuditEvent).where(AuditEvent.action == "product.created"))
    assert audit.actor_user_id == admin.user.id
    listing = await session.get(resp.headers["location"])
    assert "Product DW-100 created." in listing.text
    assert "Dishwasher 100" in listing.text


async def test_duplicate_product_is_409_with_the_form_kept(signed_in, db):
    await f.create_product(db, sku="DW-200")
    session = await signed_in(await f.create_staff(db, Role.admin))
    resp = await session.post(
        "/admin/products", {"sku": "dw-200", "name": "Another dishwasher", "category": "Kitchen"}
    )
    assert resp.status_code == 409
    assert "product DW-200 exists" in resp.text
    assert 'class="field-error" id="sku-error">Already in use.<' in resp.text
    assert 'value="Another dishwasher"' in resp.text
    assert 'value="Kitchen"' in resp.text


async def test_invalid_product_fields_are_422_each_marked(signed_in, db):
    session = await signed_in(await f.create_staff(db, Role.admin))
    resp = await session.post(
        "/admin/products", {"sku": "", "name": "Kettle", "price": "cheap", "warranty_months": "-1"}
    )
    assert resp.status_code == 422
    assert "Please correct the marked fields." in resp.text
    assert 'id="sku-error">Required.<' in resp.text
    assert 'id="price-error">Not a number.<' in resp.text
    assert 'id="warranty_months-error">Out of range.<' in resp.text
    assert 'value="Kettle"' in resp.text
    assert await _one(db, select(Product).where(Product.name == "Kettle")) is None


async def test_queues_list_member_counts_and_create(signed_in, db):
    washers = await f.create_team(db, "Washers")
    await f.create_staff(db, Role.agent, teams=(washers,))
    await f.create_staff(db, Role.agent, teams=(washers,))
    session = await signed_in(await f.create_staff(db, Role.admin))
    page = await session.get("/admin/queues")
    row = page.text[page.text.index("Washers") :]
    assert "<td>2</td>" in row[: row.index("</tr>")]

    resp = await session.post(
        "/admin/queues",
        {"name": "  VIP   line ", "language": "en", "description": "Platinum", "default": "1"},
    )
    assert resp.status_code == 303
    team = await _one(db, select(Team).where(Team.name == "VIP line"))
    assert team is not None
    assert (team.language, team.description, team.is_default) == ("en", "Platinum", True)
    again = await session.post("/admin/queues", {"name": "VIP line", "language": "he"})
    assert again.status_code == 409
    assert 'id="name-error">Already in use.<' in again.text
    assert 'value="VIP line"' in again.text


async def test_create_agent_with_queues(signed_in, db):
    first = await f.create_team(db, "First line")
    second = await f.create_team(db, "Second line")
    session = await signed_in(await f.create_staff(db, Role.admin))
    resp = await session.client.post(
        "/admin/users",
        data={
            "csrf_token": session.csrf,
            "name": "Rivka Agent",
            "email": "Rivka@Desk.Example",
            "role": "agent",
            "password": "a long enough password",
            "language": "he",
            "team_ids": [str(first.id), str(second.id)],
        },
    )
    assert resp.status_code == 303
    user = await _one(db, select(User).where(User.email == "rivka@desk.example"))
    assert user is not None
    assert user.role == Role.agent
    async with db.read_session() as s:
        teams = set(
            await s.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user.id))
        )
    assert teams == {first.id, second.id}
    listing = (await session.get("/admin/users")).text
    assert "First line, Second line" in listing


async def test_partner_user_needs_a_partner_organisation(signed_in, db):
    queue = await f.create_team(db)
    partner_org = await f.create_organization(db, OrganizationKind.partner, "FixIt Ltd")
    session = await signed_in(await f.create_staff(db, Role.admin))
    base = {"name": "Pat Partner", "email": "pat@fixit.example", "role": "partner"}
    refused = await session.client.post(
        "/admin/users",
        data={
            "csrf_token": session.csrf,
            **base,
            "password": "secret-enough-password",
            "team_ids": [str(queue.id)],
        },
    )
    assert refused.status_code == 422
    assert 'id="organization_id-error">Required: a partner organisation.<' in refused.text
    assert 'id="team_ids-error">Partner users do not work queues.<' in refused.text
    assert 'value="pat@fixit.example"' in refused.text
    assert "secret-enough-password" not in refused.text  # never echoed back
    assert await _one(db, select(User).where(User.email == "pat@fixit.example")) is None

    created = await session.post(
        "/admin/users", {**base, "organization_id": str(partner_org.id), "password": ""}
    )
    assert created.status_code == 303
    user = await _one(db, select(User).where(User.email == "pat@fixit.example"))
    assert user.organization_id == partner_org.id
    assert user.password_hash is None  # an API-only user


async def test_user_errors_from_the_service_are_shown(signed_in, db):
    admin = await f.create_staff(db, Role.admin)
    session = await signed_in(admin)
    short = await session.post(
        "/admin/users",
        {"name": "Short", "email": "short@desk.example", "role": "agent", "password": "short"},
    )
    assert short.status_code == 422
    assert 'id="password-error">at least' in short.text
    taken = await session.post(
        "/admin/users",
        {"name": "Twin", "email": admin.user.email, "role": "agent", "password": ""},
    )
    assert taken.status_code == 409
    assert 'id="email-error">Already in use.<' in taken.text
    bad_mail = await session.post(
        "/admin/users", {"name": "X", "email": "not-an-address", "role": "supervisor"}
    )
    assert bad_mail.status_code == 422
    assert 'id="email-error">' in bad_mail.text
    staff_with_org = await session.post(
        "/admin/users",
        {
            "name": "Y",
            "email": "y@desk.example",
            "role": "agent",
            "organization_id": str((await f.create_organization(db)).id),
        },
    )
    assert staff_with_org.status_code == 422
    assert "Only partner users belong to an organisation." in staff_with_org.text
