"""Where the CPU goes on POST /api/v1/tickets under the benchmark's load.

    python -m bench.profile [SECONDS]

Seeds a fresh database like `make bench`, serves the project with one uvicorn worker
under bench.sampler (CPU-time sampling), warms it up with wrk, samples SECONDS (20)
of load, and prints the CPU per request, the share of CPU per step of the request,
per library, and the hottest functions. Writes bench/results/profile.collapsed
(flamegraph.pl or https://www.speedscope.app read it) and profile.txt.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import cpu, sampler
from bench.database import fresh_database
from bench.load import run_wrk
from bench.run import RESULTS, TARGETS, server_env
from bench.seed import seed, write_customers
from bench.servers import ServerSettings, serve

# The steps of a ticket request, by the frame that marks them; the innermost wins.
STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("auth: bearer token → user, teams (own session)", ("bearer_caller (",)),
    ("read + validate the JSON body (pydantic)", ("body_as (",)),
    ("find or create the customer (+ identity, audit row)", ("_ticket_customer (",)),
    ("asset by serial", ("asset_by_serial (",)),
    ("INSERT ticket + message, audit, events", ("tickets/service.py", "create_ticket (")),
    ("present: reload customer/asset/queue/user, TicketOut", ("tickets_out (",)),
    ("JSON response (pydantic dump + json.dumps)", ("views.py", "json (")),
    ("commit: flush audit rows, COMMIT, close, after-commit push", ("UnitOfWork.__aexit__ (",)),
    ("begin: session, unit of work, other view code", ("views.py", "create_ticket (")),
    ("middleware, routing, Socket.IO ASGI wrapper", ("ASGIApp.__call__ (",)),
]
OUTSIDE = "uvicorn HTTP parsing, event loop, asyncpg protocol callbacks"

LIBRARIES = (
    "sqlalchemy",
    "asyncpg",
    "pydantic",
    "sqlmodel",
    "starlette",
    "uvicorn",
    "engineio",
    "socketio",
    "email_validator",
    "phonenumbers",
    "greenlet",
    "json",
    "asyncio",
    "servicedesk",
)


# What our code asked SQLAlchemy for: its outermost frame on the stack.
SA_ENTRIES: list[tuple[str, tuple[str, ...]]] = [
    ("run a statement (execute/scalar/scalars/get)", (
        "Session.execute (", "Session.scalar (", "Session.scalars (", "Session.get (",
        "AsyncSession.execute (", "AsyncSession.scalar (", "AsyncSession.scalars (",
        "AsyncSession.get (",
    )),
    ("ORM flush (unit of work → INSERT)", ("Session.flush (", "AsyncSession.flush (")),
    ("commit / rollback / close", (
        "Session.commit (", "Session.close (", "Session.rollback (",
        "AsyncSession.commit (", "AsyncSession.close (", "AsyncSession.rollback (",
        "AsyncSession.__aexit__ (",
    )),
]  # fmt: skip
# Inside running a statement: the innermost of these files.
SA_PHASES: list[tuple[str, tuple[str, ...]]] = [
    ("asyncpg adapter + greenlet hand-offs", ("postgresql/asyncpg.py", "util/concurrency.py")),
    ("rows → ORM objects / results", ("orm/loading.py", "engine/result.py", "engine/cursor.py")),
    ("cache key of a freshly built statement", ("sql/cache_key.py", "sql/traversals.py")),
    ("compile lookup, execution context, bind params", (
        "sql/compiler.py", "engine/default.py", "engine/base.py", "sql/elements.py",
    )),
    ("ORM statement setup (orm/context.py, session)", ("orm/context.py", "orm/session.py")),
]  # fmt: skip


def sqlalchemy_entry(frames: list[str]) -> str | None:
    for frame in frames:
        if "(sqlalchemy/" not in frame:
            continue
        for name, markers in SA_ENTRIES:
            if any(m in frame for m in markers):
                return name
        return "building statements (select(), .where(), insert().values()) and Model() objects"
    return None


def sqlalchemy_phase(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, files in SA_PHASES:
            if any(f"(sqlalchemy/{f}" in frame for f in files):
                return name
    return "other"


def _matches(frame: str, marker: tuple[str, ...]) -> bool:
    return all(part in frame for part in marker)


def step_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, marker in STEPS:
            if _matches(frame, marker):
                return name
    return OUTSIDE


def library_of(frame: str) -> str:
    where = frame.rsplit("(", 1)[-1]
    for lib in LIBRARIES:
        if where.startswith((lib + "/", lib + ".")) or where.startswith(f"{lib}/"):
            return lib
    return "other (stdlib, greenlet glue…)"


@dataclass
class Profile:
    samples: int
    steps: Counter[str]
    libraries: Counter[str]
    self_time: Counter[str]
    inclusive: Counter[str]
    sa_entries: Counter[str]
    sa_phases: Counter[str]


def analyse(path: Path) -> Profile:
    steps: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    sa_entries: Counter[str] = Counter()
    sa_phases: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        total += n
        steps[step_of(frames)] += n
        libraries[library_of(frames[-1])] += n
        self_time[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
        entry = sqlalchemy_entry(frames)
        if entry is not None:
            sa_entries[entry] += n
            if entry.startswith("run a statement"):
                sa_phases[sqlalchemy_phase(frames)] += n
    return Profile(total, steps, libraries, self_time, inclusive, sa_entries, sa_phases)


def render(profile: Profile, cpu_ms: float, rate: float, seconds: int) -> str:
    total = max(profile.samples, 1)

    def pct(n: int) -> str:
        return f"{100 * n / total:5.1f}%"

    out = [
        f"POST /api/v1/tickets: {rate:,.0f} req/s over {seconds} s with one uvicorn worker,"
        f" {cpu_ms:.2f} ms of server CPU per request ({profile.samples / 1e6:.1f} s sampled)",
        "",
        "CPU by step of the request (innermost step wins):",
    ]
    steps = profile.steps.most_common()
    out += [f"  {pct(n)}  {cpu_ms * n / total:5.2f} ms  {k}" for k, n in steps]
    out += ["", "CPU by library (where the sampled Python frame lives):"]
    out += [f"  {pct(n)}  {k}" for k, n in profile.libraries.most_common()]
    out += ["", "CPU under SQLAlchemy, by what our code asked of it:"]
    out += [f"  {pct(n)}  {k}" for k, n in profile.sa_entries.most_common()]
    out += ["", "  … and running a statement, by where inside SQLAlchemy:"]
    out += [f"  {pct(n)}  {k}" for k, n in profile.sa_phases.most_common()]
    out += ["", "Hottest functions, self time:"]
    out += [f"  {pct(n)}  {k}" for k, n in profile.self_time.most_common(30)]
    out += ["", "Inclusive time, the project's own functions:"]
    own = [(k, n) for k, n in profile.inclusive.most_common() if "(servicedesk/" in k]
    out += [f"  {pct(n)}  {k}" for k, n in own[:30]]
    return "\n".join(out)


async def profile(seconds: int) -> str:
    target = next(t for t in TARGETS if t.key == "project")
    collapsed = RESULTS / "profile.collapsed"
    RESULTS.mkdir(parents=True, exist_ok=True)
    async with fresh_database() as bdb:
        seeded = await seed(bdb.url, 300)
        customers_file = RESULTS / "customers.tsv"
        write_customers(customers_file, seeded.customers)
        launcher = [sys.executable, "-m", "bench.sampler", str(collapsed), "--"]
        env = server_env(target, bdb)
        log_path = RESULTS / "logs" / "profile.log"
        with serve(
            "profile", target.factory, ServerSettings(1), env, log_path, launcher=launcher
        ) as server:  # noqa: E501

            def load(duration: int, run_no: int) -> float:
                result = run_wrk(
                    server.base_url + target.path,
                    connections=64,
                    threads=2,
                    duration_s=duration,
                    token=seeded.token,
                    tag=f"profile{run_no}{secrets.token_hex(3)}",
                    run_no=run_no,
                    customers_file=customers_file,
                )
                if result.failures:
                    raise RuntimeError(f"requests failed: {result.first_error}")
                return result.rate

            print("warming up 5 s…", flush=True)
            await asyncio.to_thread(load, 5, 0)
            print(f"sampling {seconds} s under load…", flush=True)
            os.kill(server.pid, signal.SIGUSR1)
            before = cpu.server_cpu(server.pid)
            rate = await asyncio.to_thread(load, seconds, 1)
            spent = cpu.server_cpu(server.pid) - before
            os.kill(server.pid, signal.SIGUSR2)
            await sampler.written(collapsed)
    cpu_ms = spent * 1000 / max(rate * seconds, 1)
    return render(analyse(collapsed), cpu_ms, rate, seconds)


def main() -> int:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    collapsed = RESULTS / "profile.collapsed"
    collapsed.unlink(missing_ok=True)
    text = asyncio.run(profile(seconds))
    print()
    print(text)
    (RESULTS / "profile.txt").write_text(text + "\n", encoding="utf-8")
    print(f"\nStacks: {collapsed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
