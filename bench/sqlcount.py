"""Where a POST /api/v1/tickets goes in the database: every round trip to PostgreSQL,
counted per kind of request, with the statements of one request of each kind.

    python -m bench.sqlcount [REQUESTS_PER_KIND]

Runs the real app in this process (httpx ASGI transport, one request at a time) on a
fresh database seeded like `make bench`. Round trips are counted at the asyncpg
connection, below SQLAlchemy: a prepared statement's execution, a simple query
(BEGIN, COMMIT, ROLLBACK) and a PREPARE on a statement-cache miss each cost one.
Also prints the CPU time per request of each kind (sequential, so no queueing).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import re
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from asyncpg.prepared_stmt import PreparedStatement

from bench.bodies import KINDS
from bench.database import fresh_database
from bench.seed import seed
from servicedesk.app import create_app
from servicedesk.db import Database, make_engine
from servicedesk.events import EventBus
from servicedesk.settings import load_settings


@dataclass
class Recorder:
    on: bool = False
    trips: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: str, sql: str) -> None:
        if self.on:
            self.trips.append((kind, " ".join(sql.split())))


RECORDER = Recorder()


def _wrap(owner: type, name: str, kind: str, sql_of: Callable[..., str]) -> Callable[[], None]:
    original = getattr(owner, name)

    @functools.wraps(original)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        RECORDER.add(kind, sql_of(self, *args))
        return await original(self, *args, **kwargs)

    setattr(owner, name, wrapper)
    return lambda: setattr(owner, name, original)


@contextlib.contextmanager
def counting() -> Any:
    """Count every asyncpg call that costs a round trip to the server."""

    def query(self: Any, q: str = "", *a: Any) -> str:
        return q

    def prepared(self: PreparedStatement, *a: Any) -> str:
        return str(self.get_query())

    undo = [
        _wrap(asyncpg.Connection, "execute", "query", query),
        _wrap(asyncpg.Connection, "executemany", "executemany", query),
        _wrap(asyncpg.Connection, "prepare", "prepare", query),
        _wrap(asyncpg.Connection, "fetch", "query", query),
        _wrap(asyncpg.Connection, "fetchrow", "query", query),
        _wrap(asyncpg.Connection, "fetchval", "query", query),
        _wrap(PreparedStatement, "fetch", "execute", prepared),
        _wrap(PreparedStatement, "fetchrow", "execute", prepared),
        _wrap(PreparedStatement, "fetchval", "execute", prepared),
        _wrap(PreparedStatement, "executemany", "executemany", prepared),
    ]
    try:
        yield
    finally:
        for u in undo:
            u()


_SHORT = [
    (re.compile(r"^SELECT .*? FROM (\S+)"), r"SELECT … FROM \1"),
    (re.compile(r"^INSERT INTO (\S+) .*"), r"INSERT INTO \1"),
    (re.compile(r"^UPDATE (\S+) .*"), r"UPDATE \1"),
    (re.compile(r"^DELETE FROM (\S+) .*"), r"DELETE FROM \1"),
]


def short(kind: str, sql: str) -> str:
    text = sql
    for pattern, repl in _SHORT:
        if pattern.match(text):
            detail = ""
            if " JOIN " in text:
                detail += " JOIN " + text.split(" JOIN ", 1)[1].split(" ", 1)[0]
            if "RETURNING" in text:
                detail += " … RETURNING"
            if "ON CONFLICT" in text:
                detail += " ON CONFLICT DO NOTHING"
            if "VALUES (" in text and text.count("VALUES (") + text.count("), (") > 1:
                detail += f" ({text.count('), (') + 1} rows)"
            text = pattern.sub(repl, text) + detail
            break
    if kind == "prepare":
        text = "PREPARE " + text
    return text[:110]


@dataclass
class KindResult:
    kind: str
    trips_per_request: float
    statements: list[str]
    cpu_ms: float
    wall_ms: float


@contextlib.asynccontextmanager
async def app_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings({"DATABASE_URL": url, "SECRET_KEY": "sqlcount"})
    db = Database(make_engine(url, pool_size=settings.db_pool_size), EventBus())
    app = create_app(settings, database=db)
    try:
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                yield client
    finally:
        await db.dispose()


async def investigate(per_kind: int) -> list[KindResult]:
    results: list[KindResult] = []
    rng = random.Random(7)
    async with fresh_database() as bdb:
        seeded = await seed(bdb.url, 300)
        headers = {"Authorization": f"Bearer {seeded.token}"}
        async with app_client(bdb.url) as client:

            async def post(body: dict[str, Any]) -> None:
                r = await client.post("/api/v1/tickets", json=body, headers=headers)
                if r.status_code != 201:
                    raise RuntimeError(f"{r.status_code}: {r.text[:300]}")

            # Warm every statement cache first (the server is warm under wrk too).
            for _share, make in KINDS.values():
                for _ in range(25):
                    await post(make(rng, seeded.customers))
            with counting():
                for kind, (_share, make) in KINDS.items():
                    bodies = [make(rng, seeded.customers) for _ in range(per_kind)]
                    RECORDER.trips.clear()
                    RECORDER.on = True
                    await post(bodies[0])
                    RECORDER.on = False
                    first = [short(k, s) for k, s in RECORDER.trips]
                    RECORDER.trips.clear()
                    RECORDER.on = True
                    cpu, wall = time.process_time(), time.perf_counter()
                    for body in bodies[1:]:
                        await post(body)
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                    RECORDER.on = False
                    n = max(per_kind - 1, 1)
                    results.append(
                        KindResult(
                            kind, len(RECORDER.trips) / n, first, cpu / n * 1000, wall / n * 1000
                        )
                    )
    return results


def main() -> int:
    per_kind = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    results = asyncio.run(investigate(per_kind))
    weighted = sum(KINDS[r.kind][0] * r.trips_per_request for r in results) / 100
    cpu = sum(KINDS[r.kind][0] * r.cpu_ms for r in results) / 100
    print(f"POST /api/v1/tickets, {per_kind} sequential requests per kind, in process\n")
    print(f"{'kind':34} {'share':>5} {'round trips':>11} {'CPU ms':>7} {'wall ms':>7}")
    for r in results:
        share = KINDS[r.kind][0]
        print(
            f"{r.kind:34} {share:>4}% {r.trips_per_request:>11.2f} {r.cpu_ms:>7.2f}"
            f" {r.wall_ms:>7.2f}"
        )
    print(f"{'weighted by the wrk mix':34} {'':>5} {weighted:>11.2f} {cpu:>7.2f}")
    for r in results:
        print(f"\n{r.kind}: {len(r.statements)} round trips")
        for i, s in enumerate(r.statements, 1):
            print(f"  {i:>2}. {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
