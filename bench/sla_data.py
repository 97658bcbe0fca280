"""`bench.sla_tracking`'s data, built with set-based SQL (INSERT … SELECT over
generate_series), not through the services: a million rows through the services
would take longer than the whole benchmark.

What is built, for TICKETS open tickets (ids 1..TICKETS), at the instant `t0`:

- 5 teams (the default queue, "US support", and the ladder's "Tier 2", "Escalations",
  "Billing"), an admin, 20 agents and a partner user, 5 products;
- TICKETS / 2 customers (55 % standard, 20 % silver, 15 % gold, 10 % platinum), each
  with one registered unit whose warranty is active (50 %), extended (15 %) or expired;
- the tickets, created over the 14 days before `t0`; 70 % name the customer's unit,
  10 % sit in the "US support" queue; priorities 10 % urgent, 25 % high, 50 % normal,
  15 % low; channels e-mail, web, voice, chat. Their history is written as the services
  write it (servicedesk/tickets/service.py), so `sla_tracking.history` reads realistic
  rows:
    the customer's first message (a voice ticket's call `meta.outcome` "answered",
      "voicemail" while unanswered) and the `ticket.created` audit row;
    85 % answered: a public agent reply, minutes to 8 hours after creation (audit
      `message.created` with status open); then 40 % of all: a customer follow-up
      (audit without status; ticket open), 25 %: set pending (`ticket.updated`) then
      the customer's follow-up reopens it, 10 %: put on hold, 10 %: set pending;
    30 % of the answered also carry an internal note, and 30 % of all an assignee
      change (`ticket.updated` without status): rows the history query must skip;
  15 % still unanswered (status new).
- `expected_policies(...)`: the policy of servicedesk/demo/sla.toml each ticket must
  get, from the same buckets, to check the project's matching afterwards.
- CLOCKS `sla_clock` rows on those tickets (first_response, resolution, then
  next_response cycles 1, 2, …: distinct (metric, cycle) per ticket), all running with
  `next_action_at` between one hour and 30 days after `t0`; `make_due` then moves
  exactly 100 of them due at `t0`.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from servicedesk.sla_tracking import steps
from sla.policy import ClockState, PolicySet

AGENTS = 20
TEAMS = ("תמיכה / Support", "US support", "Tier 2", "Escalations", "Billing")
DUE = 100

# Buckets: a stable pseudo-random 0..99 per (row, salt), the same in every run.
_B = "mod(abs(hashint8(({x})::bigint * 7919 + {salt})), 100)"


def bucket(x: str, salt: int) -> str:
    return _B.format(x=x, salt=salt)


STAFF = [
    """
    INSERT INTO organization (id, name, kind, created_at)
    SELECT g, 'Org ' || g, CASE WHEN g = 11 THEN 'partner' ELSE 'customer' END, $1
    FROM generate_series(1, 11) g
    """,
    """
    INSERT INTO team (id, name, language, description, is_default, created_at)
    SELECT i, name, 'he', '', i = 1, $1
    FROM unnest($2::text[]) WITH ORDINALITY AS x(name, i)
    """,
    """
    INSERT INTO app_user (id, email, name, role, password_hash, organization_id, language,
                          is_active, created_at)
    SELECT g, 'user' || g || '@bench.example', 'User ' || g,
           CASE WHEN g = 1 THEN 'admin' WHEN g = $2 + 2 THEN 'partner' ELSE 'agent' END,
           NULL, CASE WHEN g = $2 + 2 THEN 11 END, 'he', true, $1
    FROM generate_series(1, $2 + 2) g
    """,
    """
    INSERT INTO team_member (team_id, user_id)
    SELECT 1 + mod(g, 5), g FROM generate_series(2, $1 + 1) g
    """,
    """
    INSERT INTO product (id, sku, name, category, price, attributes, warranty_months,
                         created_at)
    SELECT g, 'SKU-' || g, 'Product ' || g,
           (ARRAY['washer', 'dryer', 'fridge', 'oven', 'dishwasher'])[g], 1999, '{}', 24, $1
    FROM generate_series(1, 5) g
    """,
]

CUSTOMERS = f"""
INSERT INTO customer (id, name, tier, preferred_language, organization_id, created_at,
                      updated_at)
