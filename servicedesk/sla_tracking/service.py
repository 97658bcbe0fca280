"""All writes of SLA state: policy sets loaded, clocks recomputed from history.

Clocks are a pure function of (policy, calendar, history, priority, now)
(`sla.clock.evaluate`); this module feeds it from the database in batches and
stores what it returns, with `next_action_at` telling the sweeper when to look
again."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from servicedesk.audit.service import record
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.errors import InvalidInput
from servicedesk.sla_tracking import steps
from servicedesk.sla_tracking.history import TicketRecord, load_records
from servicedesk.sql import DriverSQL
from servicedesk.tickets.models import Ticket
from sla.clock import evaluate
from sla.config import ConfigError, load_policies
from sla.policy import ClockState, Policy, PolicySet

PENDING_TICKETS = "sla_tickets"  # uow.pending: tickets whose clocks must be recomputed
RECOMPUTE_ORDER = 100  # after the audit rows (order 0) the history is read from

_ACTIVE = DriverSQL("SELECT id, version FROM sla_policy_set WHERE active")
_SOURCE = DriverSQL("SELECT source FROM sla_policy_set WHERE id = :id")
_BY_VERSION = DriverSQL("SELECT id, active FROM sla_policy_set WHERE version = :version")
_INSERT_SET = DriverSQL(
    """
    INSERT INTO sla_policy_set (version, source, active, loaded_at, loaded_by_user_id)
    VALUES (:version, :source, false, :now, :user_id) RETURNING id
    """
)
_DEACTIVATE = DriverSQL("UPDATE sla_policy_set SET active = false WHERE active AND id <> :id")
_ACTIVATE = DriverSQL("UPDATE sla_policy_set SET active = true WHERE id = :id")
_ANY_CLOCK = DriverSQL(
    "SELECT 1 AS yes FROM sla_clock WHERE ticket_id = ANY(CAST(:ids AS integer[])) LIMIT 1"
)
_DONE_STEPS = DriverSQL(
    """
    SELECT c.ticket_id, c.metric, c.cycle, e.step_key
    FROM sla_escalation e JOIN sla_clock c ON c.id = e.clock_id
    WHERE c.ticket_id = ANY(CAST(:ids AS integer[]))
    """
)
# Every clock of the batch in one statement; clocks of these tickets that this
# pass did not write (a metric the new policy drops) are deleted after it.
_UPSERT_CLOCKS = DriverSQL(
    """
    INSERT INTO sla_clock (ticket_id, metric, cycle, policy_set_id, policy_name, target, state,
                           started_at, elapsed, due_at, warn_at, breached_at, stopped_at,
                           next_action_at, updated_at)
    SELECT x.ticket_id, x.metric, x.cycle, :policy_set_id, x.policy_name, x.target, x.state,
           x.started_at, x.elapsed, x.due_at, x.warn_at, x.breached_at, x.stopped_at,
           x.next_action_at, :now
    FROM unnest(CAST(:ticket_ids AS integer[]), CAST(:metrics AS varchar[]),
                CAST(:cycles AS integer[]), CAST(:policy_names AS varchar[]),
                CAST(:targets AS interval[]), CAST(:states AS varchar[]),
                CAST(:started AS timestamptz[]), CAST(:elapsed AS interval[]),
                CAST(:due AS timestamptz[]), CAST(:warn AS timestamptz[]),
                CAST(:breached AS timestamptz[]), CAST(:stopped AS timestamptz[]),
                CAST(:next_action AS timestamptz[]))
         AS x(ticket_id, metric, cycle, policy_name, target, state, started_at, elapsed,
              due_at, warn_at, breached_at, stopped_at, next_action_at)
    ON CONFLICT (ticket_id, metric, cycle) DO UPDATE SET
        policy_set_id = EXCLUDED.policy_set_id, policy_name = EXCLUDED.policy_name,
        target = EXCLUDED.target, state = EXCLUDED.state, started_at = EXCLUDED.started_at,
        elapsed = EXCLUDED.elapsed, due_at = EXCLUDED.due_at, warn_at = EXCLUDED.warn_at,
        breached_at = EXCLUDED.breached_at, stopped_at = EXCLUDED.stopped_at,
        next_action_at = EXCLUDED.next_action_at, updated_at = EXCLUDED.updated_at
    """
)
_DELETE_STALE = DriverSQL(
    """
    DELETE FROM sla_clock
    WHERE ticket_id = ANY(CAST(:ids AS integer[])) AND updated_at <> :now
    """
)
_UPDATE_TICKETS = DriverSQL(
    """
    UPDATE ticket SET sla_policy = x.policy, sla_due_at = x.due
    FROM unnest(CAST(:ids AS integer[]), CAST(:policies AS varchar[]),
                CAST(:dues AS timestamptz[])) AS x(id, policy, due)
    WHERE ticket.id = x.id
      AND (ticket.sla_policy IS DISTINCT FROM x.policy OR ticket.sla_due_at IS DISTINCT FROM x.due)
    """
)


class PolicyRegistry:
    """The active policy set, parsed once per process per version."""

    def __init__(self) -> None:
        self._parsed: dict[int, PolicySet] = {}

    async def active(self, uow: UnitOfWork) -> tuple[int, PolicySet] | None:
        row = await uow.fetchrow(_ACTIVE, {})
        if row is None:
            return None
        set_id = int(row["id"])
        parsed = await self.by_id(uow, set_id)
        assert parsed is not None
        return set_id, parsed

    async def by_id(self, uow: UnitOfWork, set_id: int) -> PolicySet | None:
        if set_id not in self._parsed:
            source = await uow.fetchrow(_SOURCE, {"id": set_id})
            if source is None:
                return None
            self._parsed[set_id] = load_policies(source["source"])
        return self._parsed[set_id]


@dataclass(frozen=True)
class Loaded:
    policy_set_id: int
    version: str
    changed: bool  # False when this version was already the active one
    policies: PolicySet


async def load_policy_set(uow: UnitOfWork, source: str, *, user_id: int | None) -> Loaded:
    """Validate a TOML policy file and make it the active version, atomically: a
    file with an error changes nothing. Loading a version seen before reactivates it."""
    try:
        parsed = load_policies(source)
    except ConfigError as exc:
        raise InvalidInput("the SLA policy file is not valid", fields={"source": str(exc)}) from exc
    existing = await uow.fetchrow(_BY_VERSION, {"version": parsed.version})
    if existing is not None and existing["active"]:
        return Loaded(int(existing["id"]), parsed.version, False, parsed)
    if existing is None:
        row = await uow.fetchrow(
            _INSERT_SET,
            {"version": parsed.version, "source": source, "now": utcnow(), "user_id": user_id},
        )
        assert row is not None
        set_id = int(row["id"])
    else:
        set_id = int(existing["id"])
    await uow.fetchrow(_DEACTIVATE, {"id": set_id})
    await uow.fetchrow(_ACTIVATE, {"id": set_id})
    record(
        uow,
        "sla.policies_loaded",
        "sla_policy_set",
        set_id,
        after={"version": parsed.version, "policies": [p.name for p in parsed.policies]},
    )
    return Loaded(set_id, parsed.version, True, parsed)


def schedule_recompute(
    uow: UnitOfWork, ticket_id: int, registry: PolicyRegistry, zone: str
) -> None:
    """Recompute the ticket's clocks once, just before COMMIT, after everything the
    transaction changes about it (status, priority, messages) is written."""
    pending = uow.pending.setdefault(PENDING_TICKETS, [])
    if ticket_id not in pending:
        pending.append(ticket_id)

    async def run(uow: UnitOfWork) -> None:
        ids = uow.pending.pop(PENDING_TICKETS, [])
        await recompute(uow, ids, registry, zone, utcnow())

    uow.before_commit(PENDING_TICKETS, run, order=RECOMPUTE_ORDER)


async def recompute(
    uow: UnitOfWork,
    ticket_ids: Sequence[int],
    registry: PolicyRegistry,
    zone: str,
    now: datetime,
) -> int:
    """Recompute the clocks of these tickets from their history; returns how many
    tickets have a policy. Safe to repeat: the result depends only on the data."""
    if not ticket_ids:
        return 0
    active = await registry.active(uow)
    if active is None and not await uow.fetchrow(_ANY_CLOCK, {"ids": list(ticket_ids)}):
        return 0  # no policies and no clocks to clear: nothing to do
    records = await load_records(uow, ticket_ids, zone)
    done = await _done_steps(uow, ticket_ids)
    rows: dict[str, list[Any]] = defaultdict(list)
    tickets: dict[int, tuple[str | None, datetime | None]] = {}
    for rec in records:
        policy = active[1].policy_for(rec.facts) if active is not None else None
        if policy is None or active is None:
            tickets[rec.ticket_id] = (None, None)
            continue
        clocks = evaluate(
            policy, active[1].calendar_of(policy), rec.history, rec.facts.priority, now
        )
        for clock in clocks:
            fired = done.get((rec.ticket_id, clock.metric, clock.cycle), frozenset())
            _add_row(rows, rec, policy, clock, steps.next_action_at(policy, clock, fired))
        tickets[rec.ticket_id] = (policy.name, _next_due(clocks))
    if rows:
        await uow.fetch(
            _UPSERT_CLOCKS, {**rows, "policy_set_id": active[0] if active else None, "now": now}
        )
    await uow.fetch(_DELETE_STALE, {"ids": list(ticket_ids), "now": now})
    await _update_tickets(uow, tickets)
    return sum(1 for name, _ in tickets.values() if name is not None)


def _add_row(
    rows: dict[str, list[Any]],
    rec: TicketRecord,
    policy: Policy,
    clock: ClockState,
    next_action: datetime | None,
) -> None:
    rows["ticket_ids"].append(rec.ticket_id)
    rows["metrics"].append(clock.metric)
    rows["cycles"].append(clock.cycle)
    rows["policy_names"].append(policy.name)
    rows["targets"].append(clock.target)
    rows["states"].append(clock.state)
    rows["started"].append(clock.started_at)
    rows["elapsed"].append(clock.elapsed)
    rows["due"].append(clock.due_at)
    rows["warn"].append(clock.warn_at)
    rows["breached"].append(clock.breached_at)
    rows["stopped"].append(clock.stopped_at)
    rows["next_action"].append(next_action)


def _next_due(clocks: list[ClockState]) -> datetime | None:
    """The ticket's most urgent deadline: the earliest of its running clocks."""
    dues = [c.due_at for c in clocks if c.state == "running" and c.due_at is not None]
    return min(dues) if dues else None


