"""Stored clock rows back as `sla` clock states."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sla.policy import ClockState


def clock_from_row(row: Mapping[str, Any]) -> ClockState:
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


def as_of(clock: ClockState, now: datetime) -> ClockState:
    """A running clock past its deadline has breached, whether or not the sweeper
    has been round to record it yet."""
    if clock.state == "running" and clock.due_at is not None and clock.due_at <= now:
        return replace(clock, state="breached", breached_at=clock.due_at)
    return clock
