"""`python -m bench.routing` (also run by `make bench`): routing decision time with
500 agents and 50,000 waiting tickets, beside a raw baseline in the same run.

The issue: "routing decision time with 500 agents and 50,000 waiting tickets …
Aim: routing under 10 ms per decision."

On a fresh migrated database (the embedded PostgreSQL, or BENCH_DATABASE_URL), built
with set-based SQL at the instant t0:

- 5 queues (two push e-mail, three leave it to be pulled), AGENTS agents each a
  member of two queues, all available with a screen connected (`agent_presence`,
  `agent_connection` seen at t0), idle since assorted instants; skills: languages
  en, ar, ru, fr (Hebrew is everyone's, so not a skill) and the five product lines;
  each agent has some (some at level 0: in training, not counted);
- TICKETS / 2 customers (tiers and languages mixed), 40 % with a registered unit;
- TICKETS waiting tickets (new or open, in a queue, nobody's): channels voice 10 %,
  chat 20 %, written 70 %; all priorities; 70 % with an SLA deadline; their
  `routing_entry` rows written by the project's own `routing.queue.sync`, so the
  order and the required skills are the project's (a customer's language other
  than Hebrew, the unit's product line): about half need a skill, some two;
- work the agents already hold (their capacity is counted): 3 open written tickets
  each on average and 150 active chats;
- the offers of a desk that has been running: TICKETS / 2 decided over the last
  day (accepted, declined, timed out), so `routing_offer` is not an empty table.

Rows, per decision, each in its own transaction as the router runs them:

  raw          (baseline) on one asyncpg connection, no transaction: the bare
               index-ordered SELECT of the queue's first unoffered entry of a work
               class and a bare SELECT of the queue's longest-idle available agent
  offer        `dispatch.anyone_free` + `dispatch.offer_next` (one offer made), rolled
               back: every decision sees the same 50,000 tickets and 500 free agents
  offer, run   the router's loop (`Router.dispatch`): queue after queue, class after
               class, one committed transaction per decision until nobody is free
               for anything; agents get used up, so later decisions look past more
               offered entries and busy agents; ends with the decisions that find
               nobody. Offers are withdrawn again after each round
  pull         `offers.next_ticket` ("next ticket"), committed: the agent's most urgent
               written ticket they may take, assigned to them (ticket update, audit,
               the entry removed); PULLS agents per round, each once

Each round runs every row in turn; a row's figures are its median round (by p50).
Writes bench/results/routing-latest.{md,json} and the statements' EXPLAIN ANALYZE to
bench/results/routing-explain.txt. Exits 1 when a check failed (the router's run made
fewer offers than half the agents, or a pull found nothing).

Settings (environment):
  BENCH_ROUTING_AGENTS     agents (500)
  BENCH_ROUTING_TICKETS    waiting tickets (50,000)
  BENCH_ROUTING_DECISIONS  rolled-back decisions per queue and work class per round (20)
  BENCH_ROUTING_PULLS      pulls per round (200)
  BENCH_ROUNDS             rounds (3)
  BENCH_DATABASE_URL       a server to make the fresh database on (default: embedded)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg

from bench.report import Machine, load_average, now
from bench.sla_data import Desk, wired_desk
from servicedesk.db import Actor, Database, UnitOfWork
from servicedesk.routing import dispatch, offers, queue
from servicedesk.routing.dispatch import Capacity
from servicedesk.routing.models import WorkClass
from servicedesk.sql import DriverSQL

RESULTS = Path(__file__).resolve().parent / "results"
AIM_MS = 10.0
QUEUES = 5
PUSH_QUEUES = (1, 2)  # queues whose e-mail is offered; the others' is pulled
CAPACITY = Capacity()  # the defaults: 1 call, 3 chats, 8 written tickets

# A stable pseudo-random 0..99 per (row, salt), the same in every run.
_B = "mod(abs(hashint8(({x})::bigint * 7919 + {salt})), 100)"


def _b(x: str, salt: int) -> str:
    return _B.format(x=x, salt=salt)


DATA = [
    """
    INSERT INTO team (id, name, language, description, is_default, created_at, email_mode)
    SELECT g, 'Queue ' || g, 'he', '', g = 1, :t0,
           CASE WHEN g IN (1, 2) THEN 'push' ELSE 'pull' END
    FROM generate_series(1, 5) g
    """,
    """
    INSERT INTO app_user (id, email, name, role, password_hash, language, is_active, created_at)
    SELECT g, 'agent' || g || '@bench.example', 'Agent ' || g,
           CASE WHEN g = 1 THEN 'admin' ELSE 'agent' END, NULL, 'he', true, :t0
    FROM generate_series(1, :agents + 1) g
    """,
    """
    INSERT INTO team_member (team_id, user_id)
    SELECT DISTINCT q, g FROM generate_series(2, :agents + 1) g,
           LATERAL (VALUES (1 + mod(g, 5)), (1 + mod(g + 2, 5))) AS x(q)
    """,
    """
    INSERT INTO skill (id, name, kind)
    VALUES (1, 'en', 'language'), (2, 'ar', 'language'), (3, 'ru', 'language'),
           (4, 'fr', 'language'), (5, 'washer', 'product_line'), (6, 'dryer', 'product_line'),
           (7, 'fridge', 'product_line'), (8, 'oven', 'product_line'),
           (9, 'dishwasher', 'product_line')
    """,
    f"""
    INSERT INTO user_skill (user_id, skill_id, level)
    SELECT g, s, CASE WHEN {_b("g * 10 + s", 3)} < 10 THEN 0 ELSE 1 + mod(g + s, 3) END
    FROM generate_series(2, :agents + 1) g, generate_series(1, 9) s
    WHERE CASE s WHEN 1 THEN {_b("g", 5)} < 70 WHEN 2 THEN {_b("g", 7)} < 25
                 WHEN 3 THEN {_b("g", 11)} < 20 WHEN 4 THEN {_b("g", 13)} < 8
                 ELSE mod(g + s, 5) < 3 END
    """,
    """
    INSERT INTO product (id, sku, name, category, price, attributes, warranty_months,
                         created_at)
    SELECT g, 'SKU-' || g, 'Product ' || g,
           (ARRAY['washer', 'dryer', 'fridge', 'oven', 'dishwasher'])[g], 1999, '{}', 24, :t0
    FROM generate_series(1, 5) g
    """,
    f"""
    INSERT INTO customer (id, name, tier, preferred_language, created_at, updated_at)
    SELECT g, 'Customer ' || g,
           CASE WHEN b < 55 THEN 'standard' WHEN b < 75 THEN 'silver' WHEN b < 90 THEN 'gold'
                ELSE 'platinum' END,
           CASE WHEN l < 60 THEN 'he' WHEN l < 80 THEN 'en' WHEN l < 90 THEN 'ar'
                WHEN l < 98 THEN 'ru' ELSE 'fr' END,
           :t0, :t0
    FROM generate_series(1, :customers) g, LATERAL (SELECT {_b("g", 17)} AS b, {_b("g", 19)} AS l) x
    """,
    f"""
    INSERT INTO asset (id, serial, product_id, customer_id, purchased_on, warranty_ends_on,
                       created_at)
    SELECT g, 'RT-' || g, 1 + mod(g, 5), g, CAST(:t0 AS date) - 300, CAST(:t0 AS date) + 400,
           :t0
    FROM generate_series(1, :customers) g WHERE {_b("g", 23)} < 40
    """,
    # The waiting tickets (ids 1..:tickets), then the work the agents already hold.
    f"""
    INSERT INTO ticket (id, subject, status, priority, channel, customer_id, asset_id,
                        queue_id, assignee_id, version, created_at, updated_at, sla_due_at)
    SELECT g, 'Ticket ' || g, CASE WHEN mod(g, 3) = 0 THEN 'open' ELSE 'new' END,
           CASE WHEN p < 5 THEN 'urgent' WHEN p < 25 THEN 'high' WHEN p < 85 THEN 'normal'
                ELSE 'low' END,
           CASE WHEN c < 10 THEN 'voice' WHEN c < 30 THEN 'chat' WHEN c < 80 THEN 'email'
                WHEN c < 90 THEN 'web' ELSE 'sms' END,
           cust, CASE WHEN {_b("g", 31)} < 60 THEN (SELECT a.id FROM asset a
                                                   WHERE a.customer_id = cust) END,
           1 + mod(g, 5), NULL, 1, created, created,
           CASE WHEN {_b("g", 37)} < 70
                THEN :t0::timestamptz + interval '1 minute' * {_b("g", 41)} * 30 END
    FROM generate_series(1, :tickets) g,
         LATERAL (SELECT {_b("g", 29)} AS p, {_b("g", 43)} AS c,
                         1 + mod(g * 7, :customers) AS cust,
                         CAST(:t0 AS timestamptz) - interval '3 days' * (1 - (g - 0.5) / :tickets)
                           AS created) x
    """,
    """
    INSERT INTO ticket (id, subject, status, priority, channel, customer_id, queue_id,
                        assignee_id, version, created_at, updated_at)
    SELECT :tickets + g, 'Held ' || g, 'open', 'normal',
           CASE WHEN g <= 150 THEN 'chat' ELSE 'email' END,
           1 + mod(g * 11, :customers), 1 + mod(a, 5), a, 2,
           CAST(:t0 AS timestamptz) - interval '1 day', :t0
    FROM generate_series(1, :agents * 3 + 150) g, LATERAL (SELECT 2 + mod(g * 13, :agents) AS a) x
    """,
    """
    INSERT INTO chat (ticket_id, name, email, language, state, agent_user_id, started_at,
                      assigned_at, customer_seen_at)
    SELECT t.id, 'Chatter', 'chat' || t.id || '@bench.example', 'he', 'active', t.assignee_id,
           :t0, :t0, :t0
    FROM ticket t WHERE t.id > :tickets AND t.channel = 'chat'
    """,
    f"""
    INSERT INTO agent_presence (user_id, status, changed_at, idle_since, reason)
    SELECT g, 'available', :t0,
           CAST(:t0 AS timestamptz) - interval '1 second' * {_b("g", 47)} * 36, 'connected'
    FROM generate_series(2, :agents + 1) g
    """,
    """
    INSERT INTO agent_connection (sid, user_id, node, connected_at, seen_at)
    SELECT 'bench-' || g, g, 'bench', :t0, :t0 FROM generate_series(2, :agents + 1) g
    """,
    # A desk that has been running: the offers of the last days, decided long ago
    # (accepted: the held tickets; declined or timed out: some of the waiting ones).
    f"""
    INSERT INTO routing_offer (ticket_id, user_id, work_class, state, created_at, expires_at,
                               decided_at)
    SELECT t.id, 2 + mod(g * 17, :agents),
           CASE t.channel WHEN 'voice' THEN 'voice' WHEN 'chat' THEN 'chat' ELSE 'email' END,
           CASE WHEN t.id > :tickets THEN 'accepted'
                WHEN {_b("g", 53)} < 70 THEN 'declined' ELSE 'timeout' END,
           at, at + interval '20 seconds', at + interval '5 seconds'
    FROM generate_series(1, :tickets / 2) g
    JOIN ticket t ON t.id = CASE WHEN mod(g, 10) = 0 THEN :tickets + 1 + mod(g, :agents * 3)
                                 ELSE g * 2 END,
         LATERAL (SELECT CAST(:t0 AS timestamptz) - interval '1 hour'
                         - interval '1 minute' * {_b("g", 59)} * 30 AS at) x
    """,
]
SEQUENCES = (
    "team",
    "app_user",
    "skill",
    "product",
    "customer",
    "asset",
    "ticket",
    "chat",
    "routing_offer",
)


@dataclass(frozen=True)
class Config:
    agents: int
    tickets: int
    decisions: int
    pulls: int
    rounds: int

    @classmethod
    def from_env(cls) -> Config:
        def env_int(name: str, default: int) -> int:
            raw = os.environ.get(name, "").replace(",", "").replace("_", "")
            return int(raw) if raw.strip() else default

        return cls(
            agents=max(10, env_int("BENCH_ROUTING_AGENTS", 500)),
            tickets=max(1000, env_int("BENCH_ROUTING_TICKETS", 50_000)),
            decisions=max(1, env_int("BENCH_ROUTING_DECISIONS", 20)),
            pulls=max(1, env_int("BENCH_ROUTING_PULLS", 200)),
            rounds=max(1, env_int("BENCH_ROUNDS", 3)),
        )


# --- the data -----------------------------------------------------------------------


async def build(desk: Desk, config: Config, t0: datetime) -> str:
    conn = desk.conn
    customers = config.tickets // 2
    params = {"t0": t0, "agents": config.agents, "customers": customers, "tickets": config.tickets}
    for sql in DATA:
        statement = DriverSQL(sql)
        await conn.execute(statement.sql, *statement.args(params))
    for table in SEQUENCES:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    # The entries, by the project's own sync (order, boost, skills), in batches.
    step = 10_000
    for start in range(1, config.tickets + 1, step):
        ids = list(range(start, min(start + step, config.tickets + 1)))
        async with desk.db.unit_of_work(Actor.system()) as uow:
            await queue.sync(uow, ids, t0)
    # Each has waited since its ticket came in, not since the sync.
    await conn.execute(
        "UPDATE routing_entry e SET waiting_since = t.created_at FROM ticket t"
        " WHERE t.id = e.ticket_id"
    )
    await conn.execute("VACUUM ANALYZE")
    row = await conn.fetchrow(
        """
        SELECT count(*) AS entries,
               count(*) FILTER (WHERE cardinality(required_skills) > 0) AS skilled,
               count(*) FILTER (WHERE cardinality(required_skills) > 1) AS two,
               count(*) FILTER (WHERE boosted) AS boosted,
               count(*) FILTER (WHERE work_class = 'voice') AS voice,
               count(*) FILTER (WHERE work_class = 'chat') AS chat,
               count(*) FILTER (WHERE work_class = 'email') AS email
        FROM routing_entry
        """
    )
    assert row is not None
    if row["entries"] != config.tickets:
        raise RuntimeError(f"{row['entries']} entries for {config.tickets} waiting tickets")
    return (
        f"{config.agents} agents (2 queues each, all available and connected), "
        f"{row['entries']:,} waiting tickets in {QUEUES} queues (voice {row['voice']:,}, "
        f"chat {row['chat']:,}, written {row['email']:,}; {row['skilled']:,} need a skill, "
        f"{row['two']:,} two; {row['boosted']:,} boosted by tier), "
        f"{config.agents * 3 + 150:,} tickets already held by the agents, "
        f"{config.tickets // 2:,} past offers"
    )


async def reset_offers(conn: asyncpg.Connection, t0: datetime) -> None:
    """Back to every agent free and every entry unoffered (the history stays)."""
    await conn.execute("UPDATE routing_entry SET offer_id = NULL WHERE offer_id IS NOT NULL")
    await conn.execute("DELETE FROM routing_offer WHERE created_at >= $1", t0)
    await conn.execute("VACUUM ANALYZE routing_entry, routing_offer, agent_presence")


# --- the measurements ---------------------------------------------------------------


@dataclass
class Sample:
    ms: list[float] = field(default_factory=list)
    made: int = 0  # offers or pulls made
    empty: int = 0  # decisions that found nobody or nothing

    def stats(self) -> tuple[float, float, float]:
        if not self.ms:
            return (0.0, 0.0, 0.0)
        ordered = sorted(self.ms)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (statistics.median(ordered), p99, ordered[-1])


class _Rollback(Exception):
    pass


def _pairs() -> list[tuple[int, WorkClass]]:
    return [
        (q, w)
        for q in range(1, QUEUES + 1)
        for w in (WorkClass.voice, WorkClass.chat, WorkClass.email)
        if w != WorkClass.email or q in PUSH_QUEUES
    ]


RAW_ENTRY = """
SELECT ticket_id, required_skills FROM routing_entry
WHERE queue_id = $1 AND work_class = $2 AND offer_id IS NULL
ORDER BY boosted DESC, priority_rank DESC, due_at ASC NULLS LAST, waiting_since, ticket_id
LIMIT 1
"""
RAW_AGENT = """
SELECT p.user_id FROM agent_presence p
JOIN team_member m ON m.user_id = p.user_id AND m.team_id = $1
WHERE p.status = 'available'
ORDER BY p.idle_since, p.user_id
LIMIT 1
"""


async def raw(conn: asyncpg.Connection, config: Config, sample: Sample) -> None:
    for queue_id, work_class in _pairs():
        for _ in range(config.decisions):
            started = time.perf_counter()
            entry = await conn.fetchrow(RAW_ENTRY, queue_id, work_class.value)
            agent = await conn.fetchrow(RAW_AGENT, queue_id)
            sample.ms.append((time.perf_counter() - started) * 1000)
            if entry is None or agent is None:
                sample.empty += 1
            else:
                sample.made += 1


async def _decide(db: Database, queue_id: int, work_class: WorkClass, t0: datetime) -> bool:
    """One decision of the router's loop, in its own transaction."""
    async with db.unit_of_work(Actor.system()) as uow:
        if not await dispatch.anyone_free(uow, queue_id, t0):
            return False
        offer = await dispatch.offer_next(uow, queue_id, work_class, CAPACITY, t0)
    return offer is not None


