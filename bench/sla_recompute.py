"""`bench.sla_tracking`'s recompute figure: `recompute_open_tickets` over every open
ticket after a policy change, beside a raw asyncpg pass that reads the same rows and
writes the same clocks without evaluating anything, the two taking turns.

The policy change alternates between servicedesk/demo/sla.toml (A) and the same
file with every target an hour longer (B): each round loads the other version, so
every clock's instants really move, as after a real change. The baseline writes the
clocks the project's pass just computed with their instants one second later, so its
upserts change the same columns and index entries."""

from __future__ import annotations

import contextlib
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import asyncpg

from bench import cpu
from servicedesk.db import Actor, Database, utcnow
from servicedesk.sla_tracking.history import _FACTS, _HISTORY
from servicedesk.sla_tracking.service import (
    _OPEN_TICKETS_AFTER,
    _UPSERT_CLOCKS,
    PolicyRegistry,
    load_policy_set,
    recompute_open_tickets,
)

BATCH = 500  # recompute_open_tickets' default, and the baseline's
SHIFT = timedelta(seconds=1)

_CLOCK_ROWS = """
SELECT ticket_id, metric, cycle, policy_name, target, state, started_at, elapsed, due_at,
       warn_at, breached_at, stopped_at, next_action_at
FROM sla_clock ORDER BY ticket_id, metric, cycle
"""
# _UPSERT_CLOCKS' array parameters, in _CLOCK_ROWS' order
_ARRAYS = (
    "ticket_ids",
    "metrics",
    "cycles",
    "policy_names",
    "targets",
    "states",
    "started",
    "elapsed",
    "due",
    "warn",
    "breached",
    "stopped",
    "next_action",
)
_MOVED = ("due", "warn", "next_action")


def changed_policies(source: str) -> str:
    """The same policies with every target an hour longer ("4h" → "5h")."""
    return re.sub(r'"(\d+)h"', lambda m: f'"{int(m[1]) + 1}h"', source)


@dataclass(frozen=True)
class Pass:
    tickets: int
    seconds: float
    cpu_s: float  # this process
    pg_cpu_s: float | None  # PostgreSQL's processes (embedded server only)
    clocks: int  # clock rows written
    facts_rows: int = 0
    history_rows: int = 0

    @property
    def rate(self) -> float:
        return self.tickets / self.seconds if self.seconds else 0.0

    def us_per_ticket(self, seconds: float | None) -> float | None:
        return None if seconds is None else seconds * 1e6 / max(self.tickets, 1)


