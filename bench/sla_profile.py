"""Where the SLA figures' time goes, for `bench.sla_tracking`'s figures.

    python -m bench.sla_profile [TICKETS]     (20,000 by default)

On a fresh database built like bench.sla_tracking's (bench/sla_data.py), in this
process, after a warm-up:

1. the recompute: one `recompute_open_tickets` pass after a policy change, with
   every round trip counted and timed at the asyncpg connection (below SQLAlchemy)
   and the process's CPU sampled (bench/sampler.py); then the same evaluation with
   no database at all (the records loaded once, `policy_for` + `evaluate` +
   `steps.next_action_at` per ticket), timed piece by piece;
2. the sweep: 100 due clocks (10 clocks per ticket), SWEEPS sweeps, clocks put back
   between them, round trips and CPU as above.

Writes bench/results/sla-profile.txt and the sampled stacks to
sla-profile-{recompute,sweep}.collapsed (flamegraph.pl or speedscope read them).
Sampling and round-trip timing cost ~10-20 %: the shares matter, not the totals.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import sla_data
from bench.cpu import postgres_cpu
from bench.mail_profile import timing_round_trips
from bench.report import now
from bench.sampler import Sampler
from bench.sla_recompute import RecomputeBench, changed_policies
from bench.sla_report import RESULTS
from bench.sla_sweep import SweepBench, SweepResult
from bench.sla_tracking import POLICIES

SWEEPS = 15

# Steps by a frame that marks them; the innermost marked frame on the stack wins.
RECOMPUTE_STEPS: list[tuple[str, str]] = [
    ("calendar arithmetic (sla/calendar.py, sla/_calendar_*)", "sla/_calendar"),
    ("calendar arithmetic (sla/calendar.py, sla/_calendar_*)", "sla/calendar.py"),
    ("evaluate: replaying the history into clocks (sla/clock.py)", "sla/clock.py"),
    ("next_action_at: pending steps (steps.py, sla/escalation.py)", "sla/escalation.py"),
    ("next_action_at: pending steps (steps.py, sla/escalation.py)", "sla_tracking/steps.py"),
    ("policy matching (sla/policy.py)", "sla/policy.py"),
    ("load_records: facts, warranty, HistoryEvent/TicketRecord objects", "history.py"),
    ("load_records: facts, warranty, HistoryEvent/TicketRecord objects", "warranty.py"),
    ("asyncpg: statements sent, results decoded", "asyncpg/"),
    ("SQLAlchemy: session, BEGIN through exec_driver_sql, COMMIT", "sqlalchemy/"),
    ("unit of work (servicedesk/db.py)", "servicedesk/db.py"),
    ("recompute's own Python: rows for the upsert, done steps, ticket dues", "service.py"),
]
SWEEP_STEPS: list[tuple[str, str]] = [
    ("pure step rules (steps.py, sla/escalation.py)", "sla_tracking/steps.py"),
    ("pure step rules (steps.py, sla/escalation.py)", "sla/escalation.py"),
    ("ORM session.get(Ticket), one per clock", "AsyncSession.get ("),
    ("ORM selects: customer's organisation per step, teams per notify", "AsyncSession.scalar ("),
    (
        "hand-written statements (log read, claim, save) through UnitOfWork.fetch*",
        "UnitOfWork.fetch",
    ),
    ("audit rows (record) and events (emit)", "servicedesk/audit/"),
    ("audit rows (record) and events (emit)", "UnitOfWork.emit ("),
    ("COMMIT: flush, the audit INSERT, COMMIT", "UnitOfWork.commit ("),
    ("unit of work open/close, session", "UnitOfWork.__a"),
    ("the sweeper's own Python", "sweeper.py"),
]
OUTSIDE = "event loop, asyncpg protocol (rows decoded), the harness"


def step_of(frames: list[str], marks: list[tuple[str, str]]) -> str:
    for frame in reversed(frames):
        for name, marker in marks:
            if marker in frame:
                return name
    return OUTSIDE


def cpu_by_step(collapsed: Path, marks: list[tuple[str, str]]) -> list[tuple[str, float]]:
    steps: Counter[str] = Counter()
    for line in collapsed.read_text(encoding="utf-8").splitlines():
        stack, _, spent = line.rpartition(" ")
        steps[step_of(stack.split(";"), marks)] += int(spent)
    total = sum(steps.values()) or 1
    return [(name, n / total) for name, n in steps.most_common()]


async def observed(
    action: Callable[[], Awaitable[Any]], collapsed: Path
) -> tuple[float, float, list[tuple[str, float]]]:
    """Wall and CPU seconds of `action`, and its round trips (statement, seconds)."""
    trips: list[tuple[str, float]] = []
    sampler = Sampler(collapsed)
    wall, cpu = time.perf_counter(), time.process_time()
    sampler.start()
    with timing_round_trips(trips):
        await action()
    sampler.stop()
    return time.perf_counter() - wall, time.process_time() - cpu, trips


def cpu_of_postgres(postmaster: int | None) -> float:
    return postgres_cpu(postmaster) if postmaster else 0.0


def trips_table(trips: list[tuple[str, float]], per: float, unit: str) -> list[str]:
    by: dict[str, list[float]] = defaultdict(list)
    for statement, spent in trips:
        by[statement].append(spent)
    out = [f"  {'calls/' + unit:>12}  {'ms/' + unit:>9}  statement"]
    for statement, times in sorted(by.items(), key=lambda kv: -sum(kv[1])):
        # bench.sqlcount's short form says DO NOTHING for any ON CONFLICT
        if statement.startswith("INSERT INTO sla_clock"):
            statement = "INSERT INTO sla_clock SELECT … FROM unnest(…) ON CONFLICT DO UPDATE"
        out.append(f"  {len(times) / per:12.2f}  {sum(times) * 1000 / per:9.3f}  {statement}")
    return out


def evaluation_alone(records: list[Any], policies: Any, at: Any) -> list[str]:
    """The recompute's Python evaluation with no database: µs per ticket by piece."""
    from servicedesk.sla_tracking import steps
    from sla.clock import evaluate

    spent: dict[str, float] = defaultdict(float)
    clocks_n = 0
    for _ in range(2):  # the first pass warms the calendars' caches
        spent.clear()
        clocks_n = 0
        for rec in records:
            t = time.perf_counter()
            policy = policies.policy_for(rec.facts)
            t1 = time.perf_counter()
            clocks = evaluate(
                policy, policies.calendar_of(policy), rec.history, rec.facts.priority, at
            )
            t2 = time.perf_counter()
            for clock in clocks:
                steps.next_action_at(policy, clock, frozenset())
            t3 = time.perf_counter()
            spent["policy_for"] += t1 - t
            spent["evaluate (history replay + calendar)"] += t2 - t1
            spent["steps.next_action_at per clock"] += t3 - t2
            clocks_n += len(clocks)
    n = len(records)
    total = sum(spent.values())
    out = [
        f"  {total * 1e6 / n:7.1f} µs per ticket in all ({n / total:,.0f} tickets/s if this "
        f"were all; {clocks_n / n:.2f} clocks per ticket)"
    ]
    out += [
        f"  {v * 1e6 / n:7.1f} µs  {k}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1])
    ]
    return out