async def offer_rolled_back(db: Database, config: Config, t0: datetime, sample: Sample) -> None:
    for queue_id, work_class in _pairs():
        for _ in range(config.decisions):
            started = time.perf_counter()
            made = False
            try:
                async with db.unit_of_work(Actor.system()) as uow:
                    if await dispatch.anyone_free(uow, queue_id, t0):
                        offer = await dispatch.offer_next(uow, queue_id, work_class, CAPACITY, t0)
                        made = offer is not None
                    sample.ms.append((time.perf_counter() - started) * 1000)
                    raise _Rollback
            except _Rollback:
                pass
            sample.made += made
            sample.empty += not made


async def offer_run(db: Database, t0: datetime, sample: Sample) -> None:
    """`Router.dispatch`'s loop, each decision timed (commit included)."""
    for queue_id, work_class in _pairs():
        while True:
            started = time.perf_counter()
            made = await _decide(db, queue_id, work_class, t0)
            sample.ms.append((time.perf_counter() - started) * 1000)
            if not made:
                sample.empty += 1
                break
            sample.made += 1


async def pull(db: Database, agents: list[int], t0: datetime, sample: Sample) -> None:
    for user_id in agents:
        started = time.perf_counter()
        async with db.unit_of_work(Actor.system()) as uow:
            ticket = await offers.next_ticket(uow, user_id, CAPACITY, t0)
        sample.ms.append((time.perf_counter() - started) * 1000)
        if ticket is None:
            sample.empty += 1
        else:
            sample.made += 1


