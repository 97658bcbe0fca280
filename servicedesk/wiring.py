"""The composition root's list of in-transaction subscribers, in one place.

Every process that writes (the app, the mailgate, the worker) calls
`subscribe_domain` on its event bus, so a message accepted by any of them
reacts the same way (outbound jobs deferred in the same transaction, later SLA
clocks and routing)."""

from __future__ import annotations

from weakref import WeakSet

from servicedesk.channels.email.outbox import subscribe_outbox
from servicedesk.events import EventBus
from servicedesk.settings import Settings

# Buses already wired: a bus handed to create_app by a caller that wired it itself
# must not defer every job twice.
_wired: WeakSet[EventBus] = WeakSet()


def subscribe_domain(bus: EventBus, settings: Settings) -> None:
    """Wire the in-transaction reactions to domain events (once per bus)."""
    if bus in _wired:
        return
    _wired.add(bus)
    subscribe_outbox(bus, settings)
