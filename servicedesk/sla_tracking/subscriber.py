"""Clocks follow the ticket: any change to it or message on it recomputes them,
once per transaction, from the ticket's own history."""

from __future__ import annotations

from typing import Any

from servicedesk.db import UnitOfWork
from servicedesk.events import EventBus, MessageAdded, TicketCreated, TicketUpdated
from servicedesk.settings import Settings
from servicedesk.sla_tracking.service import PolicyRegistry, schedule_recompute

# Changes that cannot move a clock (a message's delivery state).
_IRRELEVANT = frozenset({"delivery_state"})


def subscribe_sla(bus: EventBus, settings: Settings, registry: PolicyRegistry) -> None:
    async def on_change(uow: UnitOfWork, event: Any) -> None:
        if isinstance(event, TicketUpdated) and set(event.changed) <= _IRRELEVANT:
            return
        schedule_recompute(uow, event.ticket_id, registry, settings.time_zone)

    for event_type in (TicketCreated, TicketUpdated, MessageAdded):
        bus.subscribe(event_type, on_change)