# --- EXPLAIN --------------------------------------------------------------------------


async def explain(conn: asyncpg.Connection, t0: datetime) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the decision's statements, in a transaction
    rolled back, with the parameters of a decision in queue 1 (its most urgent chat
    that needs a skill)."""
    entry = await conn.fetchrow(
        RAW_ENTRY.replace("offer_id IS NULL", "offer_id IS NULL AND required_skills <> '{}'"),
        1,
        "chat",
    )
    assert entry is not None
    skills = list(entry["required_skills"])
    common = {
        "queue_id": 1,
        "ticket_id": int(entry["ticket_id"]),
        "skills": skills,
        "default_slots": CAPACITY.chat,
        "alive_since": t0 - timedelta(seconds=60),
        "reoffer_since": t0 - dispatch.REOFFER_AFTER,
        "work_class": "chat",
        "limit": dispatch.CANDIDATES,
        "user_id": 2,
    }
    statements = [
        ("dispatch._ANYONE_FREE", dispatch._ANYONE_FREE),
        ("dispatch._ENTRIES (chat)", dispatch._ENTRIES),
        ("dispatch._AGENT[chat] for the first entry", dispatch._AGENT[WorkClass.chat]),
        ("dispatch._AGENT[email] for the first entry", dispatch._AGENT[WorkClass.email]),
        ("offers._PULL (agent 2)", offers._PULL),
    ]
    out = [f"chat entry of queue 1: ticket {entry['ticket_id']}, skills {skills}", ""]
    for name, statement in statements:
        params = {**common}
        if "email" in name:
            params.update(work_class="email", default_slots=CAPACITY.email)
        args = statement.args(params)
        tx = conn.transaction()
        await tx.start()
        try:
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, *args)
        finally:
            await tx.rollback()
        out += [f"== {name}", *[r[0] for r in rows], ""]
    return "\n".join(out)


# --- where the time goes ---------------------------------------------------------------


@contextlib.contextmanager
def statement_times() -> Iterator[dict[str, list[float]]]:
    """Time every hand-written statement a unit of work runs (`UnitOfWork._driver`),
    by its first words; only for the breakdown pass, never for the figures."""
    times: dict[str, list[float]] = {}
    original = UnitOfWork._driver

    async def timed(self: UnitOfWork, statement: DriverSQL, params: Any, *, many: bool) -> Any:
        started = time.perf_counter()
        try:
            return await original(self, statement, params, many=many)
        finally:
            key = " ".join(statement.sql.split())[:70]
            times.setdefault(key, []).append((time.perf_counter() - started) * 1000)

    UnitOfWork._driver = timed  # type: ignore[method-assign]
    try:
        yield times
    finally:
        UnitOfWork._driver = original  # type: ignore[method-assign]


async def breakdown(
    db: Database, conn: asyncpg.Connection, config: Config, agents: list[int], t0: datetime
) -> str:
    """One more pass of each, statements timed: which part of a decision is which
    (not counted in the figures)."""
    out = []
    passes: list[tuple[str, Callable[[Sample], Awaitable[None]]]] = [
        ("offer (rolled back)", partial(offer_rolled_back, db, config, t0)),
        ("offer, run (committed)", partial(offer_run, db, t0)),
        ("pull", partial(pull, db, agents, t0)),
    ]
    for name, step in passes:
        sample = Sample()
        with statement_times() as times:
            await step(sample)
        total = sum(sample.ms)
        out.append(
            f"{name}: {len(sample.ms)} decisions, {total / len(sample.ms):.2f} ms each on average"
        )
        for key, ms in sorted(times.items(), key=lambda kv: -sum(kv[1])):
            out.append(
                f"  {sum(ms) / len(sample.ms):6.2f} ms/decision  {len(ms) / len(sample.ms):4.1f}×"
                f"  median {statistics.median(ms):5.2f} ms  {key}"
            )
        rest = (total - sum(sum(ms) for ms in times.values())) / len(sample.ms)
        out.append(f"  {rest:6.2f} ms/decision  the rest (ORM, BEGIN, COMMIT, Python)")
        if "run" in name:
            await reset_offers(conn, t0)
    return "\n".join(out)


# --- the run ----------------------------------------------------------------------------

ROWS = {
    "raw": "raw: bare entry SELECT + bare agent SELECT on asyncpg (baseline)",
    "offer": "offer: anyone_free + offer_next, rolled back (all agents free)",
    "run": "offer, run: the router's loop, committed, until nobody is free",
    "pull": "pull: offers.next_ticket, committed (assigns the ticket)",
}


@dataclass
class Result:
    data: str = ""
    rounds: dict[str, list[Sample]] = field(default_factory=lambda: {k: [] for k in ROWS})
    problems: list[str] = field(default_factory=list)
    breakdown: str = ""  # where a decision's time goes (one more pass, statements timed)

    def median(self, key: str) -> Sample:
        samples = self.rounds[key]
        return sorted(samples, key=lambda s: s.stats()[0])[len(samples) // 2]


async def run(config: Config) -> tuple[Result, Machine, tuple[float, float], str]:
    busy_before = load_average()
    result = Result()
    async with wired_desk() as desk:
        conn = desk.conn
        pg_version = str(await conn.fetchval("SHOW server_version")).split(" ")[0]
        t0 = now().replace(microsecond=0)
        started = time.perf_counter()
        print(f"Fresh database on {desk.bdb.server}; building the data…", flush=True)
        result.data = await build(desk, config, t0)
        print(f"  {result.data} ({time.perf_counter() - started:.0f} s)", flush=True)
        explained = await explain(conn, t0)
        # A warm-up of each, not counted: statement caches, the pool, the buffers.
        warm = Config(config.agents, config.tickets, 2, 10, 1)
        await raw(conn, warm, Sample())
        await offer_rolled_back(desk.db, warm, t0, Sample())
        agents = list(range(2, config.agents + 2))
        for round_no in range(config.rounds):
            steps: list[tuple[str, Callable[[Sample], Awaitable[None]]]] = [
                ("raw", partial(raw, conn, config)),
                ("offer", partial(offer_rolled_back, desk.db, config, t0)),
                ("run", partial(offer_run, desk.db, t0)),
                ("pull", partial(pull, desk.db, _turn(agents, config, round_no), t0)),
            ]
            for key, step in steps:
                sample = Sample()
                await step(sample)
                result.rounds[key].append(sample)
                if key == "run":
                    await reset_offers(conn, t0)
            line = ", ".join(f"{k} p50 {result.rounds[k][-1].stats()[0]:.2f} ms" for k in ROWS)
            print(f"  round {round_no + 1}: {line}", flush=True)
        _check(result, config)
        result.breakdown = await breakdown(
            desk.db, conn, config, _turn(agents, config, config.rounds), t0
        )
        machine = Machine.read(pg_version, desk.bdb.server, f"asyncpg {version('asyncpg')}")
    return result, machine, (busy_before, load_average()), explained


def _turn(agents: list[int], config: Config, round_no: int) -> list[int]:
    """PULLS agents, a different stretch of them each round."""
    start = (round_no * config.pulls) % len(agents)
    return [agents[(start + i) % len(agents)] for i in range(config.pulls)]


def _check(result: Result, config: Config) -> None:
    for n, sample in enumerate(result.rounds["run"], 1):
        if sample.made < config.agents // 2:
            result.problems.append(f"round {n}: the router's run made only {sample.made} offers")
    for n, sample in enumerate(result.rounds["pull"], 1):
        if sample.empty:
            result.problems.append(f"round {n}: {sample.empty} pulls found nothing")


# --- the report -------------------------------------------------------------------------


def report(
    config: Config,
    result: Result,
    machine: Machine,
    busy: tuple[float, float],
) -> str:
    base = result.median("raw").stats()
    lines = [
        f"### `python -m bench.routing`, {now():%Y-%m-%d %H:%M} UTC",
        "",
        f"Data: {result.data}. {config.rounds} rounds, each row's median round (by p50); "
        f"{config.decisions} rolled-back decisions per queue and pushed work class, "
        f"{config.pulls} pulls per round. Times per decision, from its first statement "
        "to its offer (rolled back) or to its COMMIT (the others).",
        "",
        "| what | decisions | p50 ms | p99 ms | max ms | p50 × raw | p99 × raw |"
        f" < {AIM_MS:.0f} ms (p99) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, label in ROWS.items():
        sample = result.median(key)
        p50, p99, top = sample.stats()
        counts = f"{len(sample.ms):,}"
        if key != "raw":
            counts += f" ({sample.made:,} made, {sample.empty} none)"
        aim = "" if key == "raw" else ("met" if p99 < AIM_MS else "NOT met")
        lines.append(
            f"| {label} | {counts} | {p50:.2f} | {p99:.2f} | {top:.2f} | "
            f"{p50 / base[0]:.1f}× | {p99 / base[1]:.1f}× | {aim} |"
        )
    lines.append("")
    for key in ROWS:
        per_round = ", ".join(f"{s.stats()[0]:.2f}/{s.stats()[1]:.2f}" for s in result.rounds[key])
        lines.append(f"- {key}: p50/p99 ms per round: {per_round}")
    lines += [f"- INVALID: {p}" for p in result.problems]
    lines.append(
        f"- machine: {machine.cores} cores ({machine.cpu}), {machine.memory_gib:.0f} GiB, "
        f"{machine.kernel}; Python {machine.python}; PostgreSQL {machine.postgres} "
        f"({machine.database_server}); {machine.wrk}; code {machine.code}"
    )
    lines.append(f"- load average (1 min) before/after: {busy[0]:.2f} / {busy[1]:.2f}")
    lines += ["", "Where the time goes (one more pass, statements timed):", "", "```"]
    lines += [result.breakdown, "```"]
    return "\n".join(lines) + "\n"


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    result, machine, busy, explained = asyncio.run(run(config))
    text = report(config, result, machine, busy)
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "routing-latest.md").write_text(text, encoding="utf-8")
    (RESULTS / "routing-explain.txt").write_text(explained, encoding="utf-8")
    data = {
        "config": asdict(config),
        "machine": asdict(machine),
        "data": result.data,
        "rows": {
            key: [
                {
                    "p50": s.stats()[0],
                    "p99": s.stats()[1],
                    "max": s.stats()[2],
                    "n": len(s.ms),
                    "made": s.made,
                    "empty": s.empty,
                }
                for s in samples
            ]
            for key, samples in result.rounds.items()
        },
        "problems": result.problems,
    }
    (RESULTS / "routing-latest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    if result.problems:
        print("INVALID BENCHMARK: a check failed; the figures do not count.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
