"""A phone call's message as the call goes on: outcome, duration, recording and
transcript are filled in by Twilio's callbacks after the message was filed. An
answered call is the desk's first response, and the agent who took it owns the
ticket if nobody did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicedesk.audit.service import record
from servicedesk.customers.models import Customer
from servicedesk.db import UnitOfWork, utcnow
from servicedesk.enums import Channel, TicketStatus
from servicedesk.events import TicketUpdated
from servicedesk.html import text_to_html
from servicedesk.sql import DriverSQL
from servicedesk.tickets.models import Message, Ticket

# A written answer to a phone ticket goes where the customer last wrote from on it,
# else by e-mail when we have their address, else by text to the number they called from.
_LAST_WRITTEN = DriverSQL(
    """
    SELECT channel FROM message
    WHERE ticket_id = :ticket_id AND direction = 'in' AND channel IN ('email', 'sms', 'chat')
    ORDER BY created_at DESC, id DESC
    LIMIT 1
    """
)
_HAS_EMAIL = DriverSQL(
    """
    SELECT 1 AS yes FROM customer_identity
    WHERE customer_id = :customer_id AND kind = 'email' AND value NOT LIKE '%.invalid'
    LIMIT 1
    """
)


async def reply_channel_after_call(uow: UnitOfWork, ticket: Ticket) -> Channel:
    """Nobody can be written to on a phone call: the channel a reply goes out on."""
    row = await uow.fetchrow(_LAST_WRITTEN, {"ticket_id": ticket.id})
    if row is not None:
        return Channel(row["channel"])
    if await uow.fetchrow(_HAS_EMAIL, {"customer_id": ticket.customer_id}) is not None:
        return Channel.email
    return Channel.sms


async def update_call(
    uow: UnitOfWork,
    message_id: int,
    *,
    body_text: str,
    meta: dict[str, Any],
    answered_at: datetime | None = None,
    agent_id: int | None = None,
) -> None:
    message = await uow.session.get(Message, message_id, with_for_update=True)
    if message is None:  # deleted with its ticket meanwhile: nothing left to fill in
        return
    ticket = await uow.session.get(Ticket, message.ticket_id, with_for_update=True)
    assert ticket is not None
    assert ticket.id is not None
    message.body_text = body_text.strip()
    message.body_html = text_to_html(message.body_text)
    message.meta = meta
    uow.session.add(message)
    changed: list[str] = ["call"]
    after: dict[str, Any] = {"message_id": message_id, "outcome": meta.get("outcome")}
    if answered_at is not None:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = answered_at
            changed.append("first_responded_at")
        if ticket.status in (TicketStatus.new, TicketStatus.pending, TicketStatus.solved):
            ticket.status = TicketStatus.open
            ticket.solved_at = None
            changed.append("status")
            after["status"] = TicketStatus.open.value
        if ticket.assignee_id is None and agent_id is not None:
            ticket.assignee_id = agent_id
            changed.append("assignee_id")
            after["assignee_id"] = agent_id
    if len(changed) > 1:
        ticket.version += 1
        ticket.updated_at = utcnow()
        uow.session.add(ticket)
    await uow.session.flush()
    record(
        uow,
        "ticket.updated" if "status" in after else "call.updated",
        "ticket",
        ticket.id,
        after=after,
    )
    customer = await uow.session.get(Customer, ticket.customer_id)
    await uow.emit(
        TicketUpdated(
            ticket_id=ticket.id,
            queue_id=ticket.queue_id,
            version=ticket.version,
            changed=tuple(changed),
            organization_id=customer.organization_id if customer else None,
            assignee_id=ticket.assignee_id,
        )
    )