SELECT g, 'Customer ' || g,
       CASE WHEN b < 55 THEN 'standard' WHEN b < 75 THEN 'silver' WHEN b < 90 THEN 'gold'
            ELSE 'platinum' END,
       'he', CASE WHEN mod(g, 10) < 3 THEN 1 + mod(g, 10) END,
       $1::timestamptz - interval '400 days', $1::timestamptz - interval '400 days'
FROM generate_series(1, $2) g, LATERAL (SELECT {bucket("g", 5)} AS b) x
"""

ASSETS = f"""
INSERT INTO asset (id, serial, product_id, customer_id, purchased_on, warranty_ends_on,
                   extended_until, created_at)
SELECT g, 'SLA-' || g, 1 + mod(g, 5), g, $1::timestamptz::date - 700,
       CASE WHEN b < 50 THEN $1::timestamptz::date + 300
            WHEN b < 65 THEN $1::timestamptz::date - 100
            ELSE $1::timestamptz::date - 400 END,
       CASE WHEN b >= 50 AND b < 65 THEN $1::timestamptz::date + 200 END,
       $1::timestamptz - interval '400 days'
FROM generate_series(1, $2) g, LATERAL (SELECT {bucket("g", 9)} AS b) x
"""

# One row per ticket: every choice and instant its rows are built from.
PLAN = f"""
CREATE UNLOGGED TABLE bench_sla_plan AS
SELECT g AS id, x.customer_id,
       CASE WHEN bp < 15 THEN 'new' WHEN bp < 55 THEN 'A' WHEN bp < 80 THEN 'B'
            WHEN bp < 90 THEN 'C' ELSE 'D' END AS path,
       bq < 10 AS us, ba < 70 AS has_asset,
       CASE WHEN br < 10 THEN 'urgent' WHEN br < 35 THEN 'high' WHEN br < 85 THEN 'normal'
            ELSE 'low' END AS priority,
       (ARRAY['email', 'web', 'voice', 'chat', 'email'])[1 + mod(g, 5)] AS channel,
       CASE WHEN mod(g, 5) < 4 THEN 2 + mod(g, {AGENTS}) END AS assignee,
       2 + mod(g * 3, {AGENTS}) AS agent,
       bn < 30 AS note, bs < 30 AS reassigned,
       -- servicedesk/demo/sla.toml's policies, first match wins
       CASE WHEN bq < 10 THEN 'US desk'
            WHEN ba < 70 AND warranty < 65 AND tier >= 75 THEN 'Gold, active warranty'
            WHEN ba < 70 AND warranty < 65 THEN 'Standard, active warranty'
            WHEN ba < 70 THEN 'Expired warranty (paid support)'
            ELSE 'Everyone else' END AS policy,
       c AS created_at, r AS reply_at,
       r + (($1::timestamptz - r) * (0.10 + 0.2 * by / 100.0)) AS status_at,
       r + (($1::timestamptz - r) * (0.35 + 0.6 * bz / 100.0)) AS followup_at,
       r + (($1::timestamptz - r) * 0.98) AS note_at,
       c + (($1::timestamptz - c) * 0.01) AS assigned_at
FROM generate_series(1, $2) g,
     LATERAL (SELECT 1 + mod(g * 7 + 3, $3) AS customer_id,
                     {bucket("g", 11)} AS bp, {bucket("g", 23)} AS bq, {bucket("g", 37)} AS ba,
                     {bucket("g", 41)} AS br, {bucket("g", 43)} AS bn, {bucket("g", 47)} AS bs,
                     {bucket("g", 53)} AS bx, {bucket("g", 59)} AS by, {bucket("g", 61)} AS bz,
                     $1::timestamptz - interval '14 days' * (1 - (g - 0.5) / $2)
                       - interval '2 minutes' AS c) x,
     -- the first answer: minutes to 8 hours after creation, never after t0
     LATERAL (SELECT c + least(($1::timestamptz - c) * 0.5, interval '8 hours')
                         * (0.02 + 0.98 * bx / 100.0) AS r) z,
     -- the customer's tier and its unit's warranty, as CUSTOMERS and ASSETS chose them
     LATERAL (SELECT {bucket("x.customer_id", 9)} AS warranty,
                     {bucket("x.customer_id", 5)} AS tier) y
