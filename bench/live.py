"""`python -m bench.live` (also run by `make bench`): with 1,000 connected agent
clients in other processes, the latency from a ticket's commit to its `ticket.created`
at every client, and the events per second sustained, beside python-socketio's raw
broadcast to the same number of clients in the same run.

The issue: "p99 under 100 ms for 1,000 clients and within 1.5× of the raw
broadcast"; "garbage collection is the first thing to look at".

Processes (2 cores shared by all of them and PostgreSQL):

  project   the desk, `uvicorn bench.live_app:create_app` (servicedesk.app unchanged
            plus an after-commit subscriber noting each TicketCreated's commit
            instant), 1 worker, RUN_WORKER=false, on a fresh migrated database
  raw       `uvicorn bench.live_baseline:create_app`: a bare python-socketio server
            whose POST /__bench/broadcast notes the instant and emits the same event
            to all its clients
  clients   BENCH_CLIENT_PROCS processes (bench/live_clients.py) per server, CLIENTS
            AsyncClients in all, websocket transport, namespace `/live`, each with the
            API token of its own agent (all agents of the one queue: each gets every
            ticket of it); they note each receipt's instant
  this one  makes the tickets (POST /api/v1/tickets, a bearer token of an admin) or
            the broadcasts, open-loop at a steady rate, then collects the instants

Every process calls gc.freeze() after its start-up. Latency per (client, event) =
receipt − commit (or emit), unix time, one clock. Rounds take turns (raw, project);
then each server's sustained rate: steps of rising rates until one is not kept up
(every client got every event, the events went out on pace, and no
backlog grew: bench/live_report.py `Phase.kept_up`).
Exits 1 when any client missed an event, got one twice or was disconnected, or a
request failed: a benchmark with losses is invalid.

Settings (environment):
  BENCH_CLIENTS        clients per server (1000)
  BENCH_CLIENT_PROCS   processes they are spread over (2)
  BENCH_RATE           events per second of the latency figure (5)
  BENCH_DURATION       seconds of it per server and round (15)
  BENCH_ROUNDS         rounds (2); rows are median rounds (by p99)
  BENCH_RAMP           rates tried upwards for the sustained figure, while kept up
                       ("7,10,14,20,28,40"; "" skips); when even BENCH_RATE was not
                       kept up, 0.7×, 0.5×, 0.35× of it are tried instead
  BENCH_RAMP_SECONDS   seconds per step (5)
  BENCH_LIVE_ONLY      raw or project, for investigating
  BENCH_LIVE_PROFILE   1: sample the servers' CPU in round 1 (bench/sampler.py; slows
                       them by ~30 %); writes bench/results/live-<server>.collapsed
  BENCH_LIVE_GC_THRESHOLD  "a,b,c": gc.set_threshold(a, b, c) in every process, for
                       investigating (bench/live_probe.py)
  BENCH_LIVE_ONE_PUSH  1: the desk sends only `ticket.created` for a new ticket, for
                       investigating (bench/live_app.py); the report says so
  BENCH_DATABASE_URL   a server to make the database on (default: embedded)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import cpu, sampler
from bench.database import BenchDatabase, fresh_database
from bench.live_group import ClientGroup, drain
from bench.live_report import LABELS, Phase, Report, markdown, profile_summary, settle
from bench.report import Machine, load_average, now
from bench.servers import Server, ServerSettings, serve
from servicedesk.staff.service import TOKEN_PREFIX, token_digest

RESULTS = Path(__file__).resolve().parent / "results"
FACTORIES = {"raw": "bench.live_baseline:create_app", "project": "bench.live_app:create_app"}
IN_FLIGHT = 64  # requests at once at most; beyond, the load falls behind (and shows)
DOWN = (0.7, 0.5, 0.35)  # rates tried, of BENCH_RATE, when even it was not kept up


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").replace(",", "").replace("_", "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Config:
    clients: int
    procs: int
    rate: float
    duration: int
    rounds: int
    ramp: tuple[float, ...]
    ramp_seconds: int
    only: tuple[str, ...]
    profile: bool

    @classmethod
    def from_env(cls) -> Config:
        only = [k.strip() for k in os.environ.get("BENCH_LIVE_ONLY", "").split(",") if k.strip()]
        if set(only) - set(LABELS):
            raise SystemExit(f"BENCH_LIVE_ONLY: unknown servers {sorted(set(only) - set(LABELS))}")
        ramp = os.environ.get("BENCH_RAMP", "7,10,14,20,28,40")
        return cls(
            clients=max(1, _env_int("BENCH_CLIENTS", 1000)),
            procs=max(1, _env_int("BENCH_CLIENT_PROCS", 2)),
            rate=float(os.environ.get("BENCH_RATE", "") or 5),
            duration=max(1, _env_int("BENCH_DURATION", 15)),
            rounds=max(1, _env_int("BENCH_ROUNDS", 2)),
            ramp=tuple(float(r) for r in ramp.split(",") if r.strip()),
            ramp_seconds=max(1, _env_int("BENCH_RAMP_SECONDS", 5)),
            only=tuple(k for k in LABELS if not only or k in only),
            profile=os.environ.get("BENCH_LIVE_PROFILE", "") == "1",
        )


# --- the database ---------------------------------------------------------------------


AGENTS = """
WITH agents AS (
    INSERT INTO app_user (email, name, role, password_hash, language, is_active, created_at)
    SELECT 'live-agent' || g || '@bench.example', 'Agent ' || g, 'agent', NULL, 'he', true, now()
    FROM generate_series(1, cardinality($2::text[])) g
    RETURNING id
), numbered AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM agents
), members AS (
    INSERT INTO team_member (team_id, user_id) SELECT $1, id FROM numbered
)
INSERT INTO api_token (user_id, name, token_hash, prefix, created_at)
SELECT id, 'bench live', ($2::text[])[n], ($3::text[])[n], now() FROM numbered
"""


async def seed(bdb: BenchDatabase, clients: int, home: Path) -> tuple[str, Path]:
    """Migrate; a queue, an admin's token (for the load), CLIENTS agents of that queue
    with a token each (bulk: the services would take a minute). Returns the admin's
    token and the file of the agents' tokens."""
    from servicedesk import migrate
    from servicedesk.db import Actor, Database, make_engine
    from servicedesk.enums import Role
    from servicedesk.events import EventBus
    from servicedesk.staff import service as staff

    db = Database(make_engine(bdb.url, pool_size=2), EventBus())
    try:
        await migrate.upgrade(db.engine)
        async with db.unit_of_work(Actor.system()) as uow:
            queue = await staff.create_team(uow, name="Support", default=True)
            admin = await staff.create_user(
                uow, email="live-admin@bench.example", name="Bench", role=Role.admin, password=None
            )
            admin_token = await staff.create_token(uow, admin, "bench live load")
    finally:
        await db.dispose()
    tokens = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in range(clients)]
    conn = await asyncpg.connect(_dsn(bdb.url))
    try:
        await conn.execute(
            AGENTS, queue.id, [token_digest(t) for t in tokens], [t[:12] for t in tokens]
        )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    path = home / "live-tokens.json"
    path.write_text(json.dumps(tokens))
    return admin_token, path


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


