"""`bench.sla_tracking`'s sweep figure: `Sweeper.sweep(now=t0)` with exactly 100 of the
million clocks due, beside a bare SELECT … FOR UPDATE SKIP LOCKED + UPDATE on asyncpg,
the two taking turns; the due clocks are put back between rounds."""

from __future__ import annotations

import contextlib
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from bench.sla_data import DueClock
from servicedesk.db import Database
from servicedesk.sla_tracking.service import PolicyRegistry
from servicedesk.sla_tracking.sweeper import _DUE, BATCH, Sweeper

INDEX = "ix_sla_clock_next_action"

# What the sweep may change, kept aside once and put back before every round: every
# clock of the due clocks' tickets, the escalation log, those tickets' rows.
_SNAPSHOT = [
    "CREATE UNLOGGED TABLE bench_sla_snap_clock (LIKE sla_clock)",
    "INSERT INTO bench_sla_snap_clock SELECT * FROM sla_clock WHERE ticket_id = ANY($1::int[])",
    "CREATE UNLOGGED TABLE bench_sla_snap_escalation AS SELECT * FROM sla_escalation",
    "CREATE UNLOGGED TABLE bench_sla_snap_ticket (LIKE ticket)",
    "INSERT INTO bench_sla_snap_ticket SELECT * FROM ticket WHERE id = ANY($1::int[])",
]
_MARKS = """
SELECT (SELECT coalesce(max(id), 0) FROM audit_event) AS audit,
       (SELECT coalesce(max(id), 0) FROM procrastinate_jobs) AS jobs
"""
_RESET = [
    ("DELETE FROM sla_clock WHERE ticket_id = ANY($1::int[])", "ids"),
    ("INSERT INTO sla_clock SELECT * FROM bench_sla_snap_clock", ""),
    ("DELETE FROM sla_escalation", ""),
    ("INSERT INTO sla_escalation SELECT * FROM bench_sla_snap_escalation", ""),
    (
        """
        UPDATE ticket t SET status = s.status, priority = s.priority, queue_id = s.queue_id,
               version = s.version, updated_at = s.updated_at, sla_policy = s.sla_policy,
               sla_due_at = s.sla_due_at
        FROM bench_sla_snap_ticket s
        WHERE t.id = s.id AND (t.version, t.priority, t.queue_id, t.sla_policy, t.sla_due_at)
              IS DISTINCT FROM (s.version, s.priority, s.queue_id, s.sla_policy, s.sla_due_at)
        """,
        "",
    ),
    ("DELETE FROM audit_event WHERE id > $1", "audit"),
    ("DELETE FROM procrastinate_jobs WHERE id > $1", "jobs"),
]
_DROP = "DROP TABLE bench_sla_snap_clock, bench_sla_snap_escalation, bench_sla_snap_ticket"

# The baseline's UPDATE: one statement for the claimed rows.
BARE_UPDATE = """
UPDATE sla_clock SET next_action_at = next_action_at + interval '1 hour', updated_at = $2
WHERE id = ANY($1::int[])
"""
_STILL_DUE = "SELECT count(*) FROM sla_clock WHERE next_action_at <= $1"
_FIRED_KEYS = """
SELECT e.step_key, count(*) AS n FROM sla_escalation e
WHERE NOT EXISTS (SELECT 1 FROM bench_sla_snap_escalation s WHERE s.id = e.id)
GROUP BY 1 ORDER BY 1
"""


@dataclass
class SweepResult:
    due: int
    project_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    # the same, each right after a CHECKPOINT: every page changed is written whole to the WAL
    project_cold_ms: list[float] = field(default_factory=list)
    baseline_cold_ms: list[float] = field(default_factory=list)
    idle_ms: list[float] = field(default_factory=list)  # a sweep with nothing due
    fired: int = 0  # steps fired by one sweep
    steps: dict[str, int] = field(default_factory=dict)  # by step key
    by_policy: dict[str, int] = field(default_factory=dict)  # due clocks by policy
    problems: list[str] = field(default_factory=list)
    explain_text: str = ""
    explain: dict[str, Any] = field(default_factory=dict)

    @property
    def project(self) -> float:
        return statistics.median(self.project_ms)

    @property
    def baseline(self) -> float:
        return statistics.median(self.baseline_ms)

    @property
    def project_cold(self) -> float:
        return statistics.median(self.project_cold_ms)

    @property
    def baseline_cold(self) -> float:
        return statistics.median(self.baseline_cold_ms)

    @property
    def idle(self) -> float:
        return statistics.median(self.idle_ms) if self.idle_ms else 0.0

    @property
    def ratios(self) -> list[float]:
        return [p / b for p, b in zip(self.project_ms, self.baseline_ms, strict=False) if b]