"""

TICKETS = """
INSERT INTO ticket (id, subject, status, priority, channel, customer_id, asset_id, queue_id,
                    assignee_id, version, created_at, updated_at, first_responded_at)
SELECT id, 'Ticket ' || id || ': the unit stopped working',
       CASE path WHEN 'new' THEN 'new' WHEN 'C' THEN 'on_hold' WHEN 'D' THEN 'pending'
                 ELSE 'open' END,
       priority, channel, customer_id, CASE WHEN has_asset THEN customer_id END,
       CASE WHEN us THEN 2 ELSE 1 END, assignee,
       1 + (path <> 'new')::int + (path IN ('A', 'B'))::int + (path IN ('B', 'C', 'D'))::int,
       created_at,
       CASE path WHEN 'new' THEN created_at WHEN 'C' THEN status_at WHEN 'D' THEN status_at
                 ELSE followup_at END,
       CASE WHEN path <> 'new' THEN reply_at END
FROM bench_sla_plan
"""

# Message ids are id * 4 + k, so the audit rows can name them.
MESSAGES = """
INSERT INTO message (id, ticket_id, channel, direction, is_public, author_user_id,
                     author_customer_id, body_text, body_html, meta, created_at,
                     delivery_state, delivery_updated_at)
SELECT p.id * 4 + m.k, p.id, m.channel, m.direction, m.public, m.user_id, m.customer_id,
       m.body, '',
       -- the call that opened a voice ticket: answered by an agent (for the SLA an answer)
       -- unless the ticket is still unanswered; later calls are the customer's turns
       CASE WHEN m.k = 0 AND m.channel = 'voice'
            THEN jsonb_build_object('outcome', CASE WHEN p.path = 'new' THEN 'voicemail'
                                                    ELSE 'answered' END)
            ELSE '{}' END,
       m.at, m.delivery, CASE WHEN m.delivery IS NOT NULL THEN m.at END
FROM bench_sla_plan p
CROSS JOIN LATERAL (VALUES
    (0, true, p.channel, 'in', true, NULL::int, p.customer_id, 'It stopped.', p.created_at,
     NULL),
    (1, p.path <> 'new', p.channel, 'out', true, p.agent, NULL, 'Try this.', p.reply_at,
     CASE WHEN p.channel = 'email' THEN 'sent' END),
    (2, p.path IN ('A', 'B'), p.channel, 'in', true, NULL, p.customer_id, 'Still broken.',
     p.followup_at, NULL),
    (3, p.path <> 'new' AND p.note, 'note', 'out', false, p.agent, NULL, 'Parts ordered.',
     p.note_at, NULL)
) AS m(k, wanted, channel, direction, public, user_id, customer_id, body, at, delivery)
WHERE m.wanted
"""

AUDIT = """
INSERT INTO audit_event (at, actor_kind, actor_user_id, action, entity_type, entity_id,
                         before, after)
SELECT a.at, a.kind, a.user_id, a.action, 'ticket', p.id, a.before, a.after
FROM bench_sla_plan p
CROSS JOIN LATERAL (VALUES
    (true, p.created_at, 'system', NULL::int, 'ticket.created', NULL::jsonb,
     jsonb_build_object('status', 'new', 'priority', p.priority, 'assignee_id', NULL,
                        'asset_id', CASE WHEN p.has_asset THEN p.customer_id END,
                        'subject', 'Ticket ' || p.id, 'queue_id',
                        CASE WHEN p.us THEN 2 ELSE 1 END)),
    (p.reassigned, p.assigned_at, 'user', 1, 'ticket.updated',
     jsonb_build_object('assignee_id', NULL), jsonb_build_object('assignee_id', p.agent)),
    (p.path <> 'new', p.reply_at, 'user', p.agent, 'message.created', NULL,
     jsonb_build_object('message_id', p.id * 4 + 1, 'public', true, 'channel', p.channel,
                        'status', 'open')),
    (p.path IN ('B', 'C', 'D'), p.status_at, 'user', p.agent, 'ticket.updated',
     jsonb_build_object('status', 'open'),
     jsonb_build_object('status', CASE WHEN p.path = 'C' THEN 'on_hold' ELSE 'pending' END)),
    (p.path IN ('A', 'B'), p.followup_at, 'system', NULL, 'message.created', NULL,
     jsonb_build_object('message_id', p.id * 4 + 2, 'public', true, 'channel', p.channel,
                        'direction', 'in')
     || CASE WHEN p.path = 'B' THEN jsonb_build_object('status', 'open')
             ELSE '{}'::jsonb END),
    (p.path <> 'new' AND p.note, p.note_at, 'user', p.agent, 'message.created', NULL,
     jsonb_build_object('message_id', p.id * 4 + 3, 'public', false, 'channel', 'note'))
) AS a(wanted, at, kind, user_id, action, before, after)
WHERE a.wanted
ORDER BY a.at
"""

EXPECTED_POLICY = "SELECT id, policy FROM bench_sla_plan"

CLOCKS = """
INSERT INTO sla_clock (ticket_id, metric, cycle, policy_set_id, policy_name, target, state,
                       started_at, elapsed, due_at, warn_at, next_action_at, updated_at)
