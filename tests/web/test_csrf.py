"""Every form that changes something refuses a request without this session's CSRF token."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from servicedesk.audit.models import AuditEvent
from servicedesk.enums import Role
from servicedesk.web.routes import page_routes
from tests import factories as f

FORMS = {
    "/login": {"email": "x@desk.example", "password": "whatever-password"},
    "/logout": {},
    "/tickets/{number:int}/replies": {"body": "Hello", "kind": "public"},
    "/tickets/{number:int}/call": {},
    "/tickets/{number:int}/properties": {"status": "open", "priority": "high", "version": "1"},
    "/admin/products": {"sku": "CSRF-1", "name": "Kettle"},
    "/admin/queues": {"name": "Forged queue"},
    "/admin/queues/{id:int}/routing": {"offer_timeout_seconds": "300", "email_mode": "push"},
    "/admin/routing/skills": {"name": "fr", "kind": "language"},
    "/admin/users": {"name": "Forged", "email": "forged@desk.example", "role": "admin"},
    "/admin/users/{id:int}/routing": {"capacity_chat": "20"},
    "/admin/sla": {"source": "[calendars]"},
    "/workspace/presence": {"status": "away"},
    "/workspace/next": {},
    "/offers/{id:int}/accept": {},
    "/offers/{id:int}/decline": {},
}


def test_every_post_route_is_listed_here():
    posts = {r.path for r in page_routes() if r.methods and "POST" in r.methods}
    assert posts == set(FORMS)


async def _audit_rows(db) -> int:
    async with db.read_session() as session:
        return await session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("path", sorted(FORMS))
@pytest.mark.parametrize("token", ["missing", "wrong"])
async def test_post_without_the_sessions_csrf_token_is_refused(signed_in, db, path, token):
    queue = await f.create_team(db)
    admin = await f.create_staff(db, Role.admin, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(admin)
    url = re.sub(r"\{number:int\}", str(ticket.number), path).replace("{id:int}", "1")
    data = dict(FORMS[path])
    if token == "wrong":
        data["csrf_token"] = session.csrf[::-1]
    before = await _audit_rows(db)

    resp = await session.client.post(url, data=data)

    assert resp.status_code == 403
    assert await _audit_rows(db) == before
    assert (await session.get("/tickets")).status_code == 200  # /logout did not sign us out


async def test_htmx_posts_carry_the_token_in_a_header(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    session = await signed_in(agent)
    page = await session.get(f"/tickets/{ticket.number}")
    assert f'"X-CSRF-Token": "{session.csrf}"' in page.text
    resp = await session.client.post(
        f"/tickets/{ticket.number}/replies",
        data={"body": "Sent with the header", "kind": "public"},
        headers={"HX-Request": "true", "X-CSRF-Token": session.csrf},
    )
    assert resp.status_code == 200
    assert "Sent with the header" in resp.text
