"""`python -m bench.sms_webhooks` (also run by `make bench`): signed inbound SMS
webhooks filed on tickets per second under concurrent load, beside a raw Starlette +
asyncpg baseline measured in the same run.

Targets, each served by uvicorn in its own process (bench/servers.py: one worker,
uvloop, httptools, no access log), each on its own copy of one seeded template
database, taking turns round after round:

  raw      bench/sms_baseline.py: Starlette `request.form()`, the twilio library's
           RequestValidator, one `INSERT … ON CONFLICT (message_sid) DO NOTHING` on a
           raw asyncpg pool, an empty TwiML answer
  project  the app (`servicedesk.app:create_app`) with PUBLIC_BASE_URL,
           TWILIO_AUTH_TOKEN and TWILIO_ACCOUNT_SID set and RUN_WORKER=true (the
           default: `servicedesk serve` runs the job worker and the SLA sweeper in the
           web process); TWILIO_API_BASE points at a closed local port, so nothing
           could leave the machine (inbound texts send nothing)
  retries  the project again, on the same webhooks with a share of them sent twice,
           as Twilio retries a webhook it thinks failed
  sla      the project again, with the demo desk's SLA policies (servicedesk/demo/
           sla.toml) the active version: every text recomputes its ticket's clocks in
           the transaction. The other rows, like bench.run and bench.mail, have no
           policy loaded (the SLA subscriber then finds nothing to compute)

Load: wrk (a separate process) replays pre-signed webhooks (bench/sms_corpus.py,
bench/sms_replay.lua) with one connection per thread, each connection sending its
stream in order, so a number's next text follows its answered previous one. Warm-up
on a corpus of its own, then VACUUM ANALYZE + CHECKPOINT, then the measured seconds.
Afterwards, with the server stopped, the database is checked against wrk's per-stream
counts (bench/sms_verify.py). Exits 1 when any webhook failed or was not filed.

Settings (environment):
  BENCH_ROUNDS              rounds, the targets taking turns (3); rows are median rounds
  BENCH_CONNECTIONS         concurrent connections = wrk threads = streams (64)
  BENCH_DURATION            seconds measured (15)     BENCH_WARMUP  seconds of warm-up (3)
  BENCH_WORKERS             uvicorn workers for every server (1)
  BENCH_SMS_PER_STREAM      webhooks per stream in the measured corpus (2000)
  BENCH_SMS_WARM_PER_STREAM webhooks per stream in the warm-up corpus (400)
  BENCH_SMS_CUSTOMERS       existing customers with a phone (1000)
  BENCH_SMS_RETRIES         percent of webhooks sent twice in the retries row (5)
  BENCH_SMS_ONLY            a subset of raw,project,retries,sla in the order to run them,
                            for investigating
  BENCH_DATABASE_URL        a server to make the databases on (default: embedded)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg
from sqlalchemy import make_url

from bench import cpu
from bench.database import BenchDatabase, fresh_database
from bench.load import WrkError, wrk_version
from bench.report import Machine, load_average, now
from bench.servers import ServerSettings, serve
from bench.sms_corpus import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PATH,
    PUBLIC_BASE,
    Corpus,
    build,
    with_retries,
)
from bench.sms_load import replay
from bench.sms_report import RESULTS, Report, Row, median, save, table
from bench.sms_seed import SmsSeed, activate_demo_policies, prepare
from bench.sms_verify import Replayed, verify_project, verify_raw
from servicedesk.embedded import normalise_url

LABELS = {
    "raw": "raw: form + RequestValidator + 1 asyncpg INSERT (baseline)",
    "project": "`POST /twilio/sms`, the app (project)",
    "retries": "the same, {retries} % of webhooks sent twice (project)",
    "sla": "the same, the demo desk's SLA policies active (project)",
}
FACTORIES = {
    "raw": "bench.sms_baseline:create_app",
    "project": "servicedesk.app:create_app",
    "retries": "servicedesk.app:create_app",
    "sla": "servicedesk.app:create_app",
}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Config:
    rounds: int
    connections: int
    duration_s: int
    warmup_s: int
    workers: int
    per_stream: int
    warm_per_stream: int
    customers: int
    retries_percent: int
    only: tuple[str, ...]

    @classmethod
    def from_env(cls) -> Config:
        only = [k.strip() for k in os.environ.get("BENCH_SMS_ONLY", "").split(",") if k.strip()]
        if unknown := set(only) - set(LABELS):
            raise SystemExit(f"BENCH_SMS_ONLY: unknown targets {sorted(unknown)}")
        return cls(
            rounds=max(1, _env_int("BENCH_ROUNDS", 3)),
            connections=max(1, _env_int("BENCH_CONNECTIONS", 64)),
            duration_s=max(1, _env_int("BENCH_DURATION", 15)),
            warmup_s=max(1, _env_int("BENCH_WARMUP", 3)),
            workers=max(1, _env_int("BENCH_WORKERS", 1)),
            per_stream=_env_int("BENCH_SMS_PER_STREAM", 2000),
            warm_per_stream=_env_int("BENCH_SMS_WARM_PER_STREAM", 400),
            customers=_env_int("BENCH_SMS_CUSTOMERS", 1000),
            retries_percent=_env_int("BENCH_SMS_RETRIES", 5),
            only=tuple(dict.fromkeys(only)) if only else tuple(LABELS),
        )

    def label(self, key: str) -> str:
        return LABELS[key].format(retries=self.retries_percent)


# --- databases ---


@dataclass(frozen=True)
class Template:
    """The seeded database; every measurement gets a copy of it."""

    bench: BenchDatabase
    admin_dsn: str

    @contextlib.asynccontextmanager
    async def copy(self, name: str) -> AsyncIterator[str]:
        template = make_url(self.bench.url).database
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            try:
                yield make_url(self.bench.url).set(database=name).render_as_string(False)
            finally:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    @classmethod
    def of(cls, bdb: BenchDatabase) -> Template:
        given = os.environ.get("BENCH_DATABASE_URL")
        admin = (
            normalise_url(given)
            if given
            else make_url(bdb.url).set(database="postgres").render_as_string(hide_password=False)
        )
        return cls(bdb, _dsn(admin))


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _quiesce(url: str) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute("VACUUM ANALYZE")
        with contextlib.suppress(asyncpg.PostgresError):  # needs superuser on a given server
            await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


def server_env(key: str, url: str, home: Path) -> dict[str, str]:
    if key == "raw":
        return {
            "BENCH_PG_DSN": url,
            "BENCH_SMS_TOKEN": AUTH_TOKEN,
            "BENCH_SMS_PUBLIC_URL": PUBLIC_BASE,
        }
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(24),
        "SERVICEDESK_HOME": str(home),
        "LOG_LEVEL": "WARNING",
        "PUBLIC_BASE_URL": PUBLIC_BASE,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_API_BASE": "http://127.0.0.1:9",
        "RUN_WORKER": "true",
        "DEFAULT_REGION": "IL",
    }


# --- one measurement ---


@dataclass(frozen=True)
class Corpora:
    warm: Corpus
    measured: Corpus
    retries: Corpus
    folders: dict[str, Path]  # corpus name → its stream files


async def measure(
    key: str, template: Template, corpora: Corpora, seeded: SmsSeed, config: Config, round_no: int
) -> Row:
    label = config.label(key)
    print(f"… {label}: round {round_no + 1}", flush=True)
    measured_corpus = corpora.retries if key == "retries" else corpora.measured
    pg = template.bench.postmaster_pid
    log_path = RESULTS / "logs" / f"sms-{key}.log"
    name = f"{make_url(template.bench.url).database}_{key}{round_no}"
    async with template.copy(name) as url:
        if key == "sla":
            await activate_demo_policies(url)
        env = server_env(key, url, template.bench.home)
        settings = ServerSettings(config.workers)
        with serve(key, FACTORIES[key], settings, env, log_path) as server:
            target = server.base_url + PATH
            warm_folder = corpora.folders[corpora.warm.name]
            warm = await asyncio.to_thread(
                replay, target, warm_folder, config.connections, config.warmup_s
            )
            await _quiesce(url)
            server_before = cpu.server_cpu(server.pid)
            pg_before = cpu.postgres_cpu(pg) if pg else 0.0
            result = await asyncio.to_thread(
                replay,
                target,
                corpora.folders[measured_corpus.name],
                config.connections,
                config.duration_s,
            )
            server_cpu = cpu.server_cpu(server.pid) - server_before
            pg_cpu = cpu.postgres_cpu(pg) - pg_before if pg else None
        runs = [
            Replayed(corpora.warm, warm.streams),
            Replayed(measured_corpus, result.streams),
        ]
        if key == "raw":
            seen, problems = await verify_raw(url, runs)
        else:
            seen, problems = await verify_project(
                url, runs, seeded.open_ticket_of, sla=key == "sla"
            )
    for phase, run in (("warm-up", warm), ("measured", result)):
        if run.exhausted:
            problems.append(
                f"{run.exhausted} streams ran out of webhooks ({phase}): raise "
                "BENCH_SMS_PER_STREAM / BENCH_SMS_WARM_PER_STREAM"
            )
    n = max(result.ok, 1)
    row = Row(
        key=key,
        label=label,
        ok=result.ok,
        seconds=result.duration_s,
        failures=warm.failures + result.failures,
        p50_ms=result.latency_ms["p50"],
        p99_ms=result.latency_ms["p99"],
        server_cpu_ms=server_cpu * 1000 / n,
        pg_cpu_ms=pg_cpu * 1000 / n if pg_cpu is not None else None,
        client_cpu_ms=result.client_cpu_s * 1000 / n,
        verified=seen,
        problems=tuple(problems),
        first_error=warm.first_error or result.first_error,
    )
    print(f"  {row.rate:,.0f} webhooks/s, {row.failures} failed, {len(problems)} problems")
    return row


async def run(config: Config) -> Report:
    busy_before = load_average()
    with tempfile.TemporaryDirectory(prefix="sms-corpus-") as folder:
        return await _run(config, busy_before, Path(folder))


async def _run(config: Config, busy_before: float, corpus_root: Path) -> Report:
    warm = build(config.warm_per_stream, config.connections, customers=config.customers, corpus=1)
    measured = build(config.per_stream, config.connections, customers=config.customers, corpus=2)
    retries = with_retries(measured, config.retries_percent / 100)
    folders = {}
    for corpus in (warm, measured, retries):
        folders[corpus.name] = corpus_root / corpus.name
        corpus.write(folders[corpus.name])
    corpora = Corpora(warm, measured, retries, folders)
    print(f"Corpus: {measured.describe()}", flush=True)
    async with fresh_database() as bdb:
        print(f"Seeding {config.customers} customers on {bdb.server}…", flush=True)
        seeded = await prepare(bdb.url, config.customers)
        conn = await asyncpg.connect(_dsn(bdb.url))
        try:
            version = str(await conn.fetchval("SHOW server_version")).split(" ")[0]
        finally:
            await conn.close()
        template = Template.of(bdb)
        rows: dict[str, list[Row]] = {k: [] for k in config.only}
        ratios: dict[str, list[float]] = {k: [] for k in config.only if k != "raw"}
        for round_no in range(config.rounds):
            for key in config.only:
                rows[key].append(await measure(key, template, corpora, seeded, config, round_no))
            raw = rows.get("raw")
            if raw and raw[-1].rate:
                for key in ratios:
                    ratios[key].append(rows[key][-1].rate / raw[-1].rate)
                shown = ", ".join(f"{k}/raw = {v[-1]:.1%}" for k, v in ratios.items())
                print(f"  round {round_no + 1}: {shown}", flush=True)
        machine = Machine.read(version, bdb.server, wrk_version())
    return Report(
        rows=[median(rows[k]) for k in config.only],
        settings=settings_line(config),
        config=asdict(config),
        corpus=measured.describe() + f" (warm-up: {len(warm):,} more, from other numbers)",
        machine=machine,
        at=now(),
        busy=(busy_before, load_average()),
        round_ratios=ratios,
        round_rates={k: [r.rate for r in v] for k, v in rows.items()},
    )


def settings_line(c: Config) -> str:
    return (
        f"{c.connections} connections = wrk threads, each replaying its stream of signed "
        f"webhooks in order; {c.duration_s} s measured after {c.warmup_s} s warm-up; uvicorn "
        f"--workers {c.workers} --loop uvloop --http httptools --no-access-log; "
        f"{c.rounds} rounds, targets taking turns, each on a fresh copy of the seeded "
        f"database ({c.customers:,} existing customers), median round per row"
    )


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    try:
        wrk_version()
        report = asyncio.run(run(config))
    except WrkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print()
    print(table(report))
    path = save(report)
    print(f"\nMarkdown snippet: {path}")
    if not report.valid:
        print("\nINVALID BENCHMARK: some webhooks failed or were not filed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
