"""Attachment downloads, with the same access rule as the ticket they belong to."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import Response

from servicedesk.access import can_see_ticket
from servicedesk.customers.models import Customer
from servicedesk.enums import Role
from servicedesk.errors import Forbidden, NotFound
from servicedesk.loading import MAX_INT4
from servicedesk.tickets.models import Attachment, Blob, Message, Ticket
from servicedesk.web.auth import Caller, db_of, page_route


@page_route()
async def download(request: Request, caller: Caller) -> Response:
    attachment_id: int = request.path_params["id"]
    async with db_of(request).read_session() as session:
        row = (
            (
                await session.execute(
                    select(Attachment, Message, Ticket, col(Customer.organization_id))
                    .join(Message, col(Message.id) == col(Attachment.message_id))
                    .join(Ticket, col(Ticket.id) == col(Message.ticket_id))
                    .join(Customer, col(Customer.id) == col(Ticket.customer_id))
                    .where(col(Attachment.id) == attachment_id)
                )
            ).first()
            if attachment_id <= MAX_INT4
            else None
        )
        if row is None:
            raise NotFound("no such attachment")
        attachment, message, ticket, org_id = row
        hidden_note = not message.is_public and caller.user.role == Role.partner
        if hidden_note or not can_see_ticket(caller.actor, ticket, org_id):
            raise Forbidden("this attachment is not yours to see")
        blob = await session.get(Blob, attachment.sha256)
    if blob is None:
        raise NotFound("the attachment's content is missing")
    # Always a download, never rendered by the browser: the content is untrusted.
    return Response(
        blob.data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )
