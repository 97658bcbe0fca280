"""`make bench`: tickets created per second through POST /api/v1/tickets beside a raw
asyncpg INSERT and a SQLAlchemy ORM INSERT, all measured in this one run.

Settings (environment):
  BENCH_DATABASE_URL  a server to make the fresh database on (default: the embedded
                      PostgreSQL in a temporary home)
  BENCH_WORKERS       uvicorn workers for every server (1, as `servicedesk serve` runs)
  BENCH_CONNECTIONS   wrk connections (64)        BENCH_THREADS   wrk threads (2)
  BENCH_DURATION      seconds measured (15)       BENCH_WARMUP    seconds of warm-up (3)
  BENCH_CUSTOMERS     existing customers (300)
  BENCH_ONLY          a subset of raw,orm,project, for investigating (the ratio needs
                      raw and project)
  BENCH_ROUNDS        rounds, the targets taking turns (3); rows are median rounds
Exits 1 when any request failed: a benchmark with errors is invalid.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench import cpu
from bench.baseline_app import TABLE
from bench.database import BenchDatabase, fresh_database
from bench.load import Load, WrkError, WrkResult, run_wrk, wrk_version
from bench.report import Machine, Report, Row, load_average, markdown, now, table
from bench.seed import Seeded, seed, write_customers
from bench.servers import ServerSettings, serve

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    factory: str
    path: str
    table: str  # where its rows land, to check the 2xx count against
    authenticated: bool


TARGETS = (
    Target(
        "raw",
        "raw asyncpg INSERT (baseline)",
        "bench.baseline_app:create_raw_app",
        "/tickets",
        TABLE,
        False,
    ),
    Target(
        "orm",
        "SQLAlchemy ORM INSERT (reference)",
        "bench.baseline_app:create_orm_app",
        "/tickets",
        TABLE,
        False,
    ),
    Target(
        "project",
        "POST /api/v1/tickets (project)",
        "servicedesk.app:create_app",
        "/api/v1/tickets",
        "ticket",
        True,
    ),
)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Config:
    load: Load
    workers: int
    customers: int
    only: frozenset[str]
    rounds: int

    @classmethod
    def from_env(cls) -> Config:
        return cls(
            load=Load(
                connections=_env_int("BENCH_CONNECTIONS", 64),
                threads=_env_int("BENCH_THREADS", 2),
                duration_s=_env_int("BENCH_DURATION", 15),
                warmup_s=_env_int("BENCH_WARMUP", 3),
            ),
            workers=_env_int("BENCH_WORKERS", 1),
            rounds=max(1, _env_int("BENCH_ROUNDS", 3)),
            customers=_env_int("BENCH_CUSTOMERS", 300),
            only=frozenset(
                k.strip() for k in os.environ.get("BENCH_ONLY", "").split(",") if k.strip()
            )
            or frozenset(t.key for t in TARGETS),
        )


def server_env(target: Target, bdb: BenchDatabase) -> dict[str, str]:
    if target.key == "project":
        return {
            "DATABASE_URL": bdb.url,
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(24),
            "SERVICEDESK_HOME": str(bdb.home),
            "LOG_LEVEL": "WARNING",
        }
    return {"BENCH_PG_DSN": bdb.url}


async def _scalar(url: str, sql: str) -> object:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text(sql))
    finally:
        await engine.dispose()


async def _quiesce(url: str) -> None:
    """Start each measurement from the same state: statistics fresh, WAL flushed."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("VACUUM ANALYZE"))
            with contextlib.suppress(Exception):  # needs superuser on a given server
                await conn.execute(text("CHECKPOINT"))
    finally:
        await engine.dispose()


def _wrk(
    server_url: str,
    target: Target,
    config: Config,
    seconds: int,
    token: str | None,
    tag: str,
    run_no: int,
    customers_file: Path,
) -> WrkResult:
    return run_wrk(
        server_url + target.path,
        connections=config.load.connections,
        threads=config.load.threads,
        duration_s=seconds,
        token=token,
        tag=tag,
        run_no=run_no,
        customers_file=customers_file,
    )


async def _count(url: str, table: str) -> int:
    count = await _scalar(url, f"SELECT count(*) FROM {table}")
    assert isinstance(count, int)
    return count