class SweepBench:
    def __init__(
        self,
        conn: asyncpg.Connection,
        db: Database,
        registry: PolicyRegistry,
        t0: datetime,
        due: list[DueClock],
    ) -> None:
        self.conn = conn
        self.sweeper = Sweeper(db, registry)  # one, as the worker's loop keeps it
        self.t0 = t0
        self.due = due
        self.ids = sorted({d.ticket_id for d in due})
        self.marks: dict[str, int] = {}

    async def snapshot(self) -> None:
        for sql in _SNAPSHOT:
            await self.conn.execute(sql, *([self.ids] if "$1" in sql else []))
        row = await self.conn.fetchrow(_MARKS)
        assert row is not None
        self.marks = {"audit": row["audit"], "jobs": row["jobs"]}

    async def checkpoint(self) -> None:
        with contextlib.suppress(asyncpg.PostgresError):  # needs superuser on a given server
            await self.conn.execute("CHECKPOINT")

    async def reset(self, *, cold: bool = False) -> None:
        """The 100 clocks due again, as before the first sweep; VACUUM, so that dead
        index entries left by the last round are not read by the next one.

        A CHECKPOINT first, so that PostgreSQL's own (every 5 minutes) never falls in a
        measurement: the reset then writes the pages the sweep will change, and the
        sweep finds them already in the WAL since the checkpoint, as a sweeper does on
        pages the desk keeps writing. `cold`: a CHECKPOINT after it too, so the sweep
        writes a full-page image of every page it changes first (the worst case)."""
        await self.checkpoint()
        async with self.conn.transaction():
            for sql, arg in _RESET:
                args = [self.ids] if arg == "ids" else [self.marks[arg]] if arg else []
                await self.conn.execute(sql, *args)
        # INDEX_CLEANUP ON: with so few dead rows VACUUM would otherwise leave their
        # index entries, and each round would read more of them than the last.
        await self.conn.execute("VACUUM (INDEX_CLEANUP ON) sla_clock, sla_escalation")
        if cold:
            await self.checkpoint()

    async def drop(self) -> None:
        await self.conn.execute(_DROP)

    async def project(self) -> tuple[float, int]:
        started = time.perf_counter()
        fired = await self.sweeper.sweep(now=self.t0)
        return (time.perf_counter() - started) * 1000, fired

    async def idle(self) -> float:
        started = time.perf_counter()
        fired = await self.sweeper.sweep(now=self.t0)
        assert fired == 0
        return (time.perf_counter() - started) * 1000

    async def baseline(self) -> tuple[float, int]:
        started = time.perf_counter()
        async with self.conn.transaction():
            rows = await self.conn.fetch(_DUE.sql, *_DUE.args({"now": self.t0, "limit": BATCH}))
            await self.conn.execute(BARE_UPDATE, [r["id"] for r in rows], self.t0)
        return (time.perf_counter() - started) * 1000, len(rows)

    async def check_project(self, fired: int, result: SweepResult) -> None:
        """Every due step fired once, by the steps the pure rules say; none left due."""
        expected = Counter(key for d in self.due for key in d.expected)
        seen = Counter({r["step_key"]: r["n"] for r in await self.conn.fetch(_FIRED_KEYS)})
        audit = await self.conn.fetchval(
            "SELECT count(*) FROM audit_event WHERE id > $1", self.marks["audit"]
        )
        still = await self.conn.fetchval(_STILL_DUE, self.t0)
        problems = []
        if fired != sum(expected.values()):
            problems.append(f"sweep fired {fired} steps, {sum(expected.values())} expected")
        if seen != expected:
            problems.append(f"steps logged {dict(seen)}, expected {dict(expected)}")
        if audit != fired:
            problems.append(f"{audit} audit rows written for {fired} steps")
        if still:
            problems.append(f"{still} clocks still due after the sweep")
        result.fired, result.steps = fired, dict(sorted(seen.items()))
        result.problems.extend(p for p in problems if p not in result.problems)

    async def explain(self, result: SweepResult) -> None:
        """EXPLAIN (ANALYZE, BUFFERS) of the sweeper's due-clocks query, rolled back."""
        args = _DUE.args({"now": self.t0, "limit": BATCH})
        tr = self.conn.transaction()
        await tr.start()
        try:
            plan = await self.conn.fetchval(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + _DUE.sql, *args
            )
        finally:
            await tr.rollback()
        tr = self.conn.transaction()
        await tr.start()
        try:
            lines = await self.conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + _DUE.sql, *args)
        finally:
            await tr.rollback()
        result.explain_text = "\n".join(r[0] for r in lines)
        result.explain = await self._summary(
            json.loads(plan)[0] if isinstance(plan, str) else plan[0]
        )

    async def _summary(self, top: dict[str, Any]) -> dict[str, Any]:
        nodes: list[dict[str, Any]] = []

        def walk(node: dict[str, Any]) -> None:
            nodes.append(node)
            for child in node.get("Plans", []):
                walk(child)

        walk(top["Plan"])
        scans = [n for n in nodes if "Relation Name" in n or "Index Name" in n]
        plan = top["Plan"]
        pages = await self.conn.fetchval(
            "SELECT relpages FROM pg_class WHERE relname = 'sla_clock'"
        )
        index_pages = await self.conn.fetchval(
            "SELECT relpages FROM pg_class WHERE relname = $1", INDEX
        )
        rows = await self.conn.fetchval("SELECT count(*) FROM sla_clock")
        uses_index = any(n.get("Index Name") == INDEX for n in scans)
        seq = [n for n in scans if n["Node Type"] == "Seq Scan"]
        return {
            "nodes": [n["Node Type"] for n in nodes],
            "scans": [
                {
                    "node": n["Node Type"],
                    "relation": n.get("Relation Name"),
                    "index": n.get("Index Name"),
                    "rows": n.get("Actual Rows"),
                    "shared_hit": n.get("Shared Hit Blocks", 0),
                    "shared_read": n.get("Shared Read Blocks", 0),
                }
                for n in scans
            ],
            "rows": plan.get("Actual Rows"),
            "buffers": plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0),
            "execution_ms": top.get("Execution Time"),
            "planning_ms": top.get("Planning Time"),
            "table_rows": rows,
            "table_pages": pages,
            "index_pages": index_pages,
            "uses_index": uses_index,
            "seq_scan": bool(seq),
        }


