"""Where a message's time goes in `receive_email`, for `bench.mail`'s figures.

    python -m bench.mail_profile [MESSAGES]

On a fresh migrated database, in this process, one message at a time (so the
times add up), after a warm-up:

1. parsing alone, CPU per message: the raw baseline's stdlib parse against the
   project's `parse_email`, over the same corpus;
2. the database: round trips per message (counted and timed at the asyncpg
   connection, below SQLAlchemy), by statement, for a message that opens a ticket
   and one that follows up; the wall time spent waiting on them, COMMIT apart;
3. CPU by step of the intake (CPU-time sampling, bench/sampler.py), the innermost
   step on the stack winning; writes bench/results/mail-profile.collapsed
   (flamegraph.pl or speedscope read it) and mail-profile.txt.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import functools
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import asyncpg
from asyncpg.prepared_stmt import PreparedStatement

from bench.database import fresh_database
from bench.mail import _settings_env
from bench.mail_corpus import build
from bench.mail_report import RESULTS
from bench.sampler import Sampler
from bench.sqlcount import short

# Steps of the intake by a frame that marks them; the innermost on the stack wins.
STEPS: list[tuple[str, str]] = [
    ("parse_email: MIME, headers, charsets, quotes", "parse_email ("),
    ("duplicate check (Message-ID seen before?)", "_duplicate ("),
    ("find or create the customer", "_customer ("),
    ("threading: In-Reply-To/References, [#N]", "threading.py"),
    ("raw source kept (store_blob)", "store_blob ("),
    ("the new message's fields, envelope", "_new_message ("),
    ("attachments", "attach ("),
    ("ticket: create_ticket (ticket + message + audit, events)", "create_ticket ("),
    ("ticket: add_message (message, ticket touched, events)", "add_message ("),
    ("collaborators (Cc/To)", "_keep_collaborators ("),
    ("outbox: Message-ID + deferred send job", "on_message_added ("),
    ("acknowledgement (limit check, auto_reply claim, outbound message)", "_maybe_acknowledge ("),
    ("COMMIT: flush, before-commit hooks, COMMIT", "UnitOfWork.commit ("),
    ("unit of work open/close, session", "UnitOfWork.__a"),
    ("rest of _ingest (bounce flag, ticket get)", "_ingest ("),
]
OUTSIDE = "event loop, asyncpg protocol, the harness"


@contextlib.contextmanager
def timing_round_trips(into: list[tuple[str, float]]) -> Iterator[None]:
    """Every asyncpg call that costs a round trip: its statement and its wall time."""
    undo: list[Callable[[], None]] = []

    def wrap(owner: type, name: str, sql_of: Callable[..., str]) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        async def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(self, *args, **kwargs)
            finally:
                into.append((sql_of(self, *args), time.perf_counter() - started))

        setattr(owner, name, timed)
        undo.append(lambda: setattr(owner, name, original))

    def query(self: Any, q: str = "", *a: Any) -> str:
        return short("query", " ".join(q.split()))

    def prepared(self: PreparedStatement, *a: Any) -> str:
        return short("execute", " ".join(str(self.get_query()).split()))

    for method in ("execute", "executemany", "fetch", "fetchrow", "fetchval"):
        wrap(asyncpg.Connection, method, query)
    wrap(
        asyncpg.Connection, "prepare", lambda self, q="", *a: short("prepare", " ".join(q.split()))
    )
    for method in ("fetch", "fetchrow", "fetchval", "executemany"):
        wrap(PreparedStatement, method, prepared)
    try:
        yield
    finally:
        for u in reversed(undo):
            u()


def parse_cpu(raws: list[bytes], max_attachment_bytes: int) -> tuple[float, float]:
    """CPU ms per message: the baseline's stdlib parse, and parse_email."""
    from servicedesk.channels.email.parse import parse_email

    parser = BytesParser(policy=email.policy.default)

    def stdlib(raw: bytes) -> None:
        message: Any = parser.parsebytes(raw)
        body = message.get_body(("plain", "html"))
        _ = body.get_content() if body is not None else ""
        _ = str(message["message-id"]), str(message["subject"]), str(message["from"])

    def timed(fn: Callable[[bytes], Any]) -> float:
        for raw in raws[:50]:
            fn(raw)
        started = time.process_time()
        for raw in raws:
            fn(raw)
        return (time.process_time() - started) * 1000 / len(raws)

    def project(raw: bytes) -> None:
        parse_email(raw, max_attachment_bytes=max_attachment_bytes)

    return timed(stdlib), timed(project)


def step_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, marker in STEPS:
            if marker in frame:
                return name
    return OUTSIDE


