"""The steps a clock can fire: its warning and its breach (always, so the screens
hear of them once) and the policy's escalation ladder (`sla.escalation`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sla import escalation
from sla.policy import ClockState, EscalationStep, Policy

WARN = "warn"
BREACH = "breach"


@dataclass(frozen=True)
class Step:
    key: str  # unique per clock: the escalation log's key
    at: datetime  # when it falls due
    rung: EscalationStep | None = None  # None for the warning and the breach themselves


def pending(policy: Policy, clock: ClockState, done: frozenset[str]) -> list[Step]:
    """Steps not yet fired that the clock will fire if nothing changes, by instant.
    A met or paused clock fires nothing (a paused one's instants move)."""
    if clock.state not in ("running", "breached"):
        return []
    found: list[Step] = []
    breach_at = clock.breached_at or clock.due_at
    if clock.state == "running" and clock.warn_at is not None and WARN not in done:
        found.append(Step(WARN, clock.warn_at))
    if breach_at is not None and BREACH not in done:
        if clock.stopped_at is None or breach_at <= clock.stopped_at:
            found.append(Step(BREACH, breach_at))
    # The ladder's keys ("warn#1", "breach+2h#1") never collide with "warn"/"breach".
    for key, rung in zip(policy.escalation_keys, policy.escalations, strict=True):
        at = escalation.step_instant(rung, clock) if key not in done else None
        if at is not None:
            found.append(Step(key, at, rung))
    return sorted(found, key=lambda step: step.at)


def next_action_at(policy: Policy, clock: ClockState, done: frozenset[str]) -> datetime | None:
    steps = pending(policy, clock, done)
    return steps[0].at if steps else None


def due(policy: Policy, clock: ClockState, done: frozenset[str], now: datetime) -> list[Step]:
    return [step for step in pending(policy, clock, done) if step.at <= now]