async def _done_steps(
    uow: UnitOfWork, ticket_ids: Sequence[int]
) -> dict[tuple[int, str, int], frozenset[str]]:
    found: dict[tuple[int, str, int], set[str]] = defaultdict(set)
    for row in await uow.fetch(_DONE_STEPS, {"ids": list(ticket_ids)}):
        found[(row["ticket_id"], row["metric"], row["cycle"])].add(row["step_key"])
    return {key: frozenset(value) for key, value in found.items()}


async def _update_tickets(
    uow: UnitOfWork, tickets: dict[int, tuple[str | None, datetime | None]]
) -> None:
    if not tickets:
        return
    ids = list(tickets)
    await uow.fetch(
        _UPDATE_TICKETS,
        {
            "ids": ids,
            "policies": [tickets[i][0] for i in ids],
            "dues": [tickets[i][1] for i in ids],
        },
    )
    # Rows this session holds are told too, without marking them changed.
    for ticket_id, (policy, due) in tickets.items():
        held = uow.session.identity_map.get(identity_key(Ticket, ticket_id))
        if held is not None:
            set_committed_value(held, "sla_policy", policy)
            set_committed_value(held, "sla_due_at", due)


_OPEN_TICKETS_AFTER = DriverSQL(
    """
    SELECT id FROM ticket WHERE status <> 'closed' AND id > :after ORDER BY id LIMIT :limit
    """
)


