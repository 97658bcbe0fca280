"""The escalation sweeper: fires the steps of clocks whose `next_action_at` has
come, exactly once each.

Due clocks are claimed with FOR UPDATE SKIP LOCKED (two sweepers never take the
same clock at once) through the partial index on `next_action_at` (never the
whole table); each step is written to `sla_escalation` under a unique key
before it acts, so a step runs once per clock whatever the number of sweepers,
crashes or restarts. State lives in PostgreSQL only: a restarted sweeper finds
overdue steps and fires them at once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from servicedesk.audit.service import record
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.enums import Priority
from servicedesk.events import SlaBreached, SlaEscalated, SlaWarning
from servicedesk.sla_tracking import steps
from servicedesk.sla_tracking.service import PolicyRegistry
from servicedesk.sla_tracking.stored import as_of, clock_from_row
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from sla.policy import PRIORITIES, ClockState, Policy

log = logging.getLogger(__name__)

BATCH = 100

_DUE = DriverSQL(
    """
    SELECT id, ticket_id, metric, cycle, policy_set_id, policy_name, target, state,
           started_at, elapsed, due_at, warn_at, breached_at, stopped_at
    FROM sla_clock
    WHERE next_action_at <= :now
    ORDER BY next_action_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
_FIRED = DriverSQL(
    "SELECT clock_id, step_key FROM sla_escalation WHERE clock_id = ANY(CAST(:ids AS integer[]))"
)
_TICKETS = DriverSQL(
    """
    SELECT t.id, t.queue_id, t.version, t.assignee_id, t.priority, c.organization_id
    FROM ticket t JOIN customer c ON c.id = t.customer_id
    WHERE t.id = ANY(CAST(:ids AS integer[]))
    """
)
_TEAMS = DriverSQL("SELECT id, name FROM team WHERE name = ANY(CAST(:names AS varchar[]))")
# Every step of the batch claimed in one statement; a step another sweeper fired
# first is not returned, and is not acted on.
_CLAIM = DriverSQL(
    """
    INSERT INTO sla_escalation (clock_id, step_key, fired_at, due_at, actions)
    SELECT x.clock_id, x.step_key, :now, x.due_at, x.actions
    FROM unnest(CAST(:clock_ids AS integer[]), CAST(:keys AS varchar[]),
                CAST(:dues AS timestamptz[]), CAST(:actions AS jsonb[]))
         AS x(clock_id, step_key, due_at, actions)
    ON CONFLICT (clock_id, step_key) DO NOTHING
    RETURNING clock_id, step_key
    """
)
_SAVE = DriverSQL(
    """
    UPDATE sla_clock SET state = x.state, breached_at = x.breached_at,
                         next_action_at = x.next_action_at, updated_at = :now
    FROM unnest(CAST(:ids AS integer[]), CAST(:states AS varchar[]),
                CAST(:breached AS timestamptz[]), CAST(:next AS timestamptz[]))
         AS x(id, state, breached_at, next_action_at)
    WHERE sla_clock.id = x.id
    """
)
_NEXT_WAKE = DriverSQL("SELECT min(next_action_at) AS at FROM sla_clock")