async def measure(
    target: Target,
    bdb: BenchDatabase,
    seeded: Seeded,
    customers_file: Path,
    config: Config,
    run_no: int,
) -> Row:
    before = await _count(bdb.url, target.table)
    await _quiesce(bdb.url)
    load = config.load
    token = seeded.token if target.authenticated else None
    log_path = RESULTS / "logs" / f"{target.key}.log"
    print(f"… {target.label}: warm-up {load.warmup_s} s, then {load.duration_s} s", flush=True)
    runs: list[WrkResult] = []
    env = server_env(target, bdb)
    with serve(target.key, target.factory, ServerSettings(config.workers), env, log_path) as server:
        if load.warmup_s > 0:
            tag = f"{target.key}{run_no}warm{secrets.token_hex(3)}"
            runs.append(
                await asyncio.to_thread(
                    _wrk,
                    server.base_url,
                    target,
                    config,
                    load.warmup_s,
                    token,
                    tag,
                    run_no,
                    customers_file,
                )
            )
        server_cpu = cpu.server_cpu(server.pid)
        pg = bdb.postmaster_pid
        pg_cpu = cpu.postgres_cpu(pg) if pg else 0.0
        tag = f"{target.key}{run_no}measure{secrets.token_hex(3)}"
        result = await asyncio.to_thread(
            _wrk,
            server.base_url,
            target,
            config,
            load.duration_s,
            token,
            tag,
            run_no + 1,
            customers_file,
        )
        runs.append(result)
        server_cpu = cpu.server_cpu(server.pid) - server_cpu
        pg_cpu = cpu.postgres_cpu(pg) - pg_cpu if pg else 0.0
    problems: list[str] = []
    for phase_result in runs[:-1]:
        if phase_result.failures:
            problems.append(
                f"{phase_result.failures} failures while warming up; first: "
                f"{phase_result.first_error}"
            )
    # Requests in flight when wrk stops are finished by the server but never counted.
    answered = sum(r.ok for r in runs)
    in_flight = load.connections * len(runs)
    created = await _count(bdb.url, target.table) - before
    verified = f"{created:,} rows in {target.table} for {answered:,} 2xx answers seen by wrk"
    if not answered <= created <= answered + in_flight:
        problems.append(
            f"{created:,} rows written for {answered:,} 2xx answers "
            f"(at most {in_flight} may be in flight when wrk stops)"
        )
    per_request = 1000 / result.ok if result.ok else None
    return Row(
        target.key,
        target.label,
        result,
        verified,
        tuple(problems),
        server_cpu_ms=server_cpu * per_request if per_request else None,
        db_cpu_ms=pg_cpu * per_request if pg and per_request else None,
    )


async def run(config: Config) -> Report:
    busy_before = load_average()
    wrk = wrk_version()
    RESULTS.mkdir(parents=True, exist_ok=True)
    async with fresh_database() as bdb:
        print(f"Fresh database on {bdb.server}; seeding {config.customers} customers…", flush=True)
        seeded = await seed(bdb.url, config.customers)
        customers_file = RESULTS / "customers.tsv"
        write_customers(customers_file, seeded.customers)
        version = str(await _scalar(bdb.url, "SHOW server_version")).split(" ")[0]
        # The targets take turns, round after round, so a slow spell of this shared
        # machine hits them alike; each target's median round is reported.
        chosen = [t for t in TARGETS if t.key in config.only]
        measured: dict[str, list[Row]] = {t.key: [] for t in chosen}
        ratios: list[float] = []
        for round_no in range(config.rounds):
            for index, target in enumerate(chosen):
                run_no = (round_no * len(chosen) + index) * 2
                row = await measure(target, bdb, seeded, customers_file, config, run_no)
                measured[target.key].append(row)
            raw, project = measured.get("raw"), measured.get("project")
            if raw and project and raw[-1].result.rate:
                ratios.append(project[-1].result.rate / raw[-1].result.rate)
                print(f"  round {round_no + 1}: project/baseline = {ratios[-1]:.1%}", flush=True)
        rows = [_median(measured[t.key]) for t in chosen]
        machine = Machine.read(version, bdb.server, wrk)
    return Report(
        rows=rows,
        load=config.load,
        workers=config.workers,
        machine=machine,
        at=now(),
        busy=(busy_before, load_average()),
        round_ratios=tuple(ratios) if len(ratios) > 1 else (),
    )


def _median(rows: list[Row]) -> Row:
    """The round with the median rate; a failed request in any round voids the row."""
    middle = sorted(rows, key=lambda r: r.result.rate)[len(rows) // 2]
    problems = list(middle.problems)
    for other in rows:
        if other is middle:
            continue
        problems.extend(other.problems)
        if other.result.failures:
            problems.append(
                f"another round had {other.result.failures} failed requests; first: "
                f"{other.result.first_error[:200]}"
            )
    return replace(middle, problems=tuple(problems))


def save(report: Report) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(markdown(report), encoding="utf-8")
    data = {
        "at": report.at.isoformat(),
        "load": asdict(report.load),
        "workers": report.workers,
        "machine": asdict(report.machine),
        "valid": report.valid,
        "load_average_before_after": report.busy,
        "rows": [
            {
                "key": r.key,
                "label": r.label,
                "rate": r.result.rate,
                "ratio": report.ratio(r),
                "verified": r.verified,
                "problems": r.problems,
                "server_cpu_ms": r.server_cpu_ms,
                "db_cpu_ms": r.db_cpu_ms,
                **asdict(r.result),
            }
            for r in report.rows
        ],
    }
    (RESULTS / "latest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    return RESULTS / "latest.md"


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    try:
        report = asyncio.run(run(config))
    except WrkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print()
    print(table(report))
    path = save(report)
    print(f"\nMarkdown snippet: {path}")
    if not report.valid:
        print(
            "\nINVALID BENCHMARK: some requests failed; the figures above do not count.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
