"""The composition root's list of in-transaction subscribers, in one place.

Every process that writes (the app, the mailgate, the worker) calls
`subscribe_domain` on its event bus, so a message accepted by any of them
reacts the same way (outbound jobs deferred in the same transaction, later SLA
clocks and routing)."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from servicedesk.channels.chat.subscriber import subscribe_chat
from servicedesk.channels.email.outbox import subscribe_outbox
from servicedesk.channels.sms.outbox import subscribe_sms_outbox
from servicedesk.events import EventBus
from servicedesk.routing.subscriber import subscribe_routing
from servicedesk.settings import Settings
from servicedesk.sla_tracking.service import PolicyRegistry
from servicedesk.sla_tracking.subscriber import subscribe_sla

# Buses already wired, with the SLA policy registry their subscribers share: a bus
# handed to create_app by a caller that wired it itself must not react twice.
_wired: WeakKeyDictionary[EventBus, PolicyRegistry] = WeakKeyDictionary()


def subscribe_domain(bus: EventBus, settings: Settings) -> PolicyRegistry:
    """Wire the in-transaction reactions to domain events (once per bus); returns
    the SLA policy registry they use, for the sweeper of the same process."""
    if bus in _wired:
        return _wired[bus]
    registry = PolicyRegistry()
    _wired[bus] = registry
    subscribe_outbox(bus, settings)
    subscribe_sms_outbox(bus)
    subscribe_chat(bus, settings)  # a live chat follows its ticket
    subscribe_sla(bus, settings, registry)
    subscribe_routing(bus)  # waiting work follows its ticket (after the SLA deadline)
    return registry
