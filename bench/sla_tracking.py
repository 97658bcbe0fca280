"""`python -m bench.sla_tracking` (also run by `make bench`): SLA clocks at scale, each
figure beside a raw baseline measured in the same run.

The issue: "With 1,000,000 open clocks in the database of which 100 are due, one
escalation sweep takes well under 50 ms (it reads the due ones through an index,
never the million); recomputing 100,000 tickets after a policy change runs at 5,000
tickets per second or more."

On a fresh migrated database (the embedded PostgreSQL, or BENCH_DATABASE_URL):

1. Data, set-based SQL (bench/sla_data.py): BENCH_SLA_TICKETS open tickets with their
   customers, units, messages and audit rows as the services write them; the
   policies of servicedesk/demo/sla.toml loaded with `load_policy_set`; then
   BENCH_SLA_CLOCKS running clocks on those tickets, exactly 100 of them due; ANALYZE.
2. Sweep (bench/sla_sweep.py): `Sweeper(db, registry).sweep(now=t0)` firing the steps
   of the 100 due clocks, against the bare SELECT … FOR UPDATE SKIP LOCKED + UPDATE on
   asyncpg; the clocks are put back and VACUUMed before each; a warm-up round, then
   BENCH_SLA_SWEEPS rounds, each measuring both on pages already in the WAL since the
   last checkpoint and right after a CHECKPOINT; median round. EXPLAIN (ANALYZE,
   BUFFERS) of the due-clocks query shows what it reads.
3. Recompute (bench/sla_recompute.py): the million synthetic clocks are dropped, the
   real ones computed once under the example policies, then BENCH_ROUNDS rounds: load
   the other policy version, `recompute_open_tickets` over every open ticket, then the
   raw baseline (same reads, same upserts, no evaluation); median round.

Writes bench/results/sla-latest.{md,json}; exits 1 when a check failed (a step fired
twice or not at all, a ticket skipped, a policy matched wrongly). Where the recompute's
time goes: `python -m bench.sla_profile`.

Settings (environment):
  BENCH_SLA_TICKETS   open tickets (100,000)
  BENCH_SLA_CLOCKS    clocks for the sweep figure (1,000,000; at most 100 per ticket)
  BENCH_SLA_SWEEPS    sweep rounds (9)
  BENCH_ROUNDS        recompute rounds (5), each over every open ticket
  BENCH_SLA_ONLY      sweep or recompute, for investigating
  BENCH_DATABASE_URL  a server to make the fresh database on (default: embedded)
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

from bench import sla_data
from bench.report import Machine, load_average, now
from bench.sla_recompute import RecomputeBench, RecomputeResult
from bench.sla_recompute import measure as measure_recompute
from bench.sla_report import Report, cpu_times, save, steal_share, table
from bench.sla_sweep import SweepBench, SweepResult
from bench.sla_sweep import measure as measure_sweep

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "servicedesk" / "demo" / "sla.toml"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").replace(",", "").replace("_", "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Config:
    tickets: int
    clocks: int
    sweeps: int
    rounds: int
    only: tuple[str, ...]

    @classmethod
    def from_env(cls) -> Config:
        only = tuple(
            k.strip() for k in os.environ.get("BENCH_SLA_ONLY", "").split(",") if k.strip()
        )
        unknown = set(only) - {"sweep", "recompute"}
        if unknown:
            raise SystemExit(f"BENCH_SLA_ONLY: unknown parts {sorted(unknown)}")
        config = cls(
            tickets=max(sla_data.DUE, _env_int("BENCH_SLA_TICKETS", 100_000)),
            clocks=_env_int("BENCH_SLA_CLOCKS", 1_000_000),
            sweeps=max(1, _env_int("BENCH_SLA_SWEEPS", 9)),
            rounds=max(1, _env_int("BENCH_ROUNDS", 5)),
            only=only or ("sweep", "recompute"),
        )
        if not config.tickets * 2 <= config.clocks <= config.tickets * 100:
            raise SystemExit("BENCH_SLA_CLOCKS: between 2 and 100 clocks per ticket")
        return config

    def line(self) -> str:
        parts = []
        if "sweep" in self.only:
            parts.append(
                f"sweep: {self.clocks:,} running clocks, {sla_data.DUE} due, put back before "
                f"each sweep; {self.sweeps} rounds after a warm-up, in each the project and "
                "the baseline taking turns on pages already in the WAL since the last "
                "checkpoint, then again right after a CHECKPOINT; median round"
            )
        if "recompute" in self.only:
            parts.append(
                f"recompute: {self.tickets:,} open tickets per pass, "
                "batches of 500 (two in flight), "
                f"{self.rounds} rounds (each: the other policy version loaded, then the "
                "project's pass and the baseline's), median round"
            )
        return "; ".join(parts)


async def run(config: Config) -> Report:
    from servicedesk.db import Actor
    from servicedesk.sla_tracking.service import load_policy_set

    busy_before, times_before = load_average(), cpu_times()
    source = POLICIES.read_text(encoding="utf-8")
    sweep: SweepResult | None = None
    recompute: RecomputeResult | None = None
    async with sla_data.wired_desk() as desk:
        bdb, settings, registry, db, conn = (
            desk.bdb,
            desk.settings,
            desk.registry,
            desk.db,
            desk.conn,
        )
        pg_version = str(await conn.fetchval("SHOW server_version")).split(" ")[0]
        t0 = now().replace(microsecond=0) - timedelta(seconds=1)
        started = time.perf_counter()
        print(f"Fresh database on {bdb.server}; building {config.tickets:,} tickets…")
        await sla_data.build_tickets(conn, t0, config.tickets)
        async with db.unit_of_work(Actor.system()) as uow:
            loaded = await load_policy_set(uow, source, user_id=None)
        customers, messages, audit = await sla_data.counts(conn)
        data = (
            f"Data: {config.tickets:,} open tickets of {customers:,} customers, "
            f"{messages:,} messages, {audit:,} audit rows (bench/sla_data.py); "
            f"policies: servicedesk/demo/sla.toml"
        )
        expected = await sla_data.expected_policies(conn)
        build_s = time.perf_counter() - started
        print(f"  {data} ({build_s:.0f} s)", flush=True)
        if "sweep" in config.only:
            print(f"Building {config.clocks:,} clocks…", flush=True)
            step = time.perf_counter()
            clocks = await sla_data.build_clocks(
                conn, t0, config.tickets, config.clocks, loaded.policy_set_id
            )
            due = await sla_data.make_due(conn, t0, config.tickets, loaded.policies)
            await conn.execute("VACUUM ANALYZE sla_clock, sla_escalation")
            build_s += time.perf_counter() - step
            print(f"  {clocks:,} clocks ({time.perf_counter() - step:.0f} s)", flush=True)
            sweep = SweepResult(due=len(due))
            print("Sweep:", flush=True)
            await measure_sweep(SweepBench(conn, db, registry, t0, due), config.sweeps, sweep)
        if "recompute" in config.only:
            print("Recompute:", flush=True)
            recompute = RecomputeResult(tickets=config.tickets)
            bench = RecomputeBench(conn, db, registry, settings.time_zone, bdb.postmaster_pid)
            await measure_recompute(bench, source, config.rounds, expected, recompute)
        machine = Machine.read(pg_version, bdb.server, f"asyncpg {version('asyncpg')}")
    return Report(
        settings=config.line(),
        data=data,
        sweep=sweep,
        recompute=recompute,
        machine=machine,
        at=now(),
        busy=(busy_before, load_average()),
        steal=steal_share(times_before, cpu_times()),
        build_s=build_s,
        config=asdict(config),
    )


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    report = asyncio.run(run(config))
    print()
    print(table(report))
    path = save(report)
    print(f"\nMarkdown snippet: {path}")
    if not report.valid:
        print("\nINVALID BENCHMARK: a check failed; the figures do not count.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
