"""Which rungs of a policy's escalation ladder fall due for a clock, and when the
next one will: pure, so a sweeper can keep "next action" in an index and fire
each step once (its key goes into the clock's `done` set).

A step falls due at its clock's `warn_at` ("warn"), at the breach ("breach": the
`breached_at`, or `due_at` while the clock runs), or wall-clock time after the
breach ("breach+2h": real hours, nights and weekends included). Only running and
breached clocks escalate: a met clock never does, a paused one waits; a clock
that stopped (answered, solved) fires nothing that falls after its stop.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sla.policy import ClockState, EscalationStep, Policy


def step_instant(step: EscalationStep, clock: ClockState) -> datetime | None:
    """When `step` falls due for `clock`, in UTC; None when it never will
    (another metric, a met or paused clock, a stopped clock's later steps)."""
    if clock.state not in ("running", "breached") or not step.applies_to(clock.metric):
        return None
    if step.trigger == "warn":
        base = clock.warn_at
    else:
        base = clock.breached_at or clock.due_at
    if base is None:
        return None
    # Wall-clock arithmetic in UTC: a zone's DST day is not 24 hours long.
    instant = base.astimezone(UTC) + step.after
    if clock.stopped_at is not None and instant > clock.stopped_at:
        return None
    return instant


def due_steps(
    policy: Policy, clock: ClockState, now: datetime, done: frozenset[str] = frozenset()
) -> list[tuple[str, EscalationStep]]:
    """The steps not yet `done` whose instant is at or before `now`, earliest first
    (ladder order among equals)."""
    due = []
    for key, step in zip(policy.escalation_keys, policy.escalations, strict=True):
        if key in done:
            continue
        instant = step_instant(step, clock)
        if instant is not None and instant <= now:
            due.append((instant, key, step))
    due.sort(key=lambda item: item[0])
    return [(key, step) for _, key, step in due]


def next_action_at(
    policy: Policy, clock: ClockState, done: frozenset[str] = frozenset()
) -> datetime | None:
    """The earliest instant (UTC) a step not yet `done` falls due — possibly in the
    past, when a sweeper is late — or None when none ever will."""
    instants = [
        instant
        for key, step in zip(policy.escalation_keys, policy.escalations, strict=True)
        if key not in done and (instant := step_instant(step, clock)) is not None
    ]
    return min(instants, default=None)
