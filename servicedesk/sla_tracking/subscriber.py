"""Clocks follow the ticket: any change to it or message on it recomputes them,
once per transaction, from the ticket's own history."""

from __future__ import annotations

from typing import Any

from servicedesk.db import UnitOfWork
from servicedesk.events import (
    CustomerChanged,
    EventBus,
    MessageAdded,
    TicketCreated,
    TicketUpdated,
)
from servicedesk.settings import Settings
from servicedesk.sla_tracking.service import PolicyRegistry, schedule_recompute
from servicedesk.sql import DriverSQL

# Changes that cannot move a clock (a message's delivery state).
_IRRELEVANT = frozenset({"delivery_state"})
_CUSTOMERS_OPEN_TICKETS = DriverSQL(
    "SELECT id FROM ticket WHERE customer_id = :customer_id AND status <> 'closed'"
)


def subscribe_sla(bus: EventBus, settings: Settings, registry: PolicyRegistry) -> None:
    async def on_change(uow: UnitOfWork, event: Any) -> None:
        if isinstance(event, TicketUpdated) and set(event.changed) <= _IRRELEVANT:
            return
        schedule_recompute(uow, event.ticket_id, registry, settings.time_zone)

    async def on_customer(uow: UnitOfWork, event: Any) -> None:
        """A new tier (or organisation) can change the policy of their open tickets."""
        assert isinstance(event, CustomerChanged)
        rows = await uow.fetch(_CUSTOMERS_OPEN_TICKETS, {"customer_id": event.customer_id})
        for row in rows:
            schedule_recompute(uow, int(row["id"]), registry, settings.time_zone)

    for event_type in (TicketCreated, TicketUpdated, MessageAdded):
        bus.subscribe(event_type, on_change)
    bus.subscribe(CustomerChanged, on_customer)
