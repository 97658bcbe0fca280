"""`python -m bench.chat` (also run by `make bench`): web chat lines per second through
Socket.IO with 200 open chats, beside a raw python-socketio baseline in the same run.

Two servers, each `uvicorn … --factory --workers 1 --loop uvloop --http httptools` on
a fresh copy of one migrated database, taking turns round after round:

  raw      bench/chat_baseline.py: a bare python-socketio server whose `message`
           handler inserts the line (unique per chat and client id) with one asyncpg
           statement and acknowledges it
  project  the desk (`servicedesk.app:create_app`): each line through the /chat
           namespace (rate limit, checks, the chat's state) and the intake (recorded
           once by its provider id, the customer, the chat's ticket, the message, the
           audit row, the SLA clocks), acknowledged after commit

The load: CHATS Socket.IO clients in this process, one websocket each; every client
starts a chat, then sends lines one after another, each waiting for its
acknowledgement (as the widget does). WARMUP seconds, then SECONDS measured; only
acknowledgements that arrive inside the window count. Afterwards the stored lines are
counted: every acknowledged line must be in the database once. Exits 1 on any failed
line or a count that does not match.

Settings (environment):
  BENCH_ROUNDS         rounds, the servers taking turns (3); rows are median rounds
  BENCH_CHAT_CHATS     open chats, one client each (200)
  BENCH_CHAT_SECONDS   measured seconds per server and round (15)
  BENCH_CHAT_WARMUP    seconds of load before measuring (3)
  BENCH_CHAT_ONLY      raw or project, for investigating
  BENCH_DATABASE_URL   a server to make the databases on (default: embedded)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
import socketio
from sqlalchemy import make_url

from bench import cpu
from bench.database import BenchDatabase, fresh_database
from bench.report import Machine, load_average, now
from bench.servers import ServerSettings, serve
from servicedesk.embedded import normalise_url

RESULTS = Path(__file__).resolve().parent / "results"
LABELS = {
    "raw": "raw python-socketio + 1 asyncpg INSERT (baseline)",
    "project": "the desk's /chat namespace + intake (project)",
}
FACTORIES = {"raw": "bench.chat_baseline:create_app", "project": "servicedesk.app:create_app"}
LINES = [
    "The dishwasher shows E24 again",
    "המדיח מציג שגיאה E24 שוב, מה עושים?",
    "I cleaned the filter like you said",
    "It still does not drain, the water stays at the bottom",
    "ניקיתי את המסנן אבל המים עדיין נשארים",
]
HEADERS = [
    "",
    "lines/s",
    "of raw",
    "p50 ms",
    "p99 ms",
    "server CPU ms",
    "PG CPU ms",
    "client CPU ms",
    "ok",
    "failed",
]


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").replace(",", "").replace("_", "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Config:
    rounds: int
    chats: int
    seconds: int
    warmup: int
    only: tuple[str, ...]

    @classmethod
    def from_env(cls) -> Config:
        only = [k.strip() for k in os.environ.get("BENCH_CHAT_ONLY", "").split(",") if k.strip()]
        if set(only) - set(LABELS):
            raise SystemExit(f"BENCH_CHAT_ONLY: unknown servers {sorted(set(only) - set(LABELS))}")
        return cls(
            rounds=max(1, _env_int("BENCH_ROUNDS", 3)),
            chats=max(1, _env_int("BENCH_CHAT_CHATS", 200)),
            seconds=max(1, _env_int("BENCH_CHAT_SECONDS", 15)),
            warmup=max(0, _env_int("BENCH_CHAT_WARMUP", 3)),
            only=tuple(k for k in LABELS if not only or k in only),
        )


@dataclass
class Tally:
    ok: int = 0  # acknowledged lines, all of them (the database must hold these)
    failed: int = 0
    first_error: str = ""
    in_window: int = 0
    latencies_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    lines: int  # acknowledged inside the measured window
    seconds: float
    p50_ms: float
    p99_ms: float
    server_cpu_ms: float
    pg_cpu_ms: float | None
    client_cpu_ms: float
    ok: int
    failed: int
    verified: str
    problems: tuple[str, ...] = ()

    @property
    def rate(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0

    @property
    def valid(self) -> bool:
        return self.failed == 0 and not self.problems


# --- the load -------------------------------------------------------------------------


class Chatter:
    """One customer: a websocket, a chat, lines one after another."""

    def __init__(self, base_url: str, n: int) -> None:
        self.base_url = base_url
        self.n = n
        self.client = socketio.AsyncClient(reconnection=False)

    async def open(self) -> None:
        await self.client.connect(
            self.base_url, namespaces=["/chat"], transports=["websocket"], wait_timeout=60
        )
        answer = await self.call(
            "start",
            {
                "name": f"Bench customer {self.n}",
                "email": f"bench{self.n}.{secrets.token_hex(3)}@chat.example",
                "text": "Hello, I need help with my dishwasher",
                "id": str(uuid.uuid4()),
                "language": "he" if self.n % 3 == 0 else "en",
            },
        )
        if not answer.get("ok"):
            raise RuntimeError(f"start refused: {answer}")

    async def call(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        answer = await self.client.call(event, data, namespace="/chat", timeout=60)
        assert isinstance(answer, dict)
        return answer

    async def talk(self, tally: Tally, window: tuple[float, float], until: float) -> None:
        i = 0
        while time.perf_counter() < until:
            i += 1
            started = time.perf_counter()
            try:
                answer = await self.call(
                    "message", {"id": str(uuid.uuid4()), "text": f"{LINES[i % len(LINES)]} ({i})"}
                )
            except Exception as exc:
                tally.failed += 1
                tally.first_error = tally.first_error or f"{type(exc).__name__}: {exc}"
                continue
            done = time.perf_counter()
            if not answer.get("ok"):
                tally.failed += 1
                tally.first_error = tally.first_error or str(answer.get("error"))
                continue
            tally.ok += 1
            if window[0] <= done < window[1]:
                tally.in_window += 1
                tally.latencies_ms.append((done - started) * 1000)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.disconnect()


async def _gather_limited(coros: list[Any], limit: int = 25) -> None:
    gate = asyncio.Semaphore(limit)

    async def one(coro: Any) -> None:
        async with gate:
            await coro

    await asyncio.gather(*(one(c) for c in coros))


# --- one measurement --------------------------------------------------------------------


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _env(key: str, url: str, home: Path) -> dict[str, str]:
    if key == "raw":
        return {"BENCH_CHAT_DSN": _dsn(url)}
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(24),
        "SERVICEDESK_HOME": str(home),
        "LOG_LEVEL": "WARNING",
        "RUN_WORKER": "false",
        # No agents: the chats wait (and stay open) for the whole run.
        "CHAT_WAIT_SECONDS": "86400",
        # One bench client sends far faster than a person types: the limit is checked
        # on every line as always, but set so high that it never refuses one.
        "CHAT_RATE_PER_MINUTE": "100000000",
        "CHAT_RATE_BURST": "100000000",
    }


@contextlib.asynccontextmanager
async def copy_of(bdb: BenchDatabase, name: str) -> AsyncIterator[str]:
    """A fresh database copied from the migrated template."""
    given = os.environ.get("BENCH_DATABASE_URL")
    admin = normalise_url(given) if given else make_url(bdb.url).set(database="postgres")
    admin_dsn = _dsn(admin if isinstance(admin, str) else admin.render_as_string(False))
    template = make_url(bdb.url).database
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield make_url(bdb.url).set(database=name).render_as_string(False)
        finally:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _stored(key: str, url: str) -> int:
    conn = await asyncpg.connect(_dsn(url))
    try:
        if key == "raw":
            return int(await conn.fetchval("SELECT count(*) FROM bench_chat_line"))
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM message WHERE channel = 'chat' AND direction = 'in'"
            )
        )
    finally:
        await conn.close()


async def measure(key: str, bdb: BenchDatabase, config: Config, round_no: int) -> Row:
    label = LABELS[key]
    print(f"… {label}: round {round_no + 1}", flush=True)
    pg = bdb.postmaster_pid
    name = f"{make_url(bdb.url).database}_{key}{round_no}"
    async with copy_of(bdb, name) as url:
        log_path = RESULTS / "logs" / f"chat-{key}.log"
        env = _env(key, url, bdb.home)
        with serve(key, FACTORIES[key], ServerSettings(1), env, log_path) as server:
            chatters = [Chatter(server.base_url, n) for n in range(config.chats)]
            try:
                await _gather_limited([c.open() for c in chatters])
                tally = Tally()
                t0 = time.perf_counter() + config.warmup
                t1 = t0 + config.seconds
                talking = [asyncio.create_task(c.talk(tally, (t0, t1), t1)) for c in chatters]
                await asyncio.sleep(max(0.0, t0 - time.perf_counter()))
                server_before, pg_before = (
                    cpu.server_cpu(server.pid),
                    cpu.postgres_cpu(pg) if pg else 0.0,
                )
                client_before = time.process_time()
                await asyncio.sleep(max(0.0, t1 - time.perf_counter()))
                server_spent = cpu.server_cpu(server.pid) - server_before
                pg_spent = cpu.postgres_cpu(pg) - pg_before if pg else 0.0
                client_spent = time.process_time() - client_before
                await asyncio.gather(*talking)
            finally:
                await asyncio.gather(*(c.close() for c in chatters))
        stored = await _stored(key, url)
    expected = tally.ok + (config.chats if key == "project" else 0)
    problems = []
    if stored != expected:
        problems.append(f"{stored:,} lines stored for {expected:,} acknowledged")
    lines = max(tally.in_window, 1)
    latencies = sorted(tally.latencies_ms) or [0.0]
    row = Row(
        key=key,
        label=label,
        lines=tally.in_window,
        seconds=float(config.seconds),
        p50_ms=statistics.median(latencies),
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        server_cpu_ms=server_spent * 1000 / lines,
        pg_cpu_ms=pg_spent * 1000 / lines if pg else None,
        client_cpu_ms=client_spent * 1000 / lines,
        ok=tally.ok,
        failed=tally.failed,
        verified=(
            f"{stored:,} lines stored for {tally.ok:,} acknowledged"
            + (f" and {config.chats} chats' first lines" if key == "project" else "")
        ),
        problems=tuple(
            problems + ([f"first failure: {tally.first_error}"] if tally.failed else [])
        ),
    )
    print(f"  {row.rate:,.0f} lines/s, {row.failed} failed; {row.verified}", flush=True)
    return row


# --- the run and its report --------------------------------------------------------------


def _median(rows: list[Row]) -> Row:
    middle = sorted(rows, key=lambda r: r.rate)[len(rows) // 2]
    problems = [p for r in rows for p in r.problems]
    return Row(**{**asdict(middle), "problems": tuple(problems)})


async def run(
    config: Config,
) -> tuple[list[Row], dict[str, list[float]], Machine, tuple[float, float]]:
    busy_before = load_average()
    async with fresh_database() as bdb:
        from servicedesk import migrate
        from servicedesk.db import make_engine

        engine = make_engine(bdb.url, pool_size=1)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()
        conn = await asyncpg.connect(_dsn(bdb.url))
        try:
            pg_version = str(await conn.fetchval("SHOW server_version")).split(" ")[0]
        finally:
            await conn.close()
        rows: dict[str, list[Row]] = {k: [] for k in config.only}
        ratios: list[float] = []
        for round_no in range(config.rounds):
            for key in config.only:
                rows[key].append(await measure(key, bdb, config, round_no))
            if "raw" in rows and "project" in rows and rows["raw"][-1].rate:
                ratios.append(rows["project"][-1].rate / rows["raw"][-1].rate)
                print(f"  round {round_no + 1}: project/raw = {ratios[-1]:.1%}", flush=True)
        machine = Machine.read(
            pg_version, bdb.server, f"python-socketio {version('python-socketio')}"
        )
    return (
        [_median(rows[k]) for k in config.only],
        {"project": ratios},
        machine,
        (busy_before, load_average()),
    )


def _cells(row: Row, raw: Row | None) -> list[str]:
    ratio = row.rate / raw.rate if raw is not None and raw.rate else None
    return [
        row.label,
        f"{row.rate:,.0f}",
        f"{ratio:.1%}" if ratio is not None else "-",
        f"{row.p50_ms:.1f}",
        f"{row.p99_ms:.1f}",
        f"{row.server_cpu_ms:.2f}",
        f"{row.pg_cpu_ms:.2f}" if row.pg_cpu_ms is not None else "-",
        f"{row.client_cpu_ms:.2f}",
        f"{row.ok:,}",
        str(row.failed),
    ]


def report(
    config: Config,
    rows: list[Row],
    ratios: dict[str, list[float]],
    machine: Machine,
    busy: tuple[float, float],
) -> str:
    raw = next((r for r in rows if r.key == "raw"), None)
    project = next((r for r in rows if r.key == "project"), None)
    lines = [
        f"### `python -m bench.chat`, {now():%Y-%m-%d %H:%M} UTC",
        "",
        f"{config.chats} open chats (one Socket.IO client each, in one process), each sending "
        f"its next line when the last was acknowledged; {config.warmup} s warm-up, "
        f"{config.seconds} s measured; {config.rounds} rounds, servers taking turns, median "
        "round per row. CPU columns are per acknowledged line.",
        "",
        "| what | " + " | ".join(HEADERS[1:]) + " |",
        "|---|" + "---:|" * (len(HEADERS) - 1),
    ]
    lines += ["| " + " | ".join(_cells(r, raw)) + " |" for r in rows]
    if raw is not None and project is not None and raw.rate:
        lines += ["", f"**project/raw = {project.rate / raw.rate:.1%}**"]
    per_round = ratios.get("project", [])
    if per_round:
        lines.append("- project/raw per round: " + ", ".join(f"{v:.1%}" for v in per_round))
    lines += [f"- {r.key}: {r.verified}" for r in rows]
    lines += [f"- INVALID {r.label}: {p}" for r in rows for p in r.problems]
    lines.append(
        f"- machine: {machine.cores} cores ({machine.cpu}), {machine.memory_gib:.0f} GiB, "
        f"{machine.kernel}; Python {machine.python}; PostgreSQL {machine.postgres} "
        f"({machine.database_server}); {machine.wrk}; clients, server and PostgreSQL share "
        f"the machine; code {machine.code}"
    )
    lines.append(f"- load average (1 min) before/after: {busy[0]:.2f} / {busy[1]:.2f}")
    return "\n".join(lines) + "\n"


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    rows, ratios, machine, busy = asyncio.run(run(config))
    text = report(config, rows, ratios, machine, busy)
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "chat-latest.md").write_text(text, encoding="utf-8")
    data = {
        "config": asdict(config),
        "machine": asdict(machine),
        "rows": [{**asdict(r), "rate": r.rate} for r in rows],
        "round_ratios": ratios,
    }
    (RESULTS / "chat-latest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    if not all(r.valid for r in rows):
        print("INVALID BENCHMARK: some lines failed or were not stored.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
