"""Delivery status notifications: they belong to the ticket whose mail bounced,
flag the address, and never open a ticket of their own."""

from __future__ import annotations

import logging
from typing import Any

from servicedesk.channels.message import InboundMessage
from servicedesk.db import UnitOfWork, utcnow
from servicedesk.enums import DeliveryState, Direction
from servicedesk.intake import threading
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.attachments import store_blob
from servicedesk.tickets.models import Ticket

log = logging.getLogger(__name__)

_ORIGINAL = DriverSQL(
    """
    SELECT id, ticket_id FROM message
    WHERE channel = :channel AND provider_id = :provider_id AND direction = 'out'
    """
)
_MARK_BOUNCED = DriverSQL(
    """
    UPDATE message SET delivery_state = :state, delivery_error = :error,
                       delivery_updated_at = :now
    WHERE id = :id
    """
)
_FLAG_ADDRESSES = DriverSQL(
    """
    UPDATE customer_identity SET bounced_at = :now, bounce_reason = :reason
    WHERE kind = 'email' AND value = ANY(CAST(:addresses AS varchar[]))
    """
)


async def file_bounce(uow: UnitOfWork, message: InboundMessage) -> tuple[int, int, int] | None:
    """(ticket id, ticket number, message id) of the note filed, or None when the
    bounce is about mail we cannot find (logged, addresses still flagged)."""
    bounce = message.bounce
    assert bounce is not None
    now = utcnow()
    reason = (bounce.diagnostic or "delivery failed")[:1000]
    if bounce.permanent and bounce.recipients:
        await uow.fetchrow(
            _FLAG_ADDRESSES, {"now": now, "reason": reason, "addresses": list(bounce.recipients)}
        )
    original = None
    if bounce.original_message_id:
        original = await uow.fetchrow(
            _ORIGINAL,
            {"channel": message.channel.value, "provider_id": bounce.original_message_id},
        )
    ticket_id = original["ticket_id"] if original is not None else None
    if ticket_id is None:
        ticket_id = await threading.by_references(uow, message)
    if ticket_id is None:
        log.warning(
            "bounce %s for %s matches no message we sent: addresses flagged, nothing filed",
            message.provider_id,
            ", ".join(bounce.recipients) or "unknown recipients",
        )
        return None
    if original is not None and bounce.permanent:
        await uow.fetchrow(
            _MARK_BOUNCED,
            {
                "id": original["id"],
                "state": DeliveryState.bounced.value,
                "error": reason,
                "now": now,
            },
        )
    ticket = await uow.session.get(Ticket, ticket_id)
    assert ticket is not None
    assert ticket.id is not None
    assert ticket.number is not None
    meta: dict[str, Any] = {
        "bounce": {
            "recipients": list(bounce.recipients),
            "permanent": bounce.permanent,
            "diagnostic": bounce.diagnostic,
            "original_message_id": bounce.original_message_id,
        }
    }
    if message.raw is not None:
        meta["raw_sha256"] = await store_blob(uow, message.raw)
    kind = "could not be delivered" if bounce.permanent else "is delayed"
    text = f"Mail to {', '.join(bounce.recipients) or 'the customer'} {kind}: {reason}"
    note = await tickets.add_message(
        uow,
        ticket,
        tickets.NewMessage(
            channel=message.channel,
            direction=Direction.inbound,
            body_text=text,
            public=False,
            provider_id=message.provider_id,
            meta=meta,
        ),
    )
    assert note.id is not None
    return ticket.id, ticket.number, note.id
