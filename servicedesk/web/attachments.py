"""Attachment downloads, inline images and message sources, with the same access
rule as the ticket they belong to."""

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

# Served for <img> in a message only: formats browsers render without running code.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_UNTRUSTED = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    "Cache-Control": "private, no-store",
}


async def _visible_attachment(request: Request, caller: Caller) -> tuple[Attachment, bytes]:
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
        check_message_visible(caller, message, ticket, org_id)
        blob = await session.get(Blob, attachment.sha256)
    if blob is None:
        raise NotFound("the attachment's content is missing")
    return attachment, blob.data


def check_message_visible(
    caller: Caller, message: Message, ticket: Ticket, org_id: int | None
) -> None:
    hidden_note = not message.is_public and caller.user.role == Role.partner
    if hidden_note or not can_see_ticket(caller.actor, ticket, org_id):
        raise Forbidden("this is not yours to see")


@page_route()
async def download(request: Request, caller: Caller) -> Response:
    attachment, data = await _visible_attachment(request, caller)
    # Always a download, never rendered by the browser: the content is untrusted.
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
            **_UNTRUSTED,
        },
    )


@page_route()
async def inline_image(request: Request, caller: Caller) -> Response:
    """An image a message shows inline (`cid:`); anything else only as a download."""
    attachment, data = await _visible_attachment(request, caller)
    if attachment.content_type.lower() not in INLINE_IMAGE_TYPES:
        raise NotFound("only images are shown inline")
    return Response(data, media_type=attachment.content_type.lower(), headers=_UNTRUSTED)


@page_route()
async def message_source(request: Request, caller: Caller) -> Response:
    """The message exactly as it was received (e-mail source), as a download."""
    message_id: int = request.path_params["id"]
    async with db_of(request).read_session() as session:
        row = (
            (
                await session.execute(
                    select(Message, Ticket, col(Customer.organization_id))
                    .join(Ticket, col(Ticket.id) == col(Message.ticket_id))
                    .join(Customer, col(Customer.id) == col(Ticket.customer_id))
                    .where(col(Message.id) == message_id)
                )
            ).first()
            if message_id <= MAX_INT4
            else None
        )
        if row is None:
            raise NotFound("no such message")
        message, ticket, org_id = row
        check_message_visible(caller, message, ticket, org_id)
        sha = message.meta.get("raw_sha256")
        blob = await session.get(Blob, sha) if isinstance(sha, str) else None
    if blob is None:
        raise NotFound("no source was kept for this message")
    return Response(
        blob.data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="message-{message_id}.eml"',
            **_UNTRUSTED,
        },
    )
