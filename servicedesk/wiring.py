"""The composition root's list of in-transaction subscribers, in one place.

Every process that writes (the app, the mailgate, the worker) calls
`subscribe_domain` on its event bus, so a message accepted by any of them
reacts the same way (outbound jobs deferred in the same transaction, later SLA
clocks and routing)."""

from __future__ import annotations

from servicedesk.events import EventBus
from servicedesk.settings import Settings


def subscribe_domain(bus: EventBus, settings: Settings) -> None:
    """Wire the in-transaction reactions to domain events."""
    return None
