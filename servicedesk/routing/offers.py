"""What happens to an offer: the agent accepts it (the ticket is theirs), declines
it, or lets it time out (it passes on, and they are set away), unless it is
withdrawn first (a chat that ended while offered); what waits too long overflows
to the queue's overflow queue; and "next ticket" pulls written work without an
offer.

Accepting locks the offer row (only a pending, unexpired offer of this agent can
be accepted) and then the ticket row (only an unassigned ticket can be given):
a ticket is assigned once, whatever races it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from servicedesk.db import UnitOfWork
from servicedesk.errors import Conflict, NotFound
from servicedesk.events import OfferEnded, QueueChanged
from servicedesk.routing import presence
from servicedesk.routing.dispatch import Capacity, has_room
from servicedesk.routing.models import PresenceStatus, WorkClass
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket

_TAKE = DriverSQL(
    """
    UPDATE routing_offer SET state = :state, decided_at = :now
    WHERE id = :offer_id AND user_id = :user_id AND state = 'pending' AND expires_at > :now
    RETURNING ticket_id, work_class
    """
)
_RELEASE_ENTRY = DriverSQL(
    """
    UPDATE routing_entry SET offer_id = NULL
    WHERE offer_id = ANY(CAST(:offer_ids AS integer[]))
    RETURNING queue_id
    """
)
_DUE_OFFERS = DriverSQL(
    """
    SELECT id, ticket_id, user_id FROM routing_offer
    WHERE state = 'pending' AND expires_at <= :now
    ORDER BY expires_at, id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
_TIME_OUT = DriverSQL(
    """
    UPDATE routing_offer SET state = 'timeout', decided_at = :now
    WHERE id = ANY(CAST(:ids AS integer[]))
    """
)
_OVERFLOWING = DriverSQL(
    """
    SELECT e.ticket_id, q.overflow_team_id
    FROM routing_entry e
    JOIN team q ON q.id = e.queue_id
    WHERE q.overflow_team_id IS NOT NULL AND q.overflow_after_seconds IS NOT NULL
      AND q.overflow_team_id <> e.queue_id
      AND e.offer_id IS NULL
      AND e.waiting_since
          <= CAST(:now AS timestamptz) - make_interval(secs => q.overflow_after_seconds)
    ORDER BY e.waiting_since, e.ticket_id
    LIMIT :limit
    FOR UPDATE OF e SKIP LOCKED
    """
)
_PULL = DriverSQL(
    """
    SELECT e.ticket_id, e.queue_id, e.work_class, e.required_skills
    FROM team_member m
    CROSS JOIN LATERAL (
        SELECT * FROM routing_entry e
        WHERE e.queue_id = m.team_id AND e.work_class = 'email' AND e.offer_id IS NULL
          AND e.required_skills <@ CAST(:skills AS integer[])
        ORDER BY e.boosted DESC, e.priority_rank DESC, e.due_at ASC NULLS LAST,
                 e.waiting_since, e.ticket_id
        LIMIT :limit
    ) e
    WHERE m.user_id = :user_id
    ORDER BY e.boosted DESC, e.priority_rank DESC, e.due_at ASC NULLS LAST,
             e.waiting_since, e.ticket_id
    LIMIT :limit
    """
)
_SKILLS = DriverSQL(
    "SELECT array_agg(skill_id) AS ids FROM user_skill WHERE user_id = :user_id AND level >= 1"
)
_LOCK_ENTRY = DriverSQL(
    """
    SELECT ticket_id FROM routing_entry
    WHERE ticket_id = :ticket_id AND offer_id IS NULL
    FOR UPDATE SKIP LOCKED
    """
)
# Waits for a router offering the ticket right now (it holds the entry until it
# commits), so the offer it makes is seen and withdrawn, never left behind.
_HOLD_ENTRY = DriverSQL(
    "SELECT offer_id FROM routing_entry WHERE ticket_id = :ticket_id FOR UPDATE"
)
# An offer being accepted, declined or timed out right now is left to that decision.
_WITHDRAW = DriverSQL(
    """
    UPDATE routing_offer SET state = 'withdrawn', decided_at = :now
    WHERE id IN (SELECT id FROM routing_offer
                 WHERE ticket_id = :ticket_id AND state = 'pending'
                 FOR UPDATE SKIP LOCKED)
    RETURNING id, user_id
    """
)
_PENDING = DriverSQL(
    "SELECT id FROM routing_offer WHERE ticket_id = :ticket_id AND state = 'pending'"
)


