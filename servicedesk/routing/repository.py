"""What an agent's workspace shows: their presence and load, the offer waiting
for their answer, and the waiting work of their queues in routing order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicedesk.db import UnitOfWork
from servicedesk.routing.presence import ALIVE
from servicedesk.sql import DriverSQL

_ME = DriverSQL(
    """
    SELECT p.status, p.reason, p.changed_at,
           EXISTS (SELECT 1 FROM agent_connection c
                   WHERE c.user_id = :user_id AND c.seen_at > :alive_since) AS connected,
           (SELECT count(*) FROM chat ch
            WHERE ch.agent_user_id = :user_id AND ch.state = 'active') AS chats,
           (SELECT count(*) FROM ticket t
            WHERE t.assignee_id = :user_id AND t.status IN ('new', 'open')
              AND t.channel NOT IN ('voice', 'chat')) AS written
    FROM (SELECT 1) one
    LEFT JOIN agent_presence p ON p.user_id = :user_id
    """
)
_OFFERS = DriverSQL(
    """
    SELECT o.id, o.ticket_id, o.work_class, o.created_at, o.expires_at,
           t.number, t.subject, t.priority, t.channel, c.name AS customer, c.tier,
           q.name AS queue
    FROM routing_offer o
    JOIN ticket t ON t.id = o.ticket_id
    JOIN customer c ON c.id = t.customer_id
    LEFT JOIN team q ON q.id = t.queue_id
    WHERE o.user_id = :user_id AND o.state = 'pending' AND o.expires_at > :now
    ORDER BY o.expires_at
    """
)
_WAITING = DriverSQL(
    """
    SELECT e.ticket_id, e.queue_id, e.work_class, e.boosted, e.due_at, e.waiting_since,
           e.offer_id IS NOT NULL AS offered,
           t.number, t.subject, t.priority, t.channel, t.status, c.name AS customer, c.tier,
           q.name AS queue,
           (SELECT k.warn_at FROM sla_clock k
            WHERE k.ticket_id = e.ticket_id AND k.state = 'running' AND k.due_at = e.due_at
            LIMIT 1) AS warn_at
    FROM routing_entry e
    JOIN ticket t ON t.id = e.ticket_id
    JOIN customer c ON c.id = t.customer_id
    JOIN team q ON q.id = e.queue_id
    WHERE e.queue_id = ANY(CAST(:queues AS integer[]))
    ORDER BY e.boosted DESC, e.priority_rank DESC, e.due_at ASC NULLS LAST,
             e.waiting_since, e.ticket_id
    LIMIT :limit
    """
)
_MINE = DriverSQL(
    """
    SELECT t.id AS ticket_id, t.number, t.subject, t.priority, t.channel, t.status,
           c.name AS customer, c.tier, COALESCE(q.name, '') AS queue,
           FALSE AS boosted, FALSE AS offered, t.updated_at AS waiting_since,
           t.sla_due_at AS due_at,
           (SELECT k.warn_at FROM sla_clock k
            WHERE k.ticket_id = t.id AND k.state = 'running' AND k.due_at = t.sla_due_at
            LIMIT 1) AS warn_at
    FROM ticket t
    JOIN customer c ON c.id = t.customer_id
    LEFT JOIN team q ON q.id = t.queue_id
    WHERE t.assignee_id = :user_id AND t.status IN ('new', 'open', 'pending', 'on_hold')
    ORDER BY t.sla_due_at ASC NULLS LAST, t.updated_at
    LIMIT :limit
    """
)
_COUNTS = DriverSQL(
    """
    SELECT q.id AS queue_id, q.name,
           count(e.ticket_id) AS waiting,
           count(e.offer_id) AS offered,
           min(e.waiting_since) AS oldest
    FROM team q
    LEFT JOIN routing_entry e ON e.queue_id = q.id
    WHERE q.id = ANY(CAST(:queues AS integer[]))
    GROUP BY q.id, q.name
    ORDER BY q.name
    """
)


@dataclass(frozen=True)
class Me:
    status: str  # available, away, on_call, offline
    reason: str
    since: datetime | None
    connected: bool
    chats: int
    written: int


@dataclass(frozen=True)
class PendingOffer:
    offer_id: int
    ticket_id: int
    number: int
    subject: str
    priority: str
    channel: str
    work_class: str
    customer: str
    tier: str
    queue: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Waiting:
    ticket_id: int
    number: int
    subject: str
    priority: str
    channel: str
    customer: str
    tier: str
    queue: str
    boosted: bool
    offered: bool
    waiting_since: datetime
    due_at: datetime | None
    warn_at: datetime | None
    status: str = "new"


@dataclass(frozen=True)
class QueueCount:
    queue_id: int
    name: str
    waiting: int
    offered: int
    oldest: datetime | None


async def me(uow: UnitOfWork, user_id: int, now: datetime) -> Me:
    row = await uow.fetchrow(_ME, {"user_id": user_id, "alive_since": now - ALIVE})
    assert row is not None
    status = row["status"] or "offline"
    if not row["connected"]:
        status = "offline"  # no screen open anywhere: whatever they chose last
    return Me(
        status=status,
        reason=row["reason"] or "",
        since=row["changed_at"],
        connected=bool(row["connected"]),
        chats=int(row["chats"]),
        written=int(row["written"]),
    )


async def pending_offers(uow: UnitOfWork, user_id: int, now: datetime) -> list[PendingOffer]:
    rows = await uow.fetch(_OFFERS, {"user_id": user_id, "now": now})
    return [
        PendingOffer(
            offer_id=int(r["id"]),
            ticket_id=int(r["ticket_id"]),
            number=int(r["number"]),
            subject=r["subject"],
            priority=r["priority"],
            channel=r["channel"],
            work_class=r["work_class"],
            customer=r["customer"],
            tier=r["tier"],
            queue=r["queue"],
            expires_at=r["expires_at"],
        )
        for r in rows
    ]


def _waiting(r: Mapping[str, Any]) -> Waiting:
    return Waiting(
        ticket_id=int(r["ticket_id"]),
        number=int(r["number"]),
        subject=r["subject"],
        priority=r["priority"],
        channel=r["channel"],
        customer=r["customer"],
        tier=r["tier"],
        queue=r["queue"],
        boosted=bool(r["boosted"]),
        offered=bool(r["offered"]),
        waiting_since=r["waiting_since"],
        due_at=r["due_at"],
        warn_at=r["warn_at"],
        status=r["status"],
    )


async def waiting_work(uow: UnitOfWork, queues: Sequence[int], limit: int = 50) -> list[Waiting]:
    rows = await uow.fetch(_WAITING, {"queues": list(queues), "limit": limit})
    return [_waiting(r) for r in rows]


async def my_tickets(uow: UnitOfWork, user_id: int, limit: int = 50) -> list[Waiting]:
    """The agent's own open work, the next deadline first."""
    return [_waiting(r) for r in await uow.fetch(_MINE, {"user_id": user_id, "limit": limit})]


async def queue_counts(uow: UnitOfWork, queues: Sequence[int]) -> list[QueueCount]:
    rows = await uow.fetch(_COUNTS, {"queues": list(queues)})
    return [
        QueueCount(
            queue_id=int(r["queue_id"]),
            name=r["name"],
            waiting=int(r["waiting"]),
            offered=int(r["offered"]),
            oldest=r["oldest"],
        )
        for r in rows
    ]
