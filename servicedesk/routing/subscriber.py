"""Waiting work follows its ticket, inside the ticket's transaction: any change
to the ticket (or its customer's tier) brings its routing entry in step."""

from __future__ import annotations

from typing import Any

from servicedesk.db import UnitOfWork
from servicedesk.events import CustomerChanged, EventBus, TicketCreated, TicketUpdated
from servicedesk.routing.queue import schedule_sync
from servicedesk.sql import DriverSQL

_ROUTED = frozenset(
    {"status", "priority", "queue_id", "assignee_id", "customer_id", "asset_id", "channel"}
)
_CUSTOMERS_WAITING = DriverSQL(
    """
    SELECT id FROM ticket
    WHERE customer_id = :customer_id AND status IN ('new', 'open') AND assignee_id IS NULL
    """
)


def subscribe_routing(bus: EventBus) -> None:
    async def on_ticket(uow: UnitOfWork, event: Any) -> None:
        if isinstance(event, TicketUpdated) and not _ROUTED & set(event.changed):
            return
        schedule_sync(uow, event.ticket_id)

    async def on_customer(uow: UnitOfWork, event: Any) -> None:
        """A new tier or language changes the order and skills of their waiting tickets."""
        assert isinstance(event, CustomerChanged)
        for row in await uow.fetch(_CUSTOMERS_WAITING, {"customer_id": event.customer_id}):
            schedule_sync(uow, int(row["id"]))

    bus.subscribe(TicketCreated, on_ticket)
    bus.subscribe(TicketUpdated, on_ticket)
    bus.subscribe(CustomerChanged, on_customer)
