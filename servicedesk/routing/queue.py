"""Waiting work: one `routing_entry` per ticket that waits for an agent (open or
new, in a queue, assigned to nobody), kept in step with the ticket just before
its transaction commits, so "what is next" is one index scan.

The order of waiting work: customers of a tier the queue serves first (gold and
platinum by default), then priority, then the earliest SLA deadline, then the
longest wait. A ticket's next SLA deadline is copied onto its entry by a trigger
on `ticket.sla_due_at` (the SLA sweeper moves deadlines without a ticket event)."""

from __future__ import annotations

from datetime import datetime

from servicedesk.db import UnitOfWork, utcnow
from servicedesk.events import OfferEnded, QueueChanged
from servicedesk.routing.models import WorkClass
from servicedesk.sql import DriverSQL

PENDING = "routing.sync"
SYNC_ORDER = 200  # after the SLA clocks (100): the entry copies the new deadline

# Which capacity a ticket's channel uses: calls, chats, or written work.
WORK_CLASS_SQL = "CASE t.channel WHEN 'voice' THEN 'voice' WHEN 'chat' THEN 'chat' ELSE 'email' END"
PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


def work_class_of(channel: str) -> WorkClass:
    if channel in (WorkClass.voice, WorkClass.chat):
        return WorkClass(channel)
    return WorkClass.email


_SYNC = DriverSQL(
    f"""
    WITH src AS (
        SELECT t.id AS ticket_id, t.queue_id, {WORK_CLASS_SQL} AS work_class,
               CASE t.priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2
                               ELSE 3 END AS priority_rank,
               c.tier = ANY(q.boost_tiers) AS boosted,
               t.sla_due_at AS due_at,
               ARRAY(SELECT s.id FROM skill s
                     WHERE (s.kind = 'language' AND s.name = c.preferred_language)
                        OR (s.kind = 'product_line' AND s.name = p.category)
                     ORDER BY s.id) AS required_skills
        FROM ticket t
        JOIN customer c ON c.id = t.customer_id
        JOIN team q ON q.id = t.queue_id
        LEFT JOIN asset a ON a.id = t.asset_id
        LEFT JOIN product p ON p.id = a.product_id
        WHERE t.id = ANY(CAST(:ids AS integer[]))
          AND t.status IN ('new', 'open') AND t.assignee_id IS NULL
    ),
    before AS (
        SELECT ticket_id, queue_id, offer_id FROM routing_entry
        WHERE ticket_id = ANY(CAST(:ids AS integer[]))
    ),
    gone AS (
        DELETE FROM routing_entry e
        WHERE e.ticket_id = ANY(CAST(:ids AS integer[]))
          AND NOT EXISTS (SELECT 1 FROM src WHERE src.ticket_id = e.ticket_id)
        RETURNING e.ticket_id, e.queue_id
    ),
    kept AS (
        INSERT INTO routing_entry AS e (ticket_id, queue_id, work_class, priority_rank, boosted,
                                        due_at, waiting_since, required_skills)
        SELECT ticket_id, queue_id, work_class, priority_rank, boosted, due_at, :now,
               required_skills
        FROM src
        ON CONFLICT (ticket_id) DO UPDATE SET
            queue_id = EXCLUDED.queue_id, work_class = EXCLUDED.work_class,
            priority_rank = EXCLUDED.priority_rank, boosted = EXCLUDED.boosted,
            due_at = EXCLUDED.due_at, required_skills = EXCLUDED.required_skills,
            -- a ticket moved to another queue starts waiting there, without its offer
            waiting_since = CASE WHEN e.queue_id = EXCLUDED.queue_id THEN e.waiting_since
                                 ELSE EXCLUDED.waiting_since END,
            offer_id = CASE WHEN e.queue_id = EXCLUDED.queue_id THEN e.offer_id END
        WHERE (e.queue_id, e.work_class, e.priority_rank, e.boosted, e.due_at,
               e.required_skills)
              IS DISTINCT FROM
              (EXCLUDED.queue_id, EXCLUDED.work_class, EXCLUDED.priority_rank,
               EXCLUDED.boosted, EXCLUDED.due_at, EXCLUDED.required_skills)
        RETURNING e.ticket_id, e.queue_id
    ),
    -- an open offer of a ticket that stopped waiting here is withdrawn
    withdrawn AS (
        UPDATE routing_offer o SET state = 'withdrawn', decided_at = :now
        FROM before b
        WHERE o.ticket_id = b.ticket_id AND o.state = 'pending'
          AND (EXISTS (SELECT 1 FROM gone g WHERE g.ticket_id = b.ticket_id)
               OR EXISTS (SELECT 1 FROM kept k
                          WHERE k.ticket_id = b.ticket_id AND k.queue_id <> b.queue_id))
        RETURNING o.id, o.ticket_id, o.user_id
    )
    SELECT 'queue' AS kind, queue_id AS id, NULL::integer AS ticket_id, NULL::integer AS user_id
    FROM (SELECT queue_id FROM gone
          UNION SELECT queue_id FROM kept
          UNION SELECT b.queue_id FROM before b JOIN kept k USING (ticket_id)) AS q
    UNION ALL
    SELECT 'offer', id, ticket_id, user_id FROM withdrawn
    """
)


def schedule_sync(uow: UnitOfWork, ticket_id: int) -> None:
    """Bring the ticket's entry in step once, just before COMMIT, after everything
    the transaction changes about it (and its SLA deadline) is written."""
    pending = uow.pending.setdefault(PENDING, [])
    if ticket_id not in pending:
        pending.append(ticket_id)

    async def run(uow: UnitOfWork) -> None:
        await sync(uow, uow.pending.pop(PENDING, []), utcnow())

    uow.before_commit(PENDING, run, order=SYNC_ORDER)


async def sync(uow: UnitOfWork, ticket_ids: list[int], now: datetime) -> set[int]:
    """Insert, update or delete the tickets' entries; returns the queues whose
    waiting work changed (they are told: `QueueChanged`)."""
    if not ticket_ids:
        return set()
    rows = await uow.fetch(_SYNC, {"ids": ticket_ids, "now": now})
    queues = {int(r["id"]) for r in rows if r["kind"] == "queue" and r["id"] is not None}
    for row in rows:
        if row["kind"] == "offer":
            await uow.emit(
                OfferEnded(
                    offer_id=int(row["id"]),
                    ticket_id=int(row["ticket_id"]),
                    user_id=int(row["user_id"]),
                    reason="withdrawn",
                )
            )
    for queue_id in sorted(queues):
        await uow.emit(QueueChanged(queue_id=queue_id))
    return queues