@dataclass(frozen=True)
class Expired:
    offer_id: int
    ticket_id: int
    user_id: int


async def accept(uow: UnitOfWork, offer_id: int, user_id: int, now: datetime) -> Ticket:
    """The offer's agent takes it: the ticket is assigned to them (once)."""
    row = await uow.fetchrow(
        _TAKE, {"offer_id": offer_id, "user_id": user_id, "state": "accepted", "now": now}
    )
    if row is None:
        raise Conflict("this offer is no longer open", fields={"offer": str(offer_id)})
    ticket = await uow.session.get(Ticket, int(row["ticket_id"]), with_for_update=True)
    if ticket is None:
        raise NotFound("no such ticket")
    if ticket.assignee_id not in (None, user_id):
        raise Conflict("the ticket was given to someone else", fields={"offer": str(offer_id)})
    await tickets.update_ticket(
        uow, ticket, tickets.TicketChanges(assignee_id=user_id, set_assignee=True)
    )
    await presence.given_work(uow, user_id, now)
    if row["work_class"] == WorkClass.voice:
        await presence.set_status(uow, user_id, PresenceStatus.on_call, now, reason="call")
    assert ticket.id is not None
    await uow.emit(
        OfferEnded(offer_id=offer_id, ticket_id=ticket.id, user_id=user_id, reason="accepted")
    )
    return ticket


async def decline(uow: UnitOfWork, offer_id: int, user_id: int, now: datetime) -> int:
    """The agent lets it pass: it goes to the next agent. Returns the ticket id."""
    row = await uow.fetchrow(
        _TAKE, {"offer_id": offer_id, "user_id": user_id, "state": "declined", "now": now}
    )
    if row is None:
        raise Conflict("this offer is no longer open", fields={"offer": str(offer_id)})
    ticket_id = int(row["ticket_id"])
    await _release(uow, [offer_id])
    await uow.emit(
        OfferEnded(offer_id=offer_id, ticket_id=ticket_id, user_id=user_id, reason="declined")
    )
    return ticket_id


async def expire_due(uow: UnitOfWork, now: datetime, *, limit: int = 100) -> list[Expired]:
    """Offers nobody answered in time: they pass on, and their agents are set away
    (someone who does not answer is not at their desk)."""
    rows = await uow.fetch(_DUE_OFFERS, {"now": now, "limit": limit})
    if not rows:
        return []
    expired = [Expired(int(r["id"]), int(r["ticket_id"]), int(r["user_id"])) for r in rows]
    await uow.fetch(_TIME_OUT, {"ids": [e.offer_id for e in expired], "now": now})
    await _release(uow, [e.offer_id for e in expired])
    for e in expired:
        await uow.emit(
            OfferEnded(
                offer_id=e.offer_id, ticket_id=e.ticket_id, user_id=e.user_id, reason="timeout"
            )
        )
        if await presence.status_of(uow, e.user_id) == PresenceStatus.available:
            await presence.set_status(
                uow, e.user_id, PresenceStatus.away, now, reason="missed_offer"
            )
    return expired


