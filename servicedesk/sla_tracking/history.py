"""What the SLA engine needs to know about tickets, read in batches: the facts a
policy matches on and the history its clocks are computed from (status changes
from the audit log, public answers and customer messages)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from servicedesk.db import UnitOfWork
from servicedesk.products.warranty import warranty_state
from servicedesk.sql import DriverSQL
from sla.policy import HistoryEvent, TicketFacts, TicketHistory

_FACTS = DriverSQL(
    """
    SELECT t.id, t.created_at, t.priority, t.channel, t.status, t.sla_policy,
           t.sla_due_at, team.name AS queue, c.tier, p.category AS product_category,
           a.warranty_ends_on, a.extended_until
    FROM ticket t
    JOIN customer c ON c.id = t.customer_id
    LEFT JOIN team ON team.id = t.queue_id
    LEFT JOIN asset a ON a.id = t.asset_id
    LEFT JOIN product p ON p.id = a.product_id
    WHERE t.id = ANY(CAST(:ids AS integer[]))
    """
)

# Status changes are audited by every service that makes one; a public answer is
# the desk's (not a partner's), and a call an agent answered is one too, at the
# moment it was answered (the voice channel records `meta.outcome = 'answered'` and
# `meta.answered_at`); a customer message (a call included) is public and from them.
_HISTORY = DriverSQL(
    """
    SELECT entity_id AS ticket_id, at, 'status' AS kind, after->>'status' AS status
    FROM audit_event
    WHERE entity_type = 'ticket' AND entity_id = ANY(CAST(:ids AS integer[]))
      AND action IN ('ticket.updated', 'message.created') AND after ? 'status'
    UNION ALL
    SELECT m.ticket_id, m.created_at,
           CASE WHEN m.direction = 'out' THEN 'agent_reply' ELSE 'customer_message' END,
           NULL
    FROM message m LEFT JOIN app_user u ON u.id = m.author_user_id
    WHERE m.ticket_id = ANY(CAST(:ids AS integer[])) AND m.is_public
      AND ((m.direction = 'out' AND m.author_user_id IS NOT NULL AND u.role <> 'partner')
           OR (m.direction = 'in' AND m.author_customer_id IS NOT NULL))
    UNION ALL
    SELECT m.ticket_id, COALESCE(CAST(m.meta->>'answered_at' AS timestamptz), m.created_at),
           'agent_reply', NULL
    FROM message m
    WHERE m.ticket_id = ANY(CAST(:ids AS integer[])) AND m.is_public
      AND m.channel = 'voice' AND m.meta->>'outcome' = 'answered'
    ORDER BY 1, 2, 3
    """
)


@dataclass(frozen=True)
class TicketRecord:
    ticket_id: int
    facts: TicketFacts
    history: TicketHistory
    status: str
    sla_policy: str | None
    sla_due_at: datetime | None


def _warranty(row: Mapping[str, Any], zone: ZoneInfo) -> str:
    if row["warranty_ends_on"] is None:
        return "none"
    created_on = row["created_at"].astimezone(zone).date()
    return warranty_state(row["warranty_ends_on"], row["extended_until"], created_on).value


async def load_records(
    uow: UnitOfWork, ticket_ids: Sequence[int], time_zone: str
) -> list[TicketRecord]:
    """Facts and history of the given tickets, two queries whatever their number."""
    if not ticket_ids:
        return []
    ids = list(ticket_ids)
    facts = await uow.fetch(_FACTS, {"ids": ids})
    events: dict[int, list[HistoryEvent]] = defaultdict(list)
    for row in await uow.fetch(_HISTORY, {"ids": ids}):
        events[row["ticket_id"]].append(HistoryEvent(row["at"], row["kind"], row["status"]))
    zone = ZoneInfo(time_zone)
    records = []
    for row in facts:
        records.append(
            TicketRecord(
                ticket_id=row["id"],
                facts=TicketFacts(
                    warranty=_warranty(row, zone),
                    tier=row["tier"],
                    priority=row["priority"],
                    channel=row["channel"],
                    product_category=row["product_category"],
                    queue=row["queue"],
                ),
                history=TicketHistory(
                    created_at=row["created_at"], events=tuple(events.get(row["id"], ()))
                ),
                status=row["status"],
                sla_policy=row["sla_policy"],
                sla_due_at=row["sla_due_at"],
            )
        )
    return records
