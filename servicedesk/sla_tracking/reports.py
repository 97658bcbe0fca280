"""SLA compliance per queue, policy, product category or agent, counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sla.compliance import Compliance

# group_by → the SQL expression naming the group (a fixed list: never user text).
GROUPS = {
    "queue": "q.name",
    "policy": "c.policy_name",
    "product_category": "p.category",
    "agent": "u.name",
}

# A clock that still says "running" past its deadline has breached even if the
# sweeper has not been round yet: reports count it so.
_SQL = """
    SELECT {group} AS grp, c.metric,
           count(*) FILTER (WHERE c.state = 'met') AS met,
           count(*) FILTER (WHERE c.state = 'breached'
                            OR (c.state = 'running' AND c.due_at <= :now)) AS breached,
           count(*) FILTER (WHERE c.state = 'running'
                            AND (c.due_at IS NULL OR c.due_at > :now)) AS running,
           count(*) FILTER (WHERE c.state = 'paused') AS paused
    FROM sla_clock c
    JOIN ticket t ON t.id = c.ticket_id
    LEFT JOIN team q ON q.id = t.queue_id
    LEFT JOIN asset a ON a.id = t.asset_id
    LEFT JOIN product p ON p.id = a.product_id
    LEFT JOIN app_user u ON u.id = t.assignee_id
    WHERE c.started_at >= :since AND c.started_at < :until
    GROUP BY 1, 2
    ORDER BY 1 NULLS LAST,
             array_position(ARRAY['first_response', 'next_response', 'resolution'], c.metric)
"""


@dataclass(frozen=True)
class ReportRow:
    group: str | None
    metric: str
    counts: Compliance


async def compliance(
    session: AsyncSession, group_by: str, since: datetime, until: datetime, now: datetime
) -> list[ReportRow]:
    """Clocks started in [since, until), counted per group and metric."""
    statement = text(_SQL.format(group=GROUPS[group_by]))
    result = await session.execute(statement, {"since": since, "until": until, "now": now})
    return [
        ReportRow(row.grp, row.metric, Compliance(row.met, row.breached, row.running, row.paused))
        for row in result
    ]