async def recompute_open_tickets(
    db: Database, registry: PolicyRegistry, zone: str, *, batch: int = 500, workers: int = 2
) -> int:
    """Recompute every ticket that is not closed (closed tickets keep the clocks
    they ended with), in batches of one transaction each; returns the count.

    `workers` batches are in flight at once, each on its own connection, so that
    PostgreSQL works on one batch while this process evaluates another (taking
    turns, one of the two would always be idle). Batches hold disjoint tickets."""
    pages = _Keyset(batch)

    async def work() -> int:
        count = 0
        while True:
            async with db.unit_of_work(Actor.system()) as uow:
                ids = await pages.next(uow)
                if ids:
                    await recompute(uow, ids, registry, zone, utcnow())
            count += len(ids)
            if not ids:
                return count

    return sum(await asyncio.gather(*(work() for _ in range(max(1, workers)))))


class _Keyset:
    """Successive pages of open ticket ids, handed out one at a time to workers."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.after = 0
        self.exhausted = False
        self.lock = asyncio.Lock()

    async def next(self, uow: UnitOfWork) -> list[int]:
        async with self.lock:
            if self.exhausted:
                return []
            rows = await uow.fetch(_OPEN_TICKETS_AFTER, {"after": self.after, "limit": self.size})
            ids = [int(row["id"]) for row in rows]
            self.exhausted = len(ids) < self.size
            if ids:
                self.after = ids[-1]
            return ids