# --- the load -------------------------------------------------------------------------


@dataclass
class Target:
    key: str
    server: Server
    group: ClientGroup
    http: httpx.AsyncClient
    token: str
    sequence: int = 0

    async def one(self) -> int | None:
        """One event: a ticket through the API, or a raw broadcast; its id."""
        self.sequence += 1
        if self.key == "raw":
            response = await self.http.post(self.server.base_url + "/__bench/broadcast")
            return int(response.json()["id"]) if response.status_code == 200 else None
        body = {
            "subject": f"Live bench ticket {self.sequence}",
            "body": "The dryer stops after ten minutes and shows E05.",
            "customer_email": f"live-customer{self.sequence % 200}@bench.example",
        }
        response = await self.http.post(
            self.server.base_url + "/api/v1/tickets",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
        return int(response.json()["id"])

    async def sent(self) -> dict[str, Any]:
        response = await self.http.get(self.server.base_url + "/__bench/sent")
        data: dict[str, Any] = response.json()
        return data


async def load(target: Target, phase: Phase) -> set[int]:
    """Open loop: event i is started at start + i / rate, whatever came before."""
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(IN_FLIGHT)
    ids: set[int] = set()

    async def one() -> None:
        async with gate:
            try:
                event_id = await target.one()
            except Exception as exc:
                event_id = None
                phase.first_error = phase.first_error or f"{type(exc).__name__}: {exc}"
            if event_id is None:
                phase.failed += 1
            else:
                ids.add(event_id)

    tasks = []
    start = loop.time() + 0.05
    for i in range(max(1, round(phase.rate * phase.seconds))):
        await asyncio.sleep(max(0.0, start + i / phase.rate - loop.time()))
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    return ids


async def measure(target: Target, rate: float, seconds: float, bdb: BenchDatabase) -> Phase:
    phase = Phase(target.key, rate, seconds, target.group.clients)
    folder = Path(tempfile.mkdtemp(prefix="live-", dir=bdb.home))
    await target.sent()  # forget what came before
    await target.group.collect(folder)
    pg = bdb.postmaster_pid
    server_before, clients_before = cpu.server_cpu(target.server.pid), target.group.cpu()
    pg_before = cpu.postgres_cpu(pg) if pg else 0.0
    ids = await load(target, phase)
    await drain(target.group, len(ids) * target.group.clients)
    events = max(1, len(ids))
    phase.server_cpu_ms = (cpu.server_cpu(target.server.pid) - server_before) * 1000 / events
    phase.client_cpu_ms = (target.group.cpu() - clients_before) * 1000 / events
    if pg:
        phase.pg_cpu_ms = (cpu.postgres_cpu(pg) - pg_before) * 1000 / events
    noted = await target.sent()
    received = await target.group.collect(folder)
    sent = {int(k): float(v) for k, v in noted["sent"].items()}
    settle(phase, sent, received["events"], ids)
    phase.duplicates = received["duplicates"]
    phase.disconnected = received["disconnected"]
    phase.other_per_event = {
        event: n / events / target.group.clients for event, n in received["other"].items()
    }
    phase.server_gc, phase.client_gc = noted["gc"], received["gc"]
    return phase


async def find_sustained(
    target: Target, config: Config, rounds: list[Phase], tried: list[Phase], bdb: BenchDatabase
) -> None:
    """Up the BENCH_RAMP rates while each is kept up; when even the rounds' rate was
    not, down by 0.7×, 0.5×, 0.35× of it until one is."""
    if any(p.kept_up for p in rounds):
        rates = [r for r in config.ramp if r > config.rate]
        stop_when_kept = False
    else:
        rates = [round(config.rate * f, 2) for f in DOWN]
        stop_when_kept = True
    for rate in rates:
        phase = await measure(target, rate, config.ramp_seconds, bdb)
        tried.append(phase)
        print(_line(phase), flush=True)
        if phase.kept_up == stop_when_kept:
            return


def _line(phase: Phase) -> str:
    state = "ok" if phase.valid else "; ".join(phase.problems())
    return (
        f"  {phase.key:7} {phase.rate:5g}/s: {phase.events:,} events at {phase.achieved:.1f}/s, "
        f"p50 {phase.p50:.1f} p99 {phase.p99:.1f} max {phase.max:.1f} ms, "
        f"CPU server {phase.server_cpu_ms:.1f} clients {phase.client_cpu_ms:.1f} ms/event; {state}"
    )


# --- the run ------------------------------------------------------------------------------


def _server_env(key: str, bdb: BenchDatabase) -> dict[str, str]:
    if key == "raw":
        return {}
    return {
        "DATABASE_URL": bdb.url,
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(24),
        "SERVICEDESK_HOME": str(bdb.home),
        "LOG_LEVEL": "WARNING",
        "RUN_WORKER": "false",
    }


@contextlib.asynccontextmanager
async def targets(
    config: Config, bdb: BenchDatabase, admin_token: str, tokens: Path
) -> AsyncIterator[tuple[dict[str, Target], dict[str, float]]]:
    """Both servers up, each with its clients connected."""
    with contextlib.ExitStack() as servers:
        made: dict[str, Target] = {}
        connect_s: dict[str, float] = {}
        limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
        async with httpx.AsyncClient(timeout=60, limits=limits) as http:
            try:
                for key in config.only:
                    log = RESULTS / "logs" / f"live-{key}.log"
                    launcher = None
                    if config.profile:
                        collapsed = str(RESULTS / f"live-{key}.collapsed")
                        launcher = [sys.executable, "-m", "bench.sampler", collapsed, "--"]
                    server = servers.enter_context(
                        serve(
                            key,
                            FACTORIES[key],
                            ServerSettings(1),
                            _server_env(key, bdb),
                            log,
                            launcher=launcher,
                        )
                    )
                    group = ClientGroup(key, config.clients, config.procs)
                    made[key] = Target(key, server, group, http, admin_token)
                    print(f"… {LABELS[key]}: connecting {config.clients:,} clients", flush=True)
                    connect_s[key] = await group.start(server.base_url, tokens)
                    print(f"  connected in {connect_s[key]:.0f} s", flush=True)
                yield made, connect_s
            finally:
                for target in made.values():
                    await target.group.stop()


async def run(config: Config) -> Report:
    busy_before = load_average()
    steady: dict[str, list[Phase]] = {k: [] for k in config.only}
    ramp: dict[str, list[Phase]] = {k: [] for k in config.only}
    async with fresh_database() as bdb:
        print(f"Fresh database on {bdb.server}; {config.clients:,} agents…", flush=True)
        admin_token, tokens = await seed(bdb, config.clients, bdb.home)
        conn = await asyncpg.connect(_dsn(bdb.url))
        try:
            pg_version = str(await conn.fetchval("SHOW server_version")).split(" ")[0]
        finally:
            await conn.close()
        async with targets(config, bdb, admin_token, tokens) as (made, connect_s):
            for target in made.values():  # warm-up, not counted
                await measure(target, config.rate, 2, bdb)
            for round_no in range(config.rounds):
                print(f"Round {round_no + 1}: {config.rate:g} events/s", flush=True)
                for key, target in made.items():
                    sampling = config.profile and round_no == 0
                    if sampling:
                        os.kill(target.server.pid, signal.SIGUSR1)
                    steady[key].append(await measure(target, config.rate, config.duration, bdb))
                    if sampling:
                        os.kill(target.server.pid, signal.SIGUSR2)
                    print(_line(steady[key][-1]), flush=True)
            if config.ramp:
                print("Sustained rate:", flush=True)
                for key, target in made.items():
                    await find_sustained(target, config, steady[key], ramp[key], bdb)
        profiles = {}
        if config.profile:
            for key in config.only:
                collapsed = RESULTS / f"live-{key}.collapsed"
                await sampler.written(collapsed)
                profiles[key] = profile_summary(collapsed.read_text(encoding="utf-8"))
        machine = Machine.read(
            pg_version, bdb.server, f"python-socketio {version('python-socketio')}"
        )
    return Report(
        config=asdict(config),
        steady=steady,
        ramp=ramp,
        machine=(
            f"{machine.cores} cores ({machine.cpu}), {machine.memory_gib:.0f} GiB, "
            f"{machine.kernel}; Python {machine.python}; PostgreSQL {machine.postgres} "
            f"({machine.database_server}); {machine.wrk}; servers, clients and PostgreSQL "
            f"share the machine; code {machine.code}"
        ),
        at=f"{now():%Y-%m-%d %H:%M}",
        busy=(busy_before, load_average()),
        connect_s=connect_s,
        profiles=profiles,
    )


def save(report: Report) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "live-latest.md").write_text(markdown(report), encoding="utf-8")

    def phase(p: Phase) -> dict[str, Any]:
        data = asdict(p)
        del data["latencies_ms"]
        return {**data, "p50": p.p50, "p99": p.p99, "max": p.max, "achieved": p.achieved}

    data = {
        "config": report.config,
        "machine": report.machine,
        "steady": {k: [phase(p) for p in v] for k, v in report.steady.items()},
        "ramp": {k: [phase(p) for p in v] for k, v in report.ramp.items()},
        "problems": report.problems,
    }
    (RESULTS / "live-latest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    report = asyncio.run(run(config))
    print()
    print(markdown(report))
    save(report)
    if report.problems:
        print("INVALID BENCHMARK: events were lost or requests failed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
