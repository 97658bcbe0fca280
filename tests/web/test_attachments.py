"""Attachment downloads follow the ticket's access rule and are never rendered inline."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from servicedesk.db import Actor
from servicedesk.enums import OrganizationKind, Role
from servicedesk.staff.models import User
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Attachment, Blob, Message, Ticket
from tests import factories as f

PAGE = b"<html><script>alert(1)</script></html>"


async def _attach(db, message_id: int, filename: str) -> Attachment:
    digest = hashlib.sha256(PAGE).hexdigest()
    async with db.unit_of_work(Actor.system()) as uow:
        if await uow.session.get(Blob, digest) is None:
            uow.session.add(Blob(sha256=digest, size=len(PAGE), data=PAGE))
            await uow.session.flush()
        row = Attachment(
            message_id=message_id,
            sha256=digest,
            filename=filename,
            content_type="text/html",
            size=len(PAGE),
        )
        uow.session.add(row)
    return row


async def test_attachments_download_for_those_who_may_see_them(signed_in, db):
    queue = await f.create_team(db)
    other_queue = await f.create_team(db)
    org = await f.create_organization(db, OrganizationKind.partner)
    customer = await f.create_customer(db, organization=org)
    ticket = await f.create_ticket(db, customer, queue=queue)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    outsider = await f.create_staff(db, Role.agent, teams=(other_queue,))
    partner = await f.create_staff(db, Role.partner, organization=org)
    async with db.read_session() as s:
        first = await s.scalar(select(Message).where(Message.ticket_id == ticket.id))
    async with db.unit_of_work(Actor.system()) as uow:
        author = await uow.session.get(User, agent.user.id)
        row = await uow.session.get(Ticket, ticket.id)
        note = await tickets.add_reply(uow, row, author=author, body="see file", public=False)
    public_file = await _attach(db, first.id, "invoice ש.html")
    note_file = await _attach(db, note.id, "internal.html")

    staff = await signed_in(agent)
    page = await staff.get(f"/tickets/{ticket.number}")
    assert f'href="/attachments/{public_file.id}"' in page.text
    resp = await staff.get(f"/attachments/{public_file.id}")
    assert resp.status_code == 200
    assert resp.content == PAGE
    assert resp.headers["content-type"] == "application/octet-stream"
    assert resp.headers["content-disposition"].startswith("attachment;")
    assert "invoice%20%D7%A9.html" in resp.headers["content-disposition"]
    assert resp.headers["x-content-type-options"] == "nosniff"

    partner_session = await signed_in(partner)
    assert (await partner_session.get(f"/attachments/{public_file.id}")).status_code == 200
    assert (await partner_session.get(f"/attachments/{note_file.id}")).status_code == 403
    assert (
        await (await signed_in(outsider)).get(f"/attachments/{public_file.id}")
    ).status_code == 403
    assert (await staff.get("/attachments/999999")).status_code == 404