SELECT p.id, x.metric, x.cycle, $4, p.policy, x.target, 'running', p.created_at,
       interval '1 hour', n.at + x.target / 4, n.at, n.at, $1::timestamptz
FROM generate_series(1, $3) s
JOIN bench_sla_plan p ON p.id <= $5 - (s - 1) * $2
CROSS JOIN LATERAL (
    SELECT CASE s WHEN 1 THEN 'first_response' WHEN 2 THEN 'resolution'
                  ELSE 'next_response' END AS metric,
           CASE WHEN s <= 2 THEN 1 ELSE s - 2 END AS cycle,
           CASE s WHEN 1 THEN interval '4 hours' WHEN 2 THEN interval '24 hours'
                  ELSE interval '8 hours' END AS target
) x
CROSS JOIN LATERAL (
    SELECT $1::timestamptz + interval '1 hour'
           + mod(abs(hashint8(p.id::bigint * 16 + s)), 2592000) * interval '1 second' AS at
) n
"""


async def build_tickets(conn: asyncpg.Connection, t0: datetime, tickets: int) -> None:
    """Everything but the policies and the clocks, then ANALYZE."""
    customers = max(1, tickets // 2)
    organizations, teams, users, members, products = STAFF
    await conn.execute(organizations, t0)
    await conn.execute(teams, t0, list(TEAMS))
    await conn.execute(users, t0, AGENTS)
    await conn.execute(members, AGENTS)
    await conn.execute(products, t0)
    await conn.execute(CUSTOMERS, t0, customers)
    await conn.execute(ASSETS, t0, customers)
    await conn.execute(PLAN, t0, tickets, customers)
    for sql in (TICKETS, MESSAGES, AUDIT):
        await conn.execute(sql)
    for table in ("organization", "team", "app_user", "product", "customer", "asset", "ticket"):
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    await conn.execute(
        "SELECT setval(pg_get_serial_sequence('message', 'id'), (SELECT max(id) FROM message))"
    )
    await conn.execute("ANALYZE")


async def build_clocks(
    conn: asyncpg.Connection, t0: datetime, tickets: int, clocks: int, policy_set_id: int
) -> int:
    per_ticket = -(-clocks // tickets)
    await conn.execute(CLOCKS, t0, tickets, per_ticket, policy_set_id, clocks)
    await conn.execute("VACUUM ANALYZE sla_clock")
    count: int = await conn.fetchval("SELECT count(*) FROM sla_clock")
    return count


async def expected_policies(conn: asyncpg.Connection) -> dict[int, str]:
    return {r["id"]: r["policy"] for r in await conn.fetch(EXPECTED_POLICY)}


async def counts(conn: asyncpg.Connection) -> tuple[int, int, int]:
    row = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM customer) AS c, (SELECT count(*) FROM message) AS m, "
        "(SELECT count(*) FROM audit_event) AS a"
    )
    assert row is not None
    return row["c"], row["m"], row["a"]


@dataclass(frozen=True)
class DueClock:
    clock_id: int
    ticket_id: int
    policy: str
    kind: str  # "warning" or "breach"
    done: frozenset[str]  # steps fired before t0 (a breach's warning)
    expected: tuple[str, ...]  # the steps the sweep must fire


_CLOCK_OF = """
SELECT id, ticket_id, metric, cycle, policy_name, target, started_at, elapsed
FROM sla_clock WHERE ticket_id = $1 AND metric = $2 AND cycle = 1
"""
_MAKE_DUE = """
UPDATE sla_clock SET warn_at = $2, due_at = $3, next_action_at = $4, state = 'running'
WHERE id = $1
"""
_DONE = """
INSERT INTO sla_escalation (clock_id, step_key, fired_at, due_at, actions)
VALUES ($1, $2, $3, $3, '{}')
"""


async def make_due(
    conn: asyncpg.Connection, t0: datetime, tickets: int, policies: PolicySet
) -> list[DueClock]:
    """Exactly DUE clocks due at `t0`, on tickets spread over the table: even ones at
    their warning (warn_at 1–100 s ago, due in 30 min), odd ones at their breach (due
    1–20 min ago, the warning and its rungs fired 3 h ago, logged in sla_escalation).
    Breaches are recent enough that no "breach+1h" rung (priority raised, ticket moved,
    clocks recomputed) falls due: the sweep fires alerts and notifications only.
    The steps each must fire are worked out with the project's pure `steps.due`."""
    by_name = {p.name: p for p in policies.policies}
    made: list[DueClock] = []
    for k in range(DUE):
        ticket_id = 1 + (k * tickets) // DUE
        metric = "first_response" if k % 4 < 2 else "resolution"
        row = await conn.fetchrow(_CLOCK_OF, ticket_id, metric)
        assert row is not None, f"no {metric} clock on ticket {ticket_id}"
        policy = by_name[row["policy_name"]]
        warning = k % 2 == 0
        if warning:
            warn_at = t0 - timedelta(seconds=k + 1)
            due_at = t0 + timedelta(minutes=30)
        else:
            warn_at = t0 - timedelta(hours=3)
            due_at = t0 - timedelta(minutes=1 + k % 20)
        clock = ClockState(
            metric=row["metric"],
            target=row["target"],
            state="running",
            started_at=row["started_at"],
            elapsed=row["elapsed"],
            due_at=due_at,
            warn_at=warn_at,
        )
        done = frozenset(
            s.key for s in steps.pending(policy, clock, frozenset()) if s.at <= warn_at
        )
        if warning:
            done = frozenset()
        next_at = steps.next_action_at(policy, clock, done)
        if next_at is None or next_at > t0:
            raise RuntimeError(f"clock of ticket {ticket_id} not due at t0: {next_at}")
        # What the sweeper will see: a running clock past its due instant is breached.
        seen = clock
        if not warning:
            seen = replace(clock, state="breached", breached_at=due_at)
        expected = tuple(s.key for s in steps.due(policy, seen, done, t0))
        await conn.execute(_MAKE_DUE, row["id"], warn_at, due_at, next_at)
        for key in done:
            await conn.execute(_DONE, row["id"], key, warn_at)
        made.append(
            DueClock(
                row["id"],
                ticket_id,
                policy.name,
                "warning" if warning else "breach",
                done,
                expected,
            )
        )
    return made


