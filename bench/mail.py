"""`python -m bench.mail` (also run by `make bench`): e-mail intake, messages per second,
beside a raw baseline measured in the same run.

Three targets deliver the same corpus (bench/mail_corpus.py) with the same
concurrency, each on a fresh migrated database, taking turns round after round:

  raw      stdlib `BytesParser(policy=email.policy.default).parsebytes` and the
           plain-text body, then one asyncpg INSERT (Message-ID, subject, From,
           body text) into a plain table; an asyncpg pool of CONCURRENCY connections
  project  `receive_email(db, raw, settings)` in this process, wired as the mailgate
           wires it (`Database(make_engine(url, pool_size=CONCURRENCY), bus)`,
           `subscribe_domain`): parse, then intake in one transaction, committed
  smtp     the app (`uvicorn servicedesk.app:create_app`, one worker, DB_POOL_SIZE=
           CONCURRENCY) with SMTP_LISTEN on a free port and RUN_WORKER=false (the
           outbound worker would compete for the CPU; acknowledgements are deferred,
           not sent), fed by CONCURRENCY aiosmtplib sessions, each sending its
           stream on one connection

Each concurrent worker delivers one stream of the corpus in order, so a follow-up
always arrives after the message it answers has been committed, and must land on
that message's ticket. Only 250 answers (or a returned result) count; afterwards the
rows are counted in the database. Exits 1 if any message failed or was misfiled.
Where the project's time goes: `python -m bench.mail_profile`.

Settings (environment):
  BENCH_ROUNDS             rounds, the targets taking turns (3); rows are median rounds
  BENCH_MAIL_MESSAGES      messages measured per target and round (1500)
  BENCH_MAIL_WARMUP        messages delivered first, not measured (120)
  BENCH_MAIL_CONCURRENCY   concurrent workers / SMTP sessions / pool size (4)
  BENCH_MAIL_ONLY          a subset of raw,project,smtp, for investigating
  BENCH_DATABASE_URL       a server to make the databases on (default: embedded)
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import logging
import os
import secrets
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import make_url

from bench import cpu
from bench.database import BenchDatabase, fresh_database
from bench.mail_corpus import DESK, Corpus, Mail, build
from bench.mail_report import RESULTS, Report, Row, median, save, table
from bench.report import Machine, load_average, now
from bench.servers import ServerSettings, free_port, serve
from servicedesk.embedded import normalise_url

TABLE = "bench_mail"
DDL = f"""
CREATE TABLE {TABLE} (
    id bigserial PRIMARY KEY,
    message_id text NOT NULL,
    subject text NOT NULL,
    sender text NOT NULL,
    body text NOT NULL
)
"""
INSERT = f"INSERT INTO {TABLE} (message_id, subject, sender, body) VALUES ($1, $2, $3, $4)"
LABELS = {
    "raw": "raw: stdlib parse (policy.default) + 1 asyncpg INSERT (baseline)",
    "project": "receive_email in process (project)",
    "smtp": "SMTP listener, `servicedesk.app` + aiosmtplib (project)",
}

Deliver = Callable[[Mail], Awaitable[int | None]]  # the ticket id it was filed on


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Config:
    rounds: int
    messages: int
    warmup: int
    concurrency: int
    only: tuple[str, ...]

    @classmethod
    def from_env(cls) -> Config:
        only = [k.strip() for k in os.environ.get("BENCH_MAIL_ONLY", "").split(",") if k.strip()]
        unknown = set(only) - set(LABELS)
        if unknown:
            raise SystemExit(f"BENCH_MAIL_ONLY: unknown targets {sorted(unknown)}")
        return cls(
            rounds=max(1, _env_int("BENCH_ROUNDS", 3)),
            messages=_env_int("BENCH_MAIL_MESSAGES", 1500),
            warmup=_env_int("BENCH_MAIL_WARMUP", 120),
            concurrency=max(1, _env_int("BENCH_MAIL_CONCURRENCY", 4)),
            only=tuple(k for k in LABELS if not only or k in only),
        )


@dataclass
class Tally:
    """What the deliveries of one corpus answered."""

    ok: int = 0
    failed: int = 0
    first_error: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    ticket_of: dict[str, int] = field(default_factory=dict)  # Message-ID → ticket id
    seconds: float = 0.0

    def misfiled(self, corpus: Corpus) -> list[str]:
        """Follow-ups not on the ticket of the message they answer."""
        wrong = []
        for mail in corpus.mails:
            if mail.answers is None or mail.message_id not in self.ticket_of:
                continue
            if self.ticket_of[mail.message_id] != self.ticket_of.get(mail.answers):
                wrong.append(mail.message_id)
        return wrong


async def deliver_all(corpus: Corpus, connect: Callable[[], Any], tally: Tally) -> None:
    """Each stream on its own worker, in order; every message timed."""

    async def worker(stream: tuple[Mail, ...]) -> None:
        async with connect() as deliver:
            for mail in stream:
                started = time.perf_counter()
                try:
                    ticket = await deliver(mail)
                except Exception as exc:  # counted, reported, voids the run
                    tally.failed += 1
                    tally.first_error = tally.first_error or f"{type(exc).__name__}: {exc}"
                    continue
                tally.latencies_ms.append((time.perf_counter() - started) * 1000)
                tally.ok += 1
                if ticket is not None:
                    tally.ticket_of[mail.message_id] = ticket

    started = time.perf_counter()
    await asyncio.gather(*(worker(stream) for stream in corpus.streams))
    tally.seconds = time.perf_counter() - started


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _settings_env(url: str, home: Path, pool_size: int = 10) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(24),
        "SERVICEDESK_HOME": str(home),
        "LOG_LEVEL": "WARNING",
        "MAIL_FROM": f"Service desk <{DESK}>",
        "RUN_WORKER": "false",
        "DB_POOL_SIZE": str(pool_size),
    }


# --- the three targets: each yields (connect, the intake process's CPU seconds so far) ---

Session = AsyncIterator[tuple[Callable[[], Any], Callable[[], float]]]


@contextlib.asynccontextmanager
async def raw_target(url: str, home: Path, concurrency: int) -> Session:
    pool = await asyncpg.create_pool(_dsn(url), min_size=concurrency, max_size=concurrency)
    assert pool is not None
    await pool.execute(DDL)
    parser = BytesParser(policy=email.policy.default)

    async def deliver(mail: Mail) -> int | None:
        message: Any = parser.parsebytes(mail.raw)
        body = message.get_body(("plain", "html"))
        text = body.get_content() if body is not None else ""
        await pool.execute(
            INSERT,
            str(message["message-id"] or ""),
            str(message["subject"] or ""),
            str(message["from"] or ""),
            text,
        )
        return None

    @contextlib.asynccontextmanager
    async def connect() -> AsyncIterator[Deliver]:
        yield deliver

    try:
        yield connect, time.process_time
    finally:
        await pool.close()


@contextlib.asynccontextmanager
async def project_target(url: str, home: Path, concurrency: int) -> Session:
    from servicedesk.channels.email.receive import receive_email
    from servicedesk.db import Database, make_engine
    from servicedesk.events import EventBus
    from servicedesk.settings import load_settings
    from servicedesk.wiring import subscribe_domain

    settings = load_settings(_settings_env(url, home))
    bus = EventBus()
    subscribe_domain(bus, settings)
    db = Database(make_engine(url, pool_size=concurrency), bus)

    async def deliver(mail: Mail) -> int | None:
        result = await receive_email(db, mail.raw, settings)
        if result.ticket_id is None:
            raise RuntimeError(f"not filed ({result.outcome}): {result.reason}")
        return result.ticket_id

    @contextlib.asynccontextmanager
    async def connect() -> AsyncIterator[Deliver]:
        yield deliver

    try:
        yield connect, time.process_time
    finally:
        await db.dispose()


@contextlib.asynccontextmanager
async def smtp_target(url: str, home: Path, concurrency: int) -> Session:
    import aiosmtplib

    port = free_port()
    env = {**_settings_env(url, home, concurrency), "SMTP_LISTEN": f"127.0.0.1:{port}"}
    log_path = RESULTS / "logs" / "mail-smtp.log"
    with serve("smtp", "servicedesk.app:create_app", ServerSettings(1), env, log_path) as server:

        @contextlib.asynccontextmanager
        async def connect() -> AsyncIterator[Deliver]:
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
            await client.connect()

            async def deliver(mail: Mail) -> int | None:
                if not client.is_connected:
                    await client.connect()
                _, answer = await client.sendmail(mail.sender.address, [DESK], mail.raw)
                # aiosmtplib raises unless the DATA answer was 250: "OK: ticket <id>"
                if not answer.startswith("OK: ticket "):
                    raise RuntimeError(f"250 without a ticket: {answer!r}")
                return int(answer.rsplit(" ", 1)[1])

            try:
                yield deliver
            finally:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    await client.quit()

        yield connect, lambda: cpu.server_cpu(server.pid)


TARGETS: dict[str, Callable[[str, Path, int], Any]] = {
    "raw": raw_target,
    "project": project_target,
    "smtp": smtp_target,
}


# --- one measurement ---


@dataclass(frozen=True)
class Databases:
    bench: BenchDatabase
    admin_dsn: str  # a database on the same server to create and drop the copies from

    @contextlib.asynccontextmanager
    async def copy(self, name: str) -> AsyncIterator[str]:
        """A fresh database copied from the migrated template: cheaper than migrating."""
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


async def _quiesce(url: str) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute("VACUUM ANALYZE")
        with contextlib.suppress(asyncpg.PostgresError):  # needs superuser on a given server
            await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def _verify(
    key: str, url: str, warm: Corpus, measured: Corpus, tally: Tally
) -> tuple[str, list[str]]:
    """Rows in the database against what was delivered: what was seen, what is wrong."""
    total = len(warm) + len(measured)
    conn = await asyncpg.connect(_dsn(url))
    try:
        if key == "raw":
            rows = await conn.fetchval(f"SELECT count(*) FROM {TABLE}")
            problems = [] if rows == total else [f"{rows:,} rows in {TABLE} for {total:,} sent"]
            return f"{rows:,} rows in {TABLE} for {total:,} messages (warm-up included)", problems
        inbound = await conn.fetchval("SELECT count(*) FROM message WHERE direction = 'in'")
        tickets = await conn.fetchval("SELECT count(*) FROM ticket")
        jobs = await conn.fetchval("SELECT count(*) FROM procrastinate_jobs")
    finally:
        await conn.close()
    opened = sum(m.opens_ticket for m in (*warm.mails, *measured.mails))
    problems = []
    if inbound != total:
        problems.append(f"{inbound:,} inbound messages stored for {total:,} delivered")
    if tickets != opened:
        problems.append(f"{tickets:,} tickets for {opened:,} messages that open one")
    wrong = tally.misfiled(measured)
    if wrong:
        problems.append(f"{len(wrong)} follow-ups not on their thread's ticket, e.g. {wrong[0]}")
    follow_ups = sum(m.answers is not None for m in measured.mails)
    seen = (
        f"{inbound:,} inbound messages on {tickets:,} tickets for {total:,} delivered "
        f"(warm-up included); {follow_ups - len(wrong):,} of {follow_ups:,} follow-ups on "
        f"the ticket of the message they answer; {jobs:,} acknowledgement jobs deferred"
    )
    return seen, problems


async def measure(
    key: str, dbs: Databases, warm: Corpus, measured: Corpus, config: Config, round_no: int
) -> Row:
    label = LABELS[key]
    print(f"… {label}: round {round_no + 1}", flush=True)
    pg = dbs.bench.postmaster_pid
    async with dbs.copy(f"{make_url(dbs.bench.url).database}_{key}{round_no}") as url:
        async with TARGETS[key](url, dbs.bench.home, config.concurrency) as (connect, used):
            warm_tally = Tally()
            await deliver_all(warm, connect, warm_tally)
            await _quiesce(url)
            tally = Tally()
            cpu_before, pg_before = used(), cpu.postgres_cpu(pg) if pg else 0.0
            here = time.process_time()
            await deliver_all(measured, connect, tally)
            spent = used() - cpu_before
            here = time.process_time() - here
            pg_spent = cpu.postgres_cpu(pg) - pg_before if pg else 0.0
        seen, problems = await _verify(key, url, warm, measured, tally)
    if warm_tally.failed:
        problems.insert(0, f"{warm_tally.failed} failed while warming up: {warm_tally.first_error}")
    latencies = sorted(tally.latencies_ms) or [0.0]
    n = max(tally.ok, 1)
    row = Row(
        key=key,
        label=label,
        messages=len(measured),
        ok=tally.ok,
        failed=tally.failed,
        seconds=tally.seconds,
        p50_ms=statistics.median(latencies),
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        cpu_ms=spent * 1000 / n,
        pg_cpu_ms=pg_spent * 1000 / n if pg else None,
        client_cpu_ms=here * 1000 / n if key == "smtp" else None,
        verified=seen,
        problems=tuple(problems),
        first_error=tally.first_error,
    )
    print(f"  {row.rate:,.0f} msgs/s, {row.failed} failed", flush=True)
    return row


def _admin_dsn(bdb: BenchDatabase) -> str:
    given = os.environ.get("BENCH_DATABASE_URL")
    url = normalise_url(given) if given else make_url(bdb.url).set(database="postgres")
    return _dsn(url if isinstance(url, str) else url.render_as_string(hide_password=False))


async def run(config: Config) -> Report:
    busy_before = load_average()
    warm = build(config.warmup, streams=config.concurrency, seed=7, label="w")
    measured = build(config.messages, streams=config.concurrency)
    print(f"Corpus: {measured.describe()}", flush=True)
    async with fresh_database() as bdb:
        from servicedesk import migrate
        from servicedesk.db import make_engine

        engine = make_engine(bdb.url, pool_size=1)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()
        dbs = Databases(bdb, _admin_dsn(bdb))
        conn = await asyncpg.connect(_dsn(bdb.url))
        try:
            version = str(await conn.fetchval("SHOW server_version")).split(" ")[0]
        finally:
            await conn.close()
        print(f"Migrated template database on {bdb.server}; one copy per target and round")
        measured_rows: dict[str, list[Row]] = {k: [] for k in config.only}
        ratios: dict[str, list[float]] = {k: [] for k in config.only if k != "raw"}
        for round_no in range(config.rounds):
            for key in config.only:
                row = await measure(key, dbs, warm, measured, config, round_no)
                measured_rows[key].append(row)
            raw = measured_rows.get("raw")
            if raw and raw[-1].rate:
                for key in ratios:
                    ratios[key].append(measured_rows[key][-1].rate / raw[-1].rate)
                shown = ", ".join(f"{k}/raw = {v[-1]:.1%}" for k, v in ratios.items())
                print(f"  round {round_no + 1}: {shown}", flush=True)
        machine = Machine.read(version, bdb.server, _aiosmtplib_version())
    return Report(
        rows=[median(measured_rows[k]) for k in config.only],
        settings=settings_line(config),
        config=asdict(config),
        corpus=measured.describe(),
        machine=machine,
        at=now(),
        busy=(busy_before, load_average()),
        round_ratios=ratios,
    )


def _aiosmtplib_version() -> str:
    from importlib.metadata import version

    return f"aiosmtplib {version('aiosmtplib')}"


def settings_line(c: Config) -> str:
    return (
        f"{c.messages:,} messages per target and round after {c.warmup} of warm-up; "
        f"{c.concurrency} concurrent workers (SMTP sessions), each delivering its stream in "
        f"order; pools of {c.concurrency} connections (asyncpg for raw, the project's engine "
        f"for project and, DB_POOL_SIZE={c.concurrency}, for the SMTP server); "
        f"{c.rounds} rounds, targets taking turns, median round per row"
    )


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The intake's own warnings (an address over its auto-reply limit…) go to a file.
    RESULTS.joinpath("logs").mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(RESULTS / "logs" / "mail-project.log", mode="w")
    project_log = logging.getLogger("servicedesk")
    project_log.addHandler(handler)
    project_log.propagate = False
    config = Config.from_env()
    report = asyncio.run(run(config))
    print()
    print(table(report))
    path = save(report)
    print(f"\nMarkdown snippet: {path}")
    if not report.valid:
        print("\nINVALID BENCHMARK: some messages failed or were misfiled.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