async def overflow_due(uow: UnitOfWork, now: datetime, *, limit: int = 100) -> int:
    """Tickets that waited longer than their queue allows move to its overflow
    queue (audited like any queue change; they start waiting there)."""
    rows = await uow.fetch(_OVERFLOWING, {"now": now, "limit": limit})
    for row in rows:
        ticket = await uow.session.get(Ticket, int(row["ticket_id"]), with_for_update=True)
        if ticket is None:
            continue
        await tickets.update_ticket(
            uow,
            ticket,
            tickets.TicketChanges(queue_id=int(row["overflow_team_id"]), set_queue=True),
        )
    return len(rows)


async def next_ticket(
    uow: UnitOfWork, user_id: int, capacity: Capacity, now: datetime
) -> Ticket | None:
    """ "Next ticket": the most urgent written ticket of the agent's queues that
    they may take, assigned to them at once. None when nothing waits for them."""
    skills_row = await uow.fetchrow(_SKILLS, {"user_id": user_id})
    skills = list((skills_row or {}).get("ids") or [])
    rows = await uow.fetch(_PULL, {"user_id": user_id, "skills": skills, "limit": 20})
    for row in rows:
        ticket_id = int(row["ticket_id"])
        if not await has_room(uow, user_id, int(row["queue_id"]), WorkClass.email, capacity):
            continue  # at capacity for this queue's written work
        if await uow.fetchrow(_LOCK_ENTRY, {"ticket_id": ticket_id}) is None:
            continue  # being offered or taken by someone else right now
        ticket = await uow.session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None or ticket.assignee_id is not None:
            continue
        await tickets.update_ticket(
            uow, ticket, tickets.TicketChanges(assignee_id=user_id, set_assignee=True)
        )
        await presence.given_work(uow, user_id, now)
        return ticket
    return None


async def withdraw(uow: UnitOfWork, ticket_id: int, now: datetime) -> int | None:
    """The ticket no longer wants an agent this way (its chat ended): its pending offer,
    if any, is withdrawn and its agent told. Returns the offer withdrawn."""
    await uow.fetchrow(_HOLD_ENTRY, {"ticket_id": ticket_id})
    row = await uow.fetchrow(_WITHDRAW, {"ticket_id": ticket_id, "now": now})
    if row is None:
        return None
    offer_id = int(row["id"])
    await _release(uow, [offer_id])
    await uow.emit(
        OfferEnded(
            offer_id=offer_id, ticket_id=ticket_id, user_id=int(row["user_id"]), reason="withdrawn"
        )
    )
    return offer_id


async def pending_offer(uow: UnitOfWork, ticket_id: int) -> int | None:
    """The ticket's offer waiting for its agent's answer, if one is out."""
    row = await uow.fetchrow(_PENDING, {"ticket_id": ticket_id})
    return None if row is None else int(row["id"])


async def _release(uow: UnitOfWork, offer_ids: list[int]) -> None:
    rows = await uow.fetch(_RELEASE_ENTRY, {"offer_ids": offer_ids})
    for queue_id in sorted({int(r["queue_id"]) for r in rows}):
        await uow.emit(QueueChanged(queue_id=queue_id))


async def call_over(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """The agent's call ended: they are available again (if routing had set them
    on a call; a status they chose meanwhile stands)."""
    if await presence.status_of(uow, user_id) == PresenceStatus.on_call:
        await presence.set_status(uow, user_id, PresenceStatus.available, now, reason="call_ended")


async def call_not_answered(uow: UnitOfWork, user_id: int, ticket_id: int, now: datetime) -> None:
    """The agent accepted a call but their phone did not pick up: the caller goes
    back to the queue, so the ticket waits for the next agent again, and the agent,
    evidently not at their desk, is set away."""
    ticket = await uow.session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is not None and ticket.assignee_id == user_id and ticket.first_responded_at is None:
        await tickets.update_ticket(
            uow, ticket, tickets.TicketChanges(assignee_id=None, set_assignee=True)
        )
    if await presence.status_of(uow, user_id) in (PresenceStatus.on_call, PresenceStatus.available):
        await presence.set_status(uow, user_id, PresenceStatus.away, now, reason="missed_call")