async def investigate(messages: int) -> str:
    from servicedesk import migrate
    from servicedesk.channels.email.receive import receive_email
    from servicedesk.db import Database, make_engine
    from servicedesk.events import EventBus
    from servicedesk.settings import load_settings
    from servicedesk.wiring import subscribe_domain

    warm = build(120, streams=1, seed=7, label="w")
    corpus = build(messages, streams=1)
    mails = corpus.mails
    collapsed = RESULTS / "mail-profile.collapsed"
    RESULTS.mkdir(parents=True, exist_ok=True)
    async with fresh_database() as bdb:
        settings = load_settings(_settings_env(bdb.url, bdb.home))
        stdlib_ms, parse_ms = parse_cpu([m.raw for m in mails], settings.max_attachment_bytes)
        bus = EventBus()
        subscribe_domain(bus, settings)
        db = Database(make_engine(bdb.url, pool_size=1), bus)
        try:
            await migrate.upgrade(db.engine)
            for mail in warm.mails:
                await receive_email(db, mail.raw, settings)
            # One of each kind, statement by statement.
            first: dict[str, list[str]] = {}
            trips: dict[str, list[float]] = defaultdict(list)
            by_kind: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
            sampler = Sampler(collapsed)
            wall = time.perf_counter()
            cpu = time.process_time()
            sampler.start()
            for mail in mails:
                kind = "opens a ticket" if mail.opens_ticket else "follows up"
                one: list[tuple[str, float]] = []
                started = time.perf_counter()
                with timing_round_trips(one):
                    result = await receive_email(db, mail.raw, settings)
                elapsed = time.perf_counter() - started
                if result.ticket_id is None:
                    raise RuntimeError(f"not filed: {result}")
                by_kind[kind].append((len(one), elapsed, sum(t for _, t in one)))
                first.setdefault(kind, [statement for statement, _ in one])
                for statement, spent in one:
                    trips[statement].append(spent)
            sampler.stop()
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
        finally:
            await db.dispose()
    return render(len(mails), stdlib_ms, parse_ms, cpu, wall, trips, by_kind, first, collapsed)


def render(
    n: int,
    stdlib_ms: float,
    parse_ms: float,
    cpu: float,
    wall: float,
    trips: dict[str, list[float]],
    by_kind: dict[str, list[tuple[int, float, float]]],
    first: dict[str, list[str]],
    collapsed: Path,
) -> str:
    cpu_ms, wall_ms = cpu * 1000 / n, wall * 1000 / n
    commit = sum(sum(v) for k, v in trips.items() if k.startswith("COMMIT")) * 1000 / n
    waited = sum(sum(v) for v in trips.values()) * 1000 / n
    out = [
        f"receive_email, {n} messages one at a time, in process: {wall_ms:.2f} ms wall, "
        f"{cpu_ms:.2f} ms CPU of this process per message (sampler on, ~+10 %)",
        "",
        "Parsing alone (CPU per message, same corpus):",
        f"  {stdlib_ms:6.2f} ms  stdlib BytesParser(policy.default) + body + 3 headers (baseline)",
        f"  {parse_ms:6.2f} ms  servicedesk parse_email",
        "",
        "Wall time per message:",
        f"  {waited - commit:6.2f} ms  waiting on PostgreSQL, statements before COMMIT",
        f"  {commit:6.2f} ms  waiting on COMMIT (WAL flush, synchronous_commit=on)",
        f"  {wall_ms - waited:6.2f} ms  Python (parse {parse_ms:.2f} ms included)",
        "",
        "Round trips per message:",
    ]
    for kind, rows in by_kind.items():
        count = sum(r[0] for r in rows) / len(rows)
        ms = sum(r[1] for r in rows) * 1000 / len(rows)
        db_ms = sum(r[2] for r in rows) * 1000 / len(rows)
        out.append(
            f"  {kind:15} {count:5.1f} round trips, {ms:5.2f} ms wall of which "
            f"{db_ms:5.2f} ms waiting on them ({len(rows)} messages)"
        )
    out += ["", "Statements, all messages (calls per message, mean ms):"]
    for k, v in sorted(trips.items(), key=lambda kv: -sum(kv[1])):
        out.append(f"  {len(v) / n:5.2f} × {1000 * sum(v) / len(v):6.3f} ms  {k}")
    for kind, statements in first.items():
        out += ["", f"One message that {kind}, in order:"]
        out += [f"  {i:>2}. {s}" for i, s in enumerate(statements, 1)]
    steps: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8").splitlines():
        stack, _, samples = line.rpartition(" ")
        steps[step_of(stack.split(";"))] += int(samples)
        total += int(samples)
    out += ["", "CPU by step of the intake (sampled; innermost step wins):"]
    for name, count in steps.most_common():
        share = count / max(total, 1)
        out.append(f"  {share:6.1%}  {cpu_ms * share:5.2f} ms  {name}")
    return "\n".join(out)


def main() -> int:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    text = asyncio.run(investigate(messages))
    print(text)
    (RESULTS / "mail-profile.txt").write_text(text + "\n", encoding="utf-8")
    print(f"\nStacks: {RESULTS / 'mail-profile.collapsed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