@dataclass
class Desk:
    """A migrated desk on a fresh database, wired as the worker is (the sweeper and
    the recompute job share its policy registry), with a raw asyncpg connection."""

    bdb: Any
    settings: Any
    registry: Any
    db: Any
    conn: asyncpg.Connection


@contextlib.asynccontextmanager
async def wired_desk() -> AsyncIterator[Desk]:
    from bench.database import fresh_database
    from servicedesk import migrate
    from servicedesk.db import Database, make_engine
    from servicedesk.events import EventBus
    from servicedesk.settings import load_settings
    from servicedesk.wiring import subscribe_domain

    async with fresh_database() as bdb:
        settings = load_settings(
            {
                "DATABASE_URL": bdb.url,
                "SECRET_KEY": "bench-" + secrets.token_urlsafe(24),
                "SERVICEDESK_HOME": str(bdb.home),
                "LOG_LEVEL": "WARNING",
            }
        )
        bus = EventBus()
        registry = subscribe_domain(bus, settings)
        db = Database(make_engine(bdb.url, pool_size=2), bus)
        conn = await asyncpg.connect(bdb.url.replace("postgresql+asyncpg://", "postgresql://", 1))
        try:
            await migrate.upgrade(db.engine)
            yield Desk(bdb, settings, registry, db, conn)
        finally:
            await conn.close()
            await db.dispose()