@dataclass
class RecomputeResult:
    tickets: int
    first: Pass | None = None  # the initial computation, clocks table empty (not a figure)
    project: list[Pass] = field(default_factory=list)
    baseline: list[Pass] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)  # the policy version of each round
    problems: list[str] = field(default_factory=list)

    @staticmethod
    def median(passes: list[Pass]) -> Pass:
        return sorted(passes, key=lambda p: p.rate)[len(passes) // 2]

    @property
    def ratios(self) -> list[float]:
        return [p.rate / b.rate for p, b in zip(self.project, self.baseline, strict=False)]


class RecomputeBench:
    def __init__(
        self,
        conn: asyncpg.Connection,
        db: Database,
        registry: PolicyRegistry,
        zone: str,
        postmaster: int | None,
    ) -> None:
        self.conn = conn
        self.db = db
        self.registry = registry
        self.zone = zone
        self.pg = postmaster
        self.set_id = 0

    async def load(self, source: str) -> str:
        async with self.db.unit_of_work(Actor.system()) as uow:
            loaded = await load_policy_set(uow, source, user_id=None)
        self.set_id = loaded.policy_set_id
        return loaded.version

    async def quiesce(self) -> None:
        """Each pass starts alike: no dead rows from the last one, WAL flushed."""
        await self.conn.execute("VACUUM ANALYZE sla_clock, ticket")
        with contextlib.suppress(asyncpg.PostgresError):  # needs superuser on a given server
            await self.conn.execute("CHECKPOINT")

    def _cpu(self) -> tuple[float, float]:
        return time.process_time(), cpu.postgres_cpu(self.pg) if self.pg else 0.0

    def _pass(self, started: tuple[float, float, float], tickets: int, **kw: Any) -> Pass:
        wall, here, pg = started
        now_here, now_pg = self._cpu()
        return Pass(
            tickets=tickets,
            seconds=time.perf_counter() - wall,
            cpu_s=now_here - here,
            pg_cpu_s=now_pg - pg if self.pg else None,
            **kw,
        )

    async def project(self) -> Pass:
        started = (time.perf_counter(), *self._cpu())
        count = await recompute_open_tickets(self.db, self.registry, self.zone, batch=BATCH)
        done = self._pass(started, count, clocks=0)
        # every clock of every ticket was written by the pass (the others are deleted)
        return replace(done, clocks=await self.conn.fetchval("SELECT count(*) FROM sla_clock"))

    async def clock_rows(self) -> dict[int, list[tuple[Any, ...]]]:
        """The clocks as the project's pass left them, instants one second later."""
        moved = [_ARRAYS.index(name) for name in _MOVED]
        rows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for record in await self.conn.fetch(_CLOCK_ROWS):
            values = list(record)
            for i in moved:
                if values[i] is not None:
                    values[i] += SHIFT
            rows[values[0]].append(tuple(values))
        return rows

    async def baseline(self, rows: dict[int, list[tuple[Any, ...]]]) -> Pass:
        """Per batch of 500, one transaction: the open tickets' ids (the project's
        keyset query), the facts and history SELECTs of sla_tracking/history.py,
        then the project's clock upsert statement with the rows in hand."""
        conn = self.conn
        after, tickets, written, facts_rows, history_rows = 0, 0, 0, 0, 0
        started = (time.perf_counter(), *self._cpu())
        while True:
            now = utcnow()
            async with conn.transaction():
                ids = [
                    r["id"]
                    for r in await conn.fetch(
                        _OPEN_TICKETS_AFTER.sql,
                        *_OPEN_TICKETS_AFTER.args({"after": after, "limit": BATCH}),
                    )
                ]
                if ids:
                    facts = await conn.fetch(_FACTS.sql, *_FACTS.args({"ids": ids}))
                    history = await conn.fetch(_HISTORY.sql, *_HISTORY.args({"ids": ids}))
                    facts_rows += len(facts)
                    history_rows += len(history)
                    batch = [row for i in ids for row in rows.get(i, ())]
                    if batch:
                        params: dict[str, Any] = {
                            name: list(column)
                            for name, column in zip(_ARRAYS, zip(*batch, strict=True), strict=True)
                        }
                        params |= {"policy_set_id": self.set_id, "now": now}
                        await conn.execute(_UPSERT_CLOCKS.sql, *_UPSERT_CLOCKS.args(params))
                        written += len(batch)
            tickets += len(ids)
            if len(ids) < BATCH:
                break
            after = ids[-1]
        return self._pass(
            started,
            tickets,
            clocks=written,
            facts_rows=facts_rows,
            history_rows=history_rows,
        )


async def measure(
    bench: RecomputeBench,
    source: str,
    rounds: int,
    expected: dict[int, str],
    result: RecomputeResult,
) -> None:
    """The initial computation under A (clocks table emptied first; reported, not a
    figure), then `rounds` rounds: load the other version, project pass, baseline pass."""
    versions = (changed_policies(source), source)
    await bench.conn.execute("TRUNCATE sla_clock, sla_escalation")
    await bench.load(source)
    await bench.quiesce()
    result.first = await bench.project()
    print(
        f"  initial computation (no clocks yet): {result.first.rate:,.0f} tickets/s, "
        f"{result.first.clocks:,} clocks",
        flush=True,
    )
    got = {
        r["id"]: r["sla_policy"]
        for r in await bench.conn.fetch("SELECT id, sla_policy FROM ticket")
    }
    wrong = [i for i, name in expected.items() if got.get(i) != name]
    if wrong:
        result.problems.append(
            f"{len(wrong)} tickets got another policy than built for, e.g. ticket {wrong[0]}: "
            f"{got.get(wrong[0])!r} for {expected[wrong[0]]!r}"
        )
    for round_no in range(rounds):
        result.versions.append(await bench.load(versions[round_no % 2]))
        await bench.quiesce()
        done = await bench.project()
        if done.tickets != result.tickets:
            result.problems.append(f"recomputed {done.tickets:,} of {result.tickets:,} tickets")
        result.project.append(done)
        rows = await bench.clock_rows()
        await bench.quiesce()
        base = await bench.baseline(rows)
        if base.tickets != result.tickets or base.clocks != done.clocks:
            result.problems.append(
                f"the baseline did {base.tickets:,} tickets and {base.clocks:,} clocks"
            )
        result.baseline.append(base)
        print(
            f"  recompute round {round_no + 1}: project {done.rate:,.0f} tickets/s "
            f"({done.seconds:.1f} s), baseline {base.rate:,.0f} tickets/s "
            f"({base.seconds:.1f} s); ratio {done.rate / base.rate:.1%}",
            flush=True,
        )