class Sweeper:
    def __init__(self, db: Database, registry: PolicyRegistry) -> None:
        self.db = db
        self.registry = registry

    async def sweep(self, now: datetime | None = None) -> int:
        """Fire what is due at `now` (default: the current time); returns the number
        of steps fired. Batches of BATCH clocks, one transaction each."""
        fired = 0
        while True:
            async with self.db.unit_of_work(Actor.system()) as uow:
                at = now or utcnow()
                rows = await uow.fetch(_DUE, {"now": at, "limit": BATCH})
                if rows:
                    fired += await self._batch(uow, rows, at)
            if len(rows) < BATCH:
                return fired

    async def next_wake(self) -> datetime | None:
        async with self.db.unit_of_work(Actor.system()) as uow:
            row = await uow.fetchrow(_NEXT_WAKE, {})
        return row["at"] if row is not None else None

    async def run(self, *, interval: float = 1.0, stop: asyncio.Event | None = None) -> None:
        """Sweep until `stop` is set: at least every `interval` seconds, sooner when
        the next step falls due sooner. Errors are logged; the loop goes on."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            wait = interval
            try:
                await self.sweep()
                wake = await self.next_wake()
                if wake is not None:
                    wait = min(interval, max(0.0, (wake - utcnow()).total_seconds()))
            except Exception:
                log.exception("SLA sweep failed; retrying")
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
            except TimeoutError:
                pass

    async def _batch(self, uow: UnitOfWork, rows: list[Any], now: datetime) -> int:
        """The due clocks of one batch, in a constant number of round trips: their
        fired steps, their tickets, one claim of every step due, one update."""
        ids = [int(r["id"]) for r in rows]
        done: dict[int, set[str]] = {i: set() for i in ids}
        for r in await uow.fetch(_FIRED, {"ids": ids}):
            done[r["clock_id"]].add(r["step_key"])
        plans: list[tuple[Any, ClockState, Policy | None]] = []
        claims: dict[str, list[Any]] = {"clock_ids": [], "keys": [], "dues": [], "actions": []}
        wanted: dict[tuple[int, str], steps.Step] = {}
        due_keys: dict[int, set[str]] = {i: set() for i in ids}
        for row in rows:
            clock = as_of(clock_from_row(row), now)
            policy = await self._policy(uow, row["policy_set_id"], row["policy_name"])
            plans.append((row, clock, policy))
            if policy is None:  # its policy set is gone: nothing can fire
                continue
            for step in steps.due(policy, clock, frozenset(done[row["id"]]), now):
                wanted[(row["id"], step.key)] = step
                due_keys[row["id"]].add(step.key)
                claims["clock_ids"].append(row["id"])
                claims["keys"].append(step.key)
                claims["dues"].append(step.at)
                claims["actions"].append(_actions_json(step))
        claimed = await uow.fetch(_CLAIM, {**claims, "now": now}) if claims["clock_ids"] else []
        fired = {(int(r["clock_id"]), str(r["step_key"])) for r in claimed}
        targets = await _targets(uow, {int(r["ticket_id"]) for r in rows})
        teams = await _teams(uow, [wanted[item] for item in fired])
        by_clock = {int(row["id"]): (row, clock) for row, clock, _ in plans}
        order = {key: n for n, key in enumerate(wanted)}  # each clock's steps in due order
        for clock_id, key in sorted(fired, key=lambda item: (wanted[item].at, order[item])):
            row, clock = by_clock[clock_id]
            target = targets.get(int(row["ticket_id"]))
            if target is not None:
                await _act(uow, target, teams, clock, wanted[(clock_id, key)], now)
        save: dict[str, list[Any]] = {"ids": [], "states": [], "breached": [], "next": []}
        for row, clock, policy in plans:
            # Steps another sweeper fired count as done too: they are in the log now.
            taken = frozenset(done[row["id"]] | due_keys[row["id"]])
            save["ids"].append(row["id"])
            save["states"].append(clock.state)
            save["breached"].append(clock.breached_at)
            save["next"].append(
                steps.next_action_at(policy, clock, taken) if policy is not None else None
            )
        await uow.fetch(_SAVE, {**save, "now": now})
        return len(fired)

    async def _policy(self, uow: UnitOfWork, set_id: int | None, name: str) -> Policy | None:
        if set_id is None:
            return None
        parsed = await self.registry.by_id(uow, set_id)
        if parsed is None:
            return None
        return next((p for p in parsed.policies if p.name == name), None)


@contextlib.asynccontextmanager
async def running_sweeper(
    db: Database, registry: PolicyRegistry, *, enabled: bool, interval: float
) -> AsyncIterator[Sweeper]:
    """The sweeper looping in the background while the block runs (when enabled)."""
    sweeper = Sweeper(db, registry)
    if not enabled:
        yield sweeper
        return
    stop = asyncio.Event()
    task = asyncio.create_task(sweeper.run(interval=interval, stop=stop), name="sla sweeper")
    try:
        yield sweeper
    finally:
        stop.set()
        await task


@dataclass
class _Target:
    """What the steps of a batch need of a ticket, read without the ORM; kept
    current when a rung changes the ticket, for the steps after it."""

    id: int
    queue_id: int | None
    version: int
    assignee_id: int | None
    priority: str
    organization_id: int | None


async def _targets(uow: UnitOfWork, ticket_ids: set[int]) -> dict[int, _Target]:
    rows = await uow.fetch(_TICKETS, {"ids": list(ticket_ids)})
    return {int(r["id"]): _Target(**dict(r)) for r in rows}


async def _teams(uow: UnitOfWork, fired: list[steps.Step]) -> dict[str, int]:
    """The ids of the teams the fired rungs name (to notify or to move to), in one
    query: a team renamed since the policy was written is simply not found."""
    names: set[str] = set()
    for step in fired:
        if step.rung is None:
            continue
        names.update(t[5:] for t in step.rung.notify if t.startswith("team:"))
        if step.rung.move_to_queue is not None:
            names.add(step.rung.move_to_queue)
    if not names:
        return {}
    rows = await uow.fetch(_TEAMS, {"names": sorted(names)})
    return {str(r["name"]): int(r["id"]) for r in rows}


def _actions_json(step: steps.Step) -> str:
    rung = step.rung
    if rung is None:
        return json.dumps({"alert": step.key})
    return json.dumps(
        {
            "notify": list(rung.notify),
            "raise_priority_to": rung.raise_priority_to,
            "move_to_queue": rung.move_to_queue,
        }
    )


async def _act(
    uow: UnitOfWork,
    target: _Target,
    teams: dict[str, int],
    clock: ClockState,
    step: steps.Step,
    now: datetime,
) -> None:
    if step.rung is None:
        alert = SlaWarning if step.key == steps.WARN else SlaBreached
        await uow.emit(
            alert(
                ticket_id=target.id,
                queue_id=target.queue_id,
                version=target.version,
                metric=clock.metric,
                organization_id=target.organization_id,
                assignee_id=target.assignee_id,
            )
        )
        record(
            uow,
            f"sla.{'warning' if step.key == steps.WARN else 'breached'}",
            "ticket",
            target.id,
            after={"metric": clock.metric, "cycle": clock.cycle, "at": step.at.isoformat()},
        )
        return
    rung = step.rung
    changes = tickets.TicketChanges()
    if rung.raise_priority_to is not None and _lower(target.priority, rung.raise_priority_to):
        changes.priority = Priority(rung.raise_priority_to)
    if rung.move_to_queue is not None:
        team_id = teams.get(rung.move_to_queue)
        if team_id is not None and team_id != target.queue_id:
            changes.queue_id, changes.set_queue = team_id, True
        elif team_id is None:
            log.error("SLA step %s: no queue named %r", step.key, rung.move_to_queue)
    if changes.priority is not None or changes.set_queue:
        # Only a rung that changes the ticket loads it, through the ticket service.
        ticket = await uow.session.get(Ticket, target.id)
        assert ticket is not None
        await tickets.update_ticket(uow, ticket, changes)
        target.priority, target.queue_id = ticket.priority.value, ticket.queue_id
        target.version, target.assignee_id = ticket.version, ticket.assignee_id
    users, queues, supervisors = _recipients(target, teams, rung.notify)
    await uow.emit(
        SlaEscalated(
            ticket_id=target.id,
            version=target.version,
            metric=clock.metric,
            step=step.key,
            notify_users=users,
            notify_queues=queues,
            notify_supervisors=supervisors,
        )
    )
    record(
        uow,
        "sla.escalated",
        "ticket",
        target.id,
        after={
            "metric": clock.metric,
            "cycle": clock.cycle,
            "step": step.key,
            "late_by_s": max(0, int((now - step.at) / timedelta(seconds=1))),
        },
    )


def _lower(current: str, target: str) -> bool:
    return PRIORITIES.index(current) < PRIORITIES.index(target)


def _recipients(
    target: _Target, teams: dict[str, int], notify: tuple[str, ...]
) -> tuple[tuple[int, ...], tuple[int, ...], bool]:
    users: list[int] = []
    queues: list[int] = []
    supervisors = False
    for who in notify:
        if who == "assignee" and target.assignee_id is not None:
            users.append(target.assignee_id)
        elif who == "supervisors":
            supervisors = True
        elif who.startswith("team:"):
            team_id = teams.get(who[5:])
            if team_id is not None:
                queues.append(team_id)
            else:
                log.error("SLA notify: no team named %r", who[5:])
    return tuple(users), tuple(queues), supervisors
