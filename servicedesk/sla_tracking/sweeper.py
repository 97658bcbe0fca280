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
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from servicedesk.audit.service import record
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.enums import Priority
from servicedesk.events import SlaBreached, SlaEscalated, SlaWarning
from servicedesk.sla_tracking import steps
from servicedesk.sla_tracking.service import PolicyRegistry
from servicedesk.sql import DriverSQL
from servicedesk.staff.models import Team
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
_FIRED = DriverSQL("SELECT step_key FROM sla_escalation WHERE clock_id = :clock_id")
_CLAIM = DriverSQL(
    """
    INSERT INTO sla_escalation (clock_id, step_key, fired_at, due_at, actions)
    VALUES (:clock_id, :step_key, :now, :due_at, CAST(:actions AS jsonb))
    ON CONFLICT (clock_id, step_key) DO NOTHING
    RETURNING id
    """
)
_SAVE = DriverSQL(
    """
    UPDATE sla_clock SET state = :state, breached_at = :breached_at,
                         next_action_at = :next_action_at, updated_at = :now
    WHERE id = :id
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
                for row in rows:
                    fired += await self._clock(uow, row, at)
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

    async def _clock(self, uow: UnitOfWork, row: Any, now: datetime) -> int:
        clock = _state(row)
        policy = await self._policy(uow, row["policy_set_id"], row["policy_name"])
        if policy is None:  # its policy set is gone: nothing can fire
            await uow.fetchrow(_SAVE, _saved(row["id"], clock, None, now))
            return 0
        if clock.state == "running" and clock.due_at is not None and clock.due_at <= now:
            clock = replace(clock, state="breached", breached_at=clock.due_at)
        done = frozenset(r["step_key"] for r in await uow.fetch(_FIRED, {"clock_id": row["id"]}))
        fired = 0
        ticket = await uow.session.get(Ticket, row["ticket_id"])
        for step in steps.due(policy, clock, done, now):
            done = done | {step.key}
            claimed = await uow.fetchrow(
                _CLAIM,
                {
                    "clock_id": row["id"],
                    "step_key": step.key,
                    "now": now,
                    "due_at": step.at,
                    "actions": _actions_json(step),
                },
            )
            if claimed is None or ticket is None:
                continue  # another sweeper fired it first
            fired += 1
            await _act(uow, ticket, clock, step, now)
        nxt = steps.next_action_at(policy, clock, done)
        await uow.fetchrow(_SAVE, _saved(row["id"], clock, nxt, now))
        return fired

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


def _state(row: Any) -> ClockState:
    return ClockState(
        metric=row["metric"],
        target=row["target"],
        state=row["state"],
        started_at=row["started_at"],
        elapsed=row["elapsed"],
        due_at=row["due_at"],
        warn_at=row["warn_at"],
        breached_at=row["breached_at"],
        stopped_at=row["stopped_at"],
        cycle=row["cycle"],
    )


def _saved(clock_id: int, clock: ClockState, nxt: datetime | None, now: datetime) -> dict[str, Any]:
    return {
        "id": clock_id,
        "state": clock.state,
        "breached_at": clock.breached_at,
        "next_action_at": nxt,
        "now": now,
    }


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
    uow: UnitOfWork, ticket: Ticket, clock: ClockState, step: steps.Step, now: datetime
) -> None:
    assert ticket.id is not None
    org = await uow.session.scalar(
        select(Customer.organization_id).where(col(Customer.id) == ticket.customer_id)
    )
    if step.rung is None:
        alert = SlaWarning if step.key == steps.WARN else SlaBreached
        await uow.emit(
            alert(
                ticket_id=ticket.id,
                queue_id=ticket.queue_id,
                version=ticket.version,
                metric=clock.metric,
                organization_id=org,
                assignee_id=ticket.assignee_id,
            )
        )
        record(
            uow,
            f"sla.{'warning' if step.key == steps.WARN else 'breached'}",
            "ticket",
            ticket.id,
            after={"metric": clock.metric, "cycle": clock.cycle, "at": step.at.isoformat()},
        )
        return
    rung = step.rung
    changes = tickets.TicketChanges()
    if rung.raise_priority_to is not None and _lower(ticket.priority.value, rung.raise_priority_to):
        changes.priority = Priority(rung.raise_priority_to)
    if rung.move_to_queue is not None:
        team = await uow.session.scalar(select(Team).where(col(Team.name) == rung.move_to_queue))
        if team is not None and team.id != ticket.queue_id:
            changes.queue_id, changes.set_queue = team.id, True
        elif team is None:
            log.error("SLA step %s: no queue named %r", step.key, rung.move_to_queue)
    if changes.priority is not None or changes.set_queue:
        await tickets.update_ticket(uow, ticket, changes)
    users, queues, supervisors = await _recipients(uow, ticket, rung.notify)
    await uow.emit(
        SlaEscalated(
            ticket_id=ticket.id,
            version=ticket.version,
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
        ticket.id,
        after={
            "metric": clock.metric,
            "cycle": clock.cycle,
            "step": step.key,
            "late_by_s": max(0, int((now - step.at) / timedelta(seconds=1))),
        },
    )


def _lower(current: str, target: str) -> bool:
    return PRIORITIES.index(current) < PRIORITIES.index(target)


async def _recipients(
    uow: UnitOfWork, ticket: Ticket, notify: tuple[str, ...]
) -> tuple[tuple[int, ...], tuple[int, ...], bool]:
    users: list[int] = []
    queues: list[int] = []
    supervisors = False
    for target in notify:
        if target == "assignee" and ticket.assignee_id is not None:
            users.append(ticket.assignee_id)
        elif target == "supervisors":
            supervisors = True
        elif target.startswith("team:"):
            team = await uow.session.scalar(select(Team).where(col(Team.name) == target[5:]))
            if team is not None and team.id is not None:
                queues.append(team.id)
            else:
                log.error("SLA notify: no team named %r", target[5:])
    return tuple(users), tuple(queues), supervisors
