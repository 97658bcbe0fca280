"""Recording where an outbound message got to, for every channel that delivers.

States only move forward (queued → sent → delivered; failed or bounced at any
point before), so a provider's late or repeated callback never undoes a later one."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from servicedesk.audit.service import record
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.enums import DeliveryState
from servicedesk.events import TicketUpdated
from servicedesk.tickets.models import Message, Ticket

log = logging.getLogger(__name__)


class DeliveryDeferred(Exception):
    """The relay or provider could not take the message now; procrastinate retries
    the job."""


# From which states a state may be reached.
_FROM: dict[DeliveryState, frozenset[DeliveryState]] = {
    DeliveryState.queued: frozenset({DeliveryState.queued}),
    DeliveryState.sent: frozenset({DeliveryState.queued}),
    DeliveryState.delivered: frozenset({DeliveryState.queued, DeliveryState.sent}),
    DeliveryState.failed: frozenset({DeliveryState.queued, DeliveryState.sent}),
    DeliveryState.bounced: frozenset({DeliveryState.queued, DeliveryState.sent}),
}


async def attempt(
    db: Database,
    message_id: int,
    deliver: Callable[[], Awaitable[str]],
    *,
    last_attempt: bool,
    describe: Callable[[BaseException], str],
) -> str:
    """One run of a send job. `deliver` records its own outcome and raises
    DeliveryDeferred to be retried; anything else it raises (a bug, the database
    away) is retried too, and on the last attempt the message is marked failed."""
    try:
        return await deliver()
    except DeliveryDeferred:
        raise
    except Exception as exc:
        if last_attempt:
            await record_delivery(db, message_id, DeliveryState.failed, f"gave up: {describe(exc)}")
        raise


async def record_delivery(
    db: Database,
    message_id: int,
    state: DeliveryState,
    error: str,
    *,
    provider_id: str | None = None,
    first_send: bool = True,
) -> bool:
    """`settle` in a transaction of its own."""
    async with db.unit_of_work(Actor.system()) as uow:
        changed = await settle(
            uow, message_id, state, error, provider_id=provider_id, first_send=first_send
        )
    if changed and state == DeliveryState.failed:
        log.warning("message %s could not be delivered: %s", message_id, error)
    return changed


async def settle(
    uow: UnitOfWork,
    message_id: int,
    state: DeliveryState,
    error: str,
    *,
    provider_id: str | None = None,
    first_send: bool = True,
) -> bool:
    """Write the outcome of an attempt (`first_send`: only while still queued, as a
    sender does) or a provider's report (from any earlier state), audit a change of
    state, and tell the screens (after commit) so the conversation shows it.
    Returns whether the message changed."""
    message = await uow.session.get(Message, message_id, with_for_update=True)
    allowed = frozenset({DeliveryState.queued}) if first_send else _FROM[state]
    if message is None or message.delivery_state not in allowed:
        return False  # deleted, or settled meanwhile (a bounce already came back)
    previous = message.delivery_state
    message.delivery_state = state
    message.delivery_error = error[:1000]
    message.delivery_updated_at = utcnow()
    if provider_id is not None:
        message.provider_id = provider_id
    uow.session.add(message)
    ticket = await uow.session.get(Ticket, message.ticket_id)
    assert ticket is not None
    assert ticket.id is not None
    if state != previous:
        record(
            uow,
            "message.delivery",
            "ticket",
            ticket.id,
            before={"message_id": message_id, "delivery_state": previous},
            after={"message_id": message_id, "delivery_state": state, "error": error[:200]},
        )
    customer = await uow.session.get(Customer, ticket.customer_id)
    # The ticket itself did not change, so its version stays: header and properties
    # (which skip versions they show) keep a half-made edit; the conversation re-reads.
    await uow.emit(
        TicketUpdated(
            ticket_id=ticket.id,
            queue_id=ticket.queue_id,
            version=ticket.version,
            changed=("delivery_state",),
            organization_id=customer.organization_id if customer else None,
            assignee_id=ticket.assignee_id,
        )
    )
    return True