async def measure(bench: SweepBench, rounds: int, result: SweepResult) -> None:
    """A warm-up round (not counted), then `rounds` rounds; in each, the project and
    the baseline take turns, once on pages already in the WAL since the last
    checkpoint, once right after a CHECKPOINT. The clocks are put back (and VACUUMed)
    before every sweep of either kind."""
    result.by_policy = dict(Counter(d.policy for d in bench.due).most_common())
    await bench.snapshot()
    try:
        await bench.reset()
        await bench.explain(result)
        if not result.explain.get("uses_index") or result.explain.get("seq_scan"):
            result.problems.append("the due-clocks query does not read through " + INDEX)
        idle = 0.0
        for round_no in range(rounds + 1):
            for cold in (False, True):
                await bench.reset(cold=cold)
                ms, fired = await bench.project()
                await bench.check_project(fired, result)
                if not cold:
                    idle = await bench.idle()
                await bench.reset(cold=cold)
                base_ms, claimed = await bench.baseline()
                if claimed != result.due:
                    result.problems.append(f"the baseline claimed {claimed} clocks")
                if round_no == 0:
                    continue  # warm-up: connections, prepared statements, the policy parse
                (result.project_cold_ms if cold else result.project_ms).append(ms)
                (result.baseline_cold_ms if cold else result.baseline_ms).append(base_ms)
                if cold:
                    print(
                        f"  sweep round {round_no}: {result.project_ms[-1]:.1f} ms "
                        f"({fired} steps fired), baseline {result.baseline_ms[-1]:.1f} ms; "
                        f"after a CHECKPOINT {ms:.1f} ms, baseline {base_ms:.1f} ms; "
                        f"nothing due {idle:.1f} ms",
                        flush=True,
                    )
                else:
                    result.idle_ms.append(idle)
        await bench.reset()
    finally:
        await bench.drop()