async def recompute_profile(bench: RecomputeBench, source: str, tickets: int) -> list[str]:
    from servicedesk.db import Actor
    from servicedesk.sla_tracking.history import load_records

    await bench.load(source)
    await bench.project()  # the initial computation; warms everything up
    await bench.load(changed_policies(source))
    await bench.quiesce()
    collapsed = RESULTS / "sla-profile-recompute.collapsed"
    pg = cpu_of_postgres(bench.pg)
    wall, cpu, trips = await observed(bench.project, collapsed)
    pg = cpu_of_postgres(bench.pg) - pg
    waited = sum(s for _, s in trips)
    batches = -(-tickets // 500)
    out = [
        f"recompute_open_tickets after a policy change, {tickets:,} tickets "
        f"({batches} batches of 500), sampled and timed:",
        f"  {tickets / wall:,.0f} tickets/s; per ticket {wall * 1e6 / tickets:.0f} µs wall = "
        f"{waited * 1e6 / tickets:.0f} µs in asyncpg calls ({len(trips) / batches:.1f} round "
        f"trips per batch: PostgreSQL's work, and the driver encoding parameters and decoding "
        f"rows) + {(wall - waited) * 1e6 / tickets:.0f} µs of Python outside them; CPU of "
        f"this process {cpu * 1e6 / tickets:.0f} µs",
        *([f"  PostgreSQL's processes: {pg * 1e6 / tickets:.0f} µs CPU per ticket"] if pg else []),
        "",
        "Round trips per batch of 500:",
        *trips_table(trips, batches, "batch"),
        "",
        "CPU of this process by step (sampled; innermost step wins):",
    ]
    for name, share in cpu_by_step(collapsed, RECOMPUTE_STEPS):
        out.append(f"  {share:6.1%}  {cpu * 1e6 * share / tickets:6.1f} µs/ticket  {name}")
    registry = bench.registry
    async with bench.db.unit_of_work(Actor.system()) as uow:
        active = await registry.active(uow)
        assert active is not None
        ids = list(range(1, tickets + 1))
        records = []
        started = time.perf_counter()
        for i in range(0, len(ids), 500):
            records += await load_records(uow, ids[i : i + 500], bench.zone)
        loading = time.perf_counter() - started
    out += [
        "",
        f"load_records alone (the two SELECTs and the TicketRecords): "
        f"{loading * 1e6 / tickets:.0f} µs per ticket",
        "The evaluation alone, no database (policy_for, evaluate, next_action_at):",
        *evaluation_alone(records, active[1], now()),
    ]
    return out


async def sweep_profile(bench: SweepBench) -> list[str]:
    result = SweepResult(due=len(bench.due))
    await bench.snapshot()
    collapsed = RESULTS / "sla-profile-sweep.collapsed"
    all_trips: list[tuple[str, float]] = []
    wall = cpu = 0.0
    sampler_stacks: Counter[str] = Counter()
    fired: list[int] = []

    async def sweep_once() -> None:
        fired.append((await bench.project())[1])

    try:
        await bench.reset()
        await bench.project()  # warm-up
        for _ in range(SWEEPS):
            await bench.reset()
            w, c, trips = await observed(sweep_once, collapsed)
            await bench.check_project(fired[-1], result)
            wall, cpu = wall + w, cpu + c
            all_trips += trips
            for line in collapsed.read_text(encoding="utf-8").splitlines():
                stack, _, spent = line.rpartition(" ")
                sampler_stacks[stack] += int(spent)
        await bench.reset()
    finally:
        await bench.drop()
    collapsed.write_text("".join(f"{s} {n}\n" for s, n in sampler_stacks.most_common()))
    waited = sum(s for _, s in all_trips)
    out = [
        f"Sweeper.sweep with {len(bench.due)} clocks due ({fired[-1]} steps fire), "
        f"{SWEEPS} sweeps, sampled and timed:",
        f"  {wall * 1000 / SWEEPS:.1f} ms per sweep = {waited * 1000 / SWEEPS:.1f} ms in asyncpg "
        f"calls ({len(all_trips) / SWEEPS:.0f} round trips) + "
        f"{(wall - waited) * 1000 / SWEEPS:.1f} ms of Python outside them; CPU of this "
        f"process {cpu * 1000 / SWEEPS:.1f} ms",
        "",
        "Round trips per sweep:",
        *trips_table(all_trips, SWEEPS, "sweep"),
        "",
        "CPU of this process by step (sampled; innermost step wins):",
    ]
    for name, share in cpu_by_step(collapsed, SWEEP_STEPS):
        out.append(f"  {share:6.1%}  {cpu * 1000 * share / SWEEPS:6.2f} ms/sweep  {name}")
    if result.problems:
        out += ["", *[f"PROBLEM: {p}" for p in result.problems]]
    return out


async def investigate(tickets: int) -> str:
    from servicedesk.db import Actor
    from servicedesk.sla_tracking.service import load_policy_set

    source = POLICIES.read_text(encoding="utf-8")
    async with sla_data.wired_desk() as desk:
        bdb, settings, registry, db, conn = (
            desk.bdb,
            desk.settings,
            desk.registry,
            desk.db,
            desk.conn,
        )
        t0 = now().replace(microsecond=0) - timedelta(seconds=1)
        await sla_data.build_tickets(conn, t0, tickets)
        async with db.unit_of_work(Actor.system()) as uow:
            loaded = await load_policy_set(uow, source, user_id=None)
        await sla_data.build_clocks(conn, t0, tickets, tickets * 10, loaded.policy_set_id)
        due = await sla_data.make_due(conn, t0, tickets, loaded.policies)
        await conn.execute("VACUUM ANALYZE sla_clock, sla_escalation")
        sweep = await sweep_profile(SweepBench(conn, db, registry, t0, due))
        await conn.execute("TRUNCATE sla_clock, sla_escalation")
        bench = RecomputeBench(conn, db, registry, settings.time_zone, bdb.postmaster_pid)
        recompute = await recompute_profile(bench, source, tickets)
    return "\n".join([*recompute, "", *sweep])


def main() -> int:
    tickets = int(sys.argv[1].replace(",", "")) if len(sys.argv) > 1 else 20_000
    text = asyncio.run(investigate(tickets))
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sla-profile.txt").write_text(text + "\n", encoding="utf-8")
    print(f"\nStacks: {RESULTS}/sla-profile-{{recompute,sweep}}.collapsed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
