"""Typed domain events and their dispatch.

Services emit events on the unit of work. In-transaction handlers run at once,
inside the same transaction (SLA clocks, routing); after-commit handlers run
only once the transaction has committed (live push, outbound jobs), so nothing
is announced that might still roll back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from servicedesk.db import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """Base of every event: carries ids only, never rows or HTML."""


@dataclass(frozen=True)
class TicketCreated(DomainEvent):
    ticket_id: int
    queue_id: int | None
    customer_id: int
    version: int
    organization_id: int | None = None
    assignee_id: int | None = None


@dataclass(frozen=True)
class TicketUpdated(DomainEvent):
    ticket_id: int
    queue_id: int | None
    version: int
    changed: tuple[str, ...]
    previous_queue_id: int | None = None
    organization_id: int | None = None
    assignee_id: int | None = None


@dataclass(frozen=True)
class MessageAdded(DomainEvent):
    ticket_id: int
    message_id: int
    queue_id: int | None
    version: int
    public: bool
    direction: str
    organization_id: int | None = None
    assignee_id: int | None = None
    channel: str = ""
    # Outbound and waiting for a channel to deliver it (DeliveryState.queued).
    needs_delivery: bool = False


@dataclass(frozen=True)
class SlaAlert(DomainEvent):
    """A clock reached its warning or its target; fired once per clock."""

    ticket_id: int
    queue_id: int | None
    version: int
    metric: str
    organization_id: int | None = None
    assignee_id: int | None = None


@dataclass(frozen=True)
class SlaWarning(SlaAlert):
    pass


@dataclass(frozen=True)
class SlaBreached(SlaAlert):
    pass


@dataclass(frozen=True)
class SlaEscalated(DomainEvent):
    """A rung of a policy's escalation ladder fired: tell whom it names."""

    ticket_id: int
    version: int
    metric: str
    step: str
    notify_users: tuple[int, ...] = ()
    notify_queues: tuple[int, ...] = ()
    notify_supervisors: bool = False


@dataclass(frozen=True)
class CustomerChanged(DomainEvent):
    customer_id: int


@dataclass(frozen=True)
class OfferCreated(DomainEvent):
    """Routing offered a waiting ticket to one agent, who has until `expires_at`."""

    offer_id: int
    ticket_id: int
    user_id: int
    channel: str  # the capacity class: voice, chat or email
    queue_id: int | None
    expires_at: datetime
    timeout_seconds: int


@dataclass(frozen=True)
class OfferEnded(DomainEvent):
    """An offer is no longer open: accepted, declined, timed out or withdrawn."""

    offer_id: int
    ticket_id: int
    user_id: int
    reason: str  # accepted, declined, timeout, withdrawn


@dataclass(frozen=True)
class QueueChanged(DomainEvent):
    """What waits in a queue changed (counts, order, offers): its screens refresh."""

    queue_id: int


@dataclass(frozen=True)
class PresenceChanged(DomainEvent):
    """An agent's presence changed (by them, or by routing: a missed offer)."""

    user_id: int
    status: str  # available, away, on_call, offline
    reason: str = ""  # chosen, missed_offer, call, connected, disconnected


InTxHandler = Callable[["UnitOfWork", Any], Awaitable[None]]
AfterCommitHandler = Callable[[Any], Awaitable[None]]
AfterCommitBatchHandler = Callable[[list[Any]], Awaitable[None]]


class EventBus:
    """Subscriptions are made in the composition root (app lifespan, CLI)."""

    def __init__(self) -> None:
        self._in_tx: dict[type[DomainEvent], list[InTxHandler]] = defaultdict(list)
        self._after: dict[type[DomainEvent], list[AfterCommitHandler]] = defaultdict(list)
        self._after_batch: list[AfterCommitBatchHandler] = []

    def subscribe(self, event_type: type[DomainEvent], handler: InTxHandler) -> None:
        self._in_tx[event_type].append(handler)

    def subscribe_after_commit(
        self, event_type: type[DomainEvent], handler: AfterCommitHandler
    ) -> None:
        self._after[event_type].append(handler)

    def subscribe_after_commit_batch(self, handler: AfterCommitBatchHandler) -> None:
        """`handler` gets every event of a commit at once, in order: for subscribers
        that fold several events into fewer effects (live push: one push per new
        ticket, not one per event of its transaction)."""
        self._after_batch.append(handler)

    async def dispatch_in_transaction(self, uow: UnitOfWork, event: DomainEvent) -> None:
        for handler in self._in_tx.get(type(event), ()):
            await handler(uow, event)

    def has_after_commit(self, event: DomainEvent) -> bool:
        return bool(self._after_batch) or bool(self._after.get(type(event)))

    async def dispatch_after_commit(self, events: list[DomainEvent]) -> None:
        for batch in self._after_batch:
            try:
                await batch(events)
            except Exception:  # the data is committed; a failed push must not undo it
                log.exception("after-commit handler %r failed for a commit", batch)
        for event in events:
            for handler in self._after.get(type(event), ()):
                try:
                    await handler(event)
                except Exception:  # the data is committed; a failed push must not undo it
                    log.exception("after-commit handler %r failed for %r", handler, event)
