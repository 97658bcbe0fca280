"""The escalation ladder: which steps fall due for a clock, and when the next will."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import BusinessCalendar
from sla.clock import evaluate
from sla.escalation import due_steps, next_action_at, step_instant
from sla.policy import (
    ClockState,
    EscalationStep,
    HistoryEvent,
    Match,
    Policy,
    Targets,
    TicketHistory,
)

H = timedelta(hours=1)
LADDER = Policy(
    name="ladder",
    calendar="israel",
    match=Match(),
    targets={"normal": Targets(first_response=2 * H, resolution=8 * H)},
    escalations=(
        EscalationStep("warn", notify=("assignee",)),
        EscalationStep("breach", notify=("supervisors",)),
        EscalationStep(
            "breach", 2 * H, metrics=frozenset({"first_response"}), raise_priority_to="urgent"
        ),
        EscalationStep("breach", 2 * H, notify=("team:Tier 2",)),
        EscalationStep("warn", metrics=frozenset({"resolution"}), move_to_queue="Watch"),
    ),
)


def utc(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


RUNNING = ClockState(
    metric="first_response",
    target=2 * H,
    state="running",
    started_at=utc(6),
    elapsed=H,
    due_at=utc(8),
    warn_at=utc(7, 30),
)
BREACHED = replace(RUNNING, state="breached", elapsed=5 * H, breached_at=utc(8))
ANSWERED_LATE = replace(BREACHED, stopped_at=utc(9), stopped_by="reply")
MET = replace(RUNNING, state="met", stopped_at=utc(7), stopped_by="reply")
PAUSED = replace(RUNNING, state="paused", due_at=None, warn_at=None)
RESOLUTION = replace(RUNNING, metric="resolution", target=8 * H, due_at=utc(14), warn_at=utc(12))

CASES = [
    # name, clock, now, done, due keys, next action
    ("running, before the warning", RUNNING, utc(7), set(), [], utc(7, 30)),
    ("running, at the warning", RUNNING, utc(7, 30), set(), ["warn#1"], utc(7, 30)),
    ("warning done: next is the breach", RUNNING, utc(7, 45), {"warn#1"}, [], utc(8)),
    (
        "running past its due instant (evaluated earlier): the breach falls due",
        RUNNING,
        utc(8),
        {"warn#1"},
        ["breach#1"],
        utc(8),
    ),
    (
        "breached three hours ago: everything, earliest first",
        BREACHED,
        utc(11),
        set(),
        ["warn#1", "breach#1", "breach+2h#1", "breach+2h#2"],
        utc(7, 30),
    ),
    (
        "breached, early steps done: the wall-clock steps next",
        BREACHED,
        utc(9),
        {"warn#1", "breach#1"},
        [],
        utc(10),
    ),
    ("every step done: nothing ever", BREACHED, utc(23), {*LADDER.escalation_keys}, [], None),
    (
        "answered late: the steps after the answer never fall due",
        ANSWERED_LATE,
        utc(12),
        {"warn#1"},
        ["breach#1"],
        utc(8),
    ),
    ("answered late, all before it done", ANSWERED_LATE, utc(12), {"warn#1", "breach#1"}, [], None),
    ("met: never escalates", MET, utc(12), set(), [], None),
    ("paused: the steps wait", PAUSED, utc(12), set(), [], None),
    (
        "another metric: its own steps only",
        RESOLUTION,
        utc(12),
        set(),
        ["warn#1", "warn#2"],
        utc(12),
    ),
]


@pytest.mark.parametrize(
    ("clock", "now", "done", "keys", "next_at"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_ladder(
    clock: ClockState,
    now: datetime,
    done: set[str],
    keys: list[str],
    next_at: datetime | None,
) -> None:
    due = due_steps(LADDER, clock, now, frozenset(done))
    assert [key for key, _ in due] == keys
    by_key = dict(zip(LADDER.escalation_keys, LADDER.escalations, strict=True))
    assert all(step is by_key[key] for key, step in due)
    assert next_action_at(LADDER, clock, frozenset(done)) == next_at


def test_done_defaults_to_nothing() -> None:
    assert [key for key, _ in due_steps(LADDER, RUNNING, utc(7, 30))] == ["warn#1"]
    assert next_action_at(LADDER, RUNNING) == utc(7, 30)


def test_no_warning_instant_means_no_warning_step() -> None:
    clock = replace(RUNNING, warn_at=None)
    assert step_instant(LADDER.escalations[0], clock) is None
    assert step_instant(LADDER.escalations[1], clock) == utc(8)


def test_wall_clock_after_the_breach_across_the_dst_night() -> None:
    """breach+2h is two real hours, even when the clocks go back in between."""
    jerusalem = ZoneInfo("Asia/Jerusalem")
    breach = datetime(2026, 10, 25, 0, 30, tzinfo=jerusalem)  # 21:30 UTC, summer time
    clock = replace(BREACHED, breached_at=breach, due_at=breach)
    instant = step_instant(LADDER.escalations[3], clock)
    assert instant == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 01:30 winter time
    assert instant is not None
    assert instant.tzinfo is UTC


def test_with_evaluated_clocks() -> None:
    israel = BusinessCalendar("Asia/Jerusalem", {6: [("08:00", "17:00")]})
    jerusalem = ZoneInfo("Asia/Jerusalem")
    created = datetime(2026, 3, 1, 8, tzinfo=jerusalem)  # a Sunday
    history = TicketHistory(created, (HistoryEvent(created + 3 * H, "agent_reply"),))
    first, resolution = evaluate(LADDER, israel, history, "normal", created + 6 * H)
    assert first.state == "breached"
    assert [key for key, _ in due_steps(LADDER, first, created + 6 * H, frozenset())] == [
        "warn#1",
        "breach#1",
    ]
    assert next_action_at(LADDER, resolution, frozenset({"warn#1", "warn#2"})) == datetime(
        2026, 3, 1, 16, tzinfo=jerusalem
    )
