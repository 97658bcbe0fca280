"""`servicedesk sla simulate`: the stored history of recent tickets replayed under
a proposed policy file, beside the compliance the desk really had."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta

from servicedesk.db import Actor, Database
from servicedesk.sla_tracking.history import load_records
from servicedesk.sla_tracking.stored import as_of, clock_from_row
from servicedesk.sql import DriverSQL
from sla.policy import ClockState, PolicySet
from sla.simulate import ReplayTicket, SimulationRow, simulate

BATCH = 500
_PERIOD = re.compile(r"^\s*(\d+)\s*([dhw])\s*$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}

_TICKETS_SINCE = DriverSQL(
    """
    SELECT id FROM ticket WHERE created_at >= :since AND id > :after ORDER BY id LIMIT :limit
    """
)
_CLOCKS = DriverSQL(
    """
    SELECT ticket_id, metric, cycle, target, state, started_at, elapsed, due_at, warn_at,
           breached_at, stopped_at
    FROM sla_clock WHERE ticket_id = ANY(CAST(:ids AS integer[]))
    """
)


def parse_period(text: str) -> timedelta:
    """ "30d", "12h", "2w"."""
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a period; use e.g. 30d, 12h or 2w")
    return int(match.group(1)) * _UNITS[match.group(2)]


async def replay(
    db: Database, proposed: PolicySet, since: datetime, now: datetime, zone: str
) -> tuple[int, list[SimulationRow]]:
    """Tickets opened since `since`, replayed; returns (ticket count, rows)."""
    tickets: list[ReplayTicket] = []
    after = 0
    while True:
        async with db.unit_of_work(Actor.system()) as uow:
            rows = await uow.fetch(_TICKETS_SINCE, {"since": since, "after": after, "limit": BATCH})
            ids = [int(r["id"]) for r in rows]
            if not ids:
                break
            records = await load_records(uow, ids, zone)
            actual: dict[int, list[ClockState]] = defaultdict(list)
            for c in await uow.fetch(_CLOCKS, {"ids": ids}):
                actual[c["ticket_id"]].append(as_of(clock_from_row(c), now))
        for rec in records:
            tickets.append(
                ReplayTicket(
                    rec.facts, rec.history, rec.facts.priority, tuple(actual[rec.ticket_id])
                )
            )
        if len(ids) < BATCH:
            break
        after = ids[-1]
    return len(tickets), simulate(proposed, tickets, now)


def table(rows: list[SimulationRow]) -> str:
    """The comparison as a plain-text table."""
    head = ("policy", "metric", "proposed", "actual", "change")
    lines = [head]
    for row in rows:
        proposed, actual = row.proposed.share_met, row.actual.share_met
        change = (
            f"{(proposed - actual) * 100:+.1f} pt"
            if proposed is not None and actual is not None
            else "—"
        )
        lines.append(
            (
                row.policy or "(no policy)",
                row.metric,
                _share(proposed, row.proposed.decided),
                _share(actual, row.actual.decided),
                change,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def _share(value: float | None, decided: int) -> str:
    return "—" if value is None else f"{value * 100:.1f}% of {decided}"
