"""SLA clocks replayed from a ticket's history: one named scenario per row.

Each clock is shown as one line in its calendar's zone, so a row reads like the
desk's screen: `metric#cycle state elapsed due= warn= [breached=] [stopped= by]`.
Targets (normal priority): first response 2h, next response 4h, resolution 8h;
the warning at 75%. The Israeli calendar is open Sunday to Thursday 08:00–17:00,
closed on Israeli holidays and on our own closed day, Tuesday 10 March 2026.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import BusinessCalendar
from sla.clock import evaluate
from sla.policy import (
    ClockState,
    HistoryEvent,
    Match,
    Policy,
    Targets,
    TicketHistory,
)

JERUSALEM = ZoneInfo("Asia/Jerusalem")
NEW_YORK = ZoneInfo("America/New_York")
ISRAEL = BusinessCalendar(
    "Asia/Jerusalem",
    {day: [("08:00", "17:00")] for day in (6, 0, 1, 2, 3)},
    holidays=[datetime(2026, 3, 10).date()],
    country="IL",
)
US = BusinessCalendar(
    "America/New_York", {day: [("09:00", "17:00")] for day in range(5)}, country="US"
)
ALWAYS = BusinessCalendar("Asia/Jerusalem", {day: [("00:00", "24:00")] for day in range(7)})
ZONES = {id(ISRAEL): JERUSALEM, id(US): NEW_YORK, id(ALWAYS): JERUSALEM}

H = timedelta(hours=1)
POLICY = Policy(
    name="test",
    calendar="israel",
    match=Match(),
    targets={
        "normal": Targets(first_response=2 * H, next_response=4 * H, resolution=8 * H),
        "urgent": Targets(first_response=1 * H, next_response=2 * H, resolution=4 * H),
        "high": Targets(next_response=2 * H),
        "low": Targets(first_response=4 * H),
    },
)


def local(text: str, zone: ZoneInfo = JERUSALEM) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def show(clock: ClockState, zone: ZoneInfo) -> str:
    def when(moment: datetime | None) -> str:
        return "-" if moment is None else moment.astimezone(zone).strftime("%a %m-%d %H:%M")

    hours, rest = divmod(int(clock.elapsed.total_seconds()), 3600)
    line = (
        f"{clock.metric}#{clock.cycle} {clock.state} {hours}:{rest // 60:02d}"
        f" due={when(clock.due_at)} warn={when(clock.warn_at)}"
    )
    if clock.breached_at is not None:
        line += f" breached={when(clock.breached_at)}"
    if clock.stopped_at is not None:
        line += f" stopped={when(clock.stopped_at)} by {clock.stopped_by}"
    return line


@dataclass
class Scenario:
    name: str
    created: str
    events: list[tuple[str, str] | tuple[str, str, str]]
    now: str
    expect: list[str]
    priority: str = "normal"
    calendar: BusinessCalendar = ISRAEL
    initial_status: str = "new"
    zone: ZoneInfo = JERUSALEM
    options: dict[str, object] = field(default_factory=dict)

    def history(self) -> TicketHistory:
        events = tuple(
            HistoryEvent(local(event[0], self.zone), event[1], *event[2:])  # type: ignore[arg-type]
            for event in self.events
        )
        if self.options.get("reversed"):
            events = events[::-1]
        return TicketHistory(local(self.created, self.zone), events, self.initial_status)


SCENARIOS = [
    Scenario(
        "before hours",
        "2026-03-01 06:00",  # a Sunday
        [],
        "2026-03-01 09:00",
        [
            "first_response#1 running 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30",
            "resolution#1 running 1:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "Friday evening (the Israeli weekend)",
        "2026-03-06 18:00",
        [],
        "2026-03-08 08:30",
        [
            "first_response#1 running 0:30 due=Sun 03-08 10:00 warn=Sun 03-08 09:30",
            "resolution#1 running 0:30 due=Sun 03-08 16:00 warn=Sun 03-08 14:00",
        ],
    ),
    Scenario(
        "Sunday–Thursday week: Thursday afternoon runs on into Sunday",
        "2026-03-05 15:00",
        [],
        "2026-03-08 12:00",
        [
            "first_response#1 breached 6:00 due=Thu 03-05 17:00 warn=Thu 03-05 16:30"
            " breached=Thu 03-05 17:00",
            "resolution#1 running 6:00 due=Sun 03-08 14:00 warn=Sun 03-08 12:00",
        ],
    ),
    Scenario(
        "holiday: Pesach, then the weekend",
        "2026-04-01 16:00",
        [],
        "2026-04-05 08:30",
        [
            "first_response#1 running 1:30 due=Sun 04-05 09:00 warn=Sun 04-05 08:30",
            "resolution#1 running 1:30 due=Sun 04-05 15:00 warn=Sun 04-05 13:00",
        ],
    ),
    Scenario(
        "our own closed day, breached at `now` exactly",
        "2026-03-09 16:00",  # Monday; Tuesday is closed
        [],
        "2026-03-11 09:00",
        [
            "first_response#1 breached 2:00 due=Wed 03-11 09:00 warn=Wed 03-11 08:30"
            " breached=Wed 03-11 09:00",
            "resolution#1 running 2:00 due=Wed 03-11 15:00 warn=Wed 03-11 13:00",
        ],
    ),
    Scenario(
        "hold time does not count",
        "2026-03-01 08:00",
        [
            ("2026-03-01 09:00", "agent_reply"),
            ("2026-03-01 09:00", "status", "pending"),
            ("2026-03-02 10:00", "customer_message"),
            ("2026-03-02 10:00", "status", "open"),
        ],
        "2026-03-02 11:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by reply",
            "next_response#1 running 1:00 due=Mon 03-02 14:00 warn=Mon 03-02 13:00",
            "resolution#1 running 2:00 due=Mon 03-02 17:00 warn=Mon 03-02 15:00",
        ],
    ),
    Scenario(
        "on hold past the deadline: no breach while paused, warning kept",
        "2026-03-01 08:00",
        [("2026-03-01 14:00", "status", "on_hold")],
        "2026-03-05 16:00",
        [
            "first_response#1 breached 6:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " breached=Sun 03-01 10:00",
            "resolution#1 paused 6:00 due=- warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "on hold, then back: the breach comes after the hold",
        "2026-03-01 08:00",
        [("2026-03-01 14:00", "status", "on_hold"), ("2026-03-05 16:00", "status", "open")],
        "2026-03-08 09:00",
        [
            "first_response#1 breached 8:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " breached=Sun 03-01 10:00",
            "resolution#1 breached 8:00 due=Sun 03-08 09:00 warn=Sun 03-01 14:00"
            " breached=Sun 03-08 09:00",
        ],
    ),
    Scenario(
        "paused before the warning: no warning instant while paused",
        "2026-03-01 08:00",
        [("2026-03-01 08:30", "agent_reply"), ("2026-03-01 09:00", "status", "pending")],
        "2026-03-01 12:00",
        [
            "first_response#1 met 0:30 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:30 by reply",
            "resolution#1 paused 1:00 due=- warn=-",
        ],
    ),
    Scenario(
        "reopen: resolution time accumulates; the customer's turn counts from the reopen",
        "2026-03-01 08:00",
        [
            ("2026-03-01 09:00", "agent_reply"),
            ("2026-03-01 12:00", "status", "solved"),
            ("2026-03-02 08:30", "customer_message"),
            ("2026-03-02 09:00", "status", "open"),
        ],
        "2026-03-02 12:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by reply",
            "next_response#1 running 3:00 due=Mon 03-02 13:00 warn=Mon 03-02 12:00",
            "resolution#1 running 7:00 due=Mon 03-02 13:00 warn=Mon 03-02 11:00",
        ],
    ),
    Scenario(
        "reopen, then solved again in time",
        "2026-03-01 08:00",
        [
            ("2026-03-01 09:00", "agent_reply"),
            ("2026-03-01 12:00", "status", "solved"),
            ("2026-03-02 08:30", "customer_message"),
            ("2026-03-02 09:00", "status", "open"),
            ("2026-03-02 11:00", "agent_reply"),
            ("2026-03-02 11:30", "status", "solved"),
            ("2026-03-02 11:45", "status", "closed"),
        ],
        "2026-03-03 12:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by reply",
            "next_response#1 met 2:00 due=Mon 03-02 13:00 warn=Mon 03-02 12:00"
            " stopped=Mon 03-02 11:00 by reply",
            "resolution#1 met 6:30 due=Mon 03-02 13:00 warn=Mon 03-02 11:00"
            " stopped=Mon 03-02 11:30 by solved",
        ],
    ),
    Scenario(
        "reopened into pending: resolution resumes paused",
        "2026-03-01 08:00",
        [
            ("2026-03-01 09:00", "agent_reply"),
            ("2026-03-01 10:00", "status", "solved"),
            ("2026-03-01 11:00", "status", "pending"),
        ],
        "2026-03-01 12:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by reply",
            "resolution#1 paused 2:00 due=- warn=-",
        ],
    ),
    Scenario(
        "priority raised mid-way (same history, urgent): the breach is in the past",
        "2026-03-01 08:00",
        [("2026-03-01 08:45", "agent_reply")],
        "2026-03-01 13:00",
        [
            "first_response#1 met 0:45 due=Sun 03-01 09:00 warn=Sun 03-01 08:45"
            " stopped=Sun 03-01 08:45 by reply",
            "resolution#1 breached 5:00 due=Sun 03-01 12:00 warn=Sun 03-01 11:00"
            " breached=Sun 03-01 12:00",
        ],
        priority="urgent",
    ),
    Scenario(
        "priority raised mid-way (the same history, normal)",
        "2026-03-01 08:00",
        [("2026-03-01 08:45", "agent_reply")],
        "2026-03-01 13:00",
        [
            "first_response#1 met 0:45 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:45 by reply",
            "resolution#1 running 5:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "customer writes twice: one turn",
        "2026-03-01 08:00",
        [
            ("2026-03-01 08:30", "agent_reply"),
            ("2026-03-01 09:00", "customer_message"),
            ("2026-03-01 10:00", "customer_message"),
            ("2026-03-01 11:00", "agent_reply"),
            ("2026-03-01 12:00", "customer_message"),
        ],
        "2026-03-01 13:00",
        [
            "first_response#1 met 0:30 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:30 by reply",
            "next_response#1 met 2:00 due=Sun 03-01 13:00 warn=Sun 03-01 12:00"
            " stopped=Sun 03-01 11:00 by reply",
            "next_response#2 running 1:00 due=Sun 03-01 16:00 warn=Sun 03-01 15:00",
            "resolution#1 running 5:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "customer writes again before the first answer: no next-response turn",
        "2026-03-01 08:00",
        [("2026-03-01 08:30", "customer_message"), ("2026-03-01 09:00", "agent_reply")],
        "2026-03-01 10:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by reply",
            "resolution#1 running 2:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "solved without an answer: the response clock stops, met",
        "2026-03-01 08:00",
        [("2026-03-01 09:00", "status", "solved")],
        "2026-03-01 12:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by solved",
            "resolution#1 met 1:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00"
            " stopped=Sun 03-01 09:00 by solved",
        ],
    ),
    Scenario(
        "solved while the customer's turn runs: it stops too",
        "2026-03-01 08:00",
        [
            ("2026-03-01 08:30", "agent_reply"),
            ("2026-03-01 09:00", "customer_message"),
            ("2026-03-01 10:00", "status", "solved"),
        ],
        "2026-03-01 12:00",
        [
            "first_response#1 met 0:30 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:30 by reply",
            "next_response#1 met 1:00 due=Sun 03-01 13:00 warn=Sun 03-01 12:00"
            " stopped=Sun 03-01 10:00 by solved",
            "resolution#1 met 2:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00"
            " stopped=Sun 03-01 10:00 by solved",
        ],
    ),
    Scenario(
        "the customer writes twice while solved, then the ticket reopens: one turn",
        "2026-03-01 08:00",
        [
            ("2026-03-01 09:00", "status", "solved"),
            ("2026-03-01 10:00", "customer_message"),
            ("2026-03-01 11:00", "customer_message"),
            ("2026-03-01 12:00", "status", "open"),
        ],
        "2026-03-01 13:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by solved",
            "next_response#1 running 1:00 due=Sun 03-01 16:00 warn=Sun 03-01 15:00",
            "resolution#1 running 2:00 due=Mon 03-02 10:00 warn=Sun 03-01 17:00",
        ],
    ),
    Scenario(
        "the customer writes while solved, the desk answers without reopening: no turn",
        "2026-03-01 08:00",
        [
            ("2026-03-01 08:30", "agent_reply"),
            ("2026-03-01 09:00", "status", "solved"),
            ("2026-03-01 10:00", "customer_message"),
            ("2026-03-01 10:30", "agent_reply"),
            ("2026-03-01 12:00", "status", "open"),
        ],
        "2026-03-01 13:00",
        [
            "first_response#1 met 0:30 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:30 by reply",
            "resolution#1 running 2:00 due=Mon 03-02 10:00 warn=Sun 03-01 17:00",
        ],
    ),
    Scenario(
        "the customer writes while solved, the ticket is closed without reopening: no turn",
        "2026-03-01 08:00",
        [
            ("2026-03-01 09:00", "agent_reply"),
            ("2026-03-01 09:00", "status", "solved"),
            ("2026-03-02 10:00", "customer_message"),
            ("2026-03-02 11:00", "status", "closed"),
        ],
        "2026-03-03 12:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by reply",
            "resolution#1 met 1:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00"
            " stopped=Sun 03-01 09:00 by solved",
        ],
    ),
    Scenario(
        "solved and answered at the same instant, the solve recorded first: an answer",
        "2026-03-01 08:00",
        [("2026-03-01 09:00", "status", "solved"), ("2026-03-01 09:00", "agent_reply")],
        "2026-03-01 10:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by reply",
            "resolution#1 met 1:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00"
            " stopped=Sun 03-01 09:00 by solved",
        ],
    ),
    Scenario(
        "an answered call, created solved",
        "2026-03-01 10:00",
        [("2026-03-01 10:00", "agent_reply"), ("2026-03-01 10:30", "agent_reply")],
        "2026-03-01 11:00",
        [
            "first_response#1 met 0:00 due=Sun 03-01 12:00 warn=Sun 03-01 11:30"
            " stopped=Sun 03-01 10:00 by reply",
            "resolution#1 met 0:00 due=Mon 03-02 09:00 warn=Sun 03-01 16:00"
            " stopped=Sun 03-01 10:00 by solved",
        ],
        initial_status="solved",
    ),
    Scenario(
        "answered call: the answer at creation",
        "2026-03-01 10:00",
        [("2026-03-01 10:00", "agent_reply")],
        "2026-03-01 10:05",
        [
            "first_response#1 met 0:00 due=Sun 03-01 12:00 warn=Sun 03-01 11:30"
            " stopped=Sun 03-01 10:00 by reply",
            "resolution#1 running 0:05 due=Mon 03-02 09:00 warn=Sun 03-01 16:00",
        ],
    ),
    Scenario(
        "answered exactly at the deadline: breached (the target was reached)",
        "2026-03-01 08:00",
        [("2026-03-01 10:00", "agent_reply")],
        "2026-03-01 10:00",
        [
            "first_response#1 breached 2:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " breached=Sun 03-01 10:00 stopped=Sun 03-01 10:00 by reply",
            "resolution#1 running 2:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "answered out of hours after the deadline: breached at closing time",
        "2026-03-01 15:00",
        [("2026-03-01 20:00", "agent_reply")],
        "2026-03-01 21:00",
        [
            "first_response#1 breached 2:00 due=Sun 03-01 17:00 warn=Sun 03-01 16:30"
            " breached=Sun 03-01 17:00 stopped=Sun 03-01 20:00 by reply",
            "resolution#1 running 2:00 due=Mon 03-02 14:00 warn=Mon 03-02 12:00",
        ],
    ),
    Scenario(
        "answered out of hours before the deadline: met",
        "2026-03-01 15:30",
        [("2026-03-01 20:00", "agent_reply")],
        "2026-03-01 21:00",
        [
            "first_response#1 met 1:30 due=Mon 03-02 08:30 warn=Sun 03-01 17:00"
            " stopped=Sun 03-01 20:00 by reply",
            "resolution#1 running 1:30 due=Mon 03-02 14:30 warn=Mon 03-02 12:30",
        ],
    ),
    Scenario(
        "created on hold: nothing counts until it opens",
        "2026-03-01 08:00",
        [("2026-03-01 10:00", "status", "open")],
        "2026-03-01 11:00",
        [
            "first_response#1 running 1:00 due=Sun 03-01 12:00 warn=Sun 03-01 11:30",
            "resolution#1 running 1:00 due=Mon 03-02 09:00 warn=Sun 03-01 16:00",
        ],
        initial_status="on_hold",
    ),
    Scenario(
        "created pending, solved without ever running: the deadline from creation",
        "2026-03-01 08:00",
        [("2026-03-01 09:00", "status", "solved")],
        "2026-03-01 11:00",
        [
            "first_response#1 met 0:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by solved",
            "resolution#1 met 0:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00"
            " stopped=Sun 03-01 09:00 by solved",
        ],
        initial_status="pending",
    ),
    Scenario(
        "created solved",
        "2026-03-01 08:00",
        [],
        "2026-03-01 11:00",
        [
            "first_response#1 met 0:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:00 by solved",
            "resolution#1 met 0:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00"
            " stopped=Sun 03-01 08:00 by solved",
        ],
        initial_status="solved",
    ),
    Scenario(
        "paused, then solved: the deadline as it stood when it last ran",
        "2026-03-01 08:00",
        [
            ("2026-03-01 09:00", "agent_reply"),
            ("2026-03-01 09:00", "status", "pending"),
            ("2026-03-02 10:00", "status", "solved"),
        ],
        "2026-03-02 11:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 09:00 by reply",
            "resolution#1 met 1:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00"
            " stopped=Mon 03-02 10:00 by solved",
        ],
    ),
    Scenario(
        "status changes that neither pause nor stop change nothing, nor unknown events",
        "2026-03-01 08:00",
        [
            ("2026-03-01 08:10", "status", "open"),
            ("2026-03-01 08:20", "status"),  # no status given: unchanged
            ("2026-03-01 08:25", "internal_note", "solved"),  # not a kind the clocks know
            ("2026-03-01 08:30", "status", "pending"),
            ("2026-03-01 08:40", "status", "on_hold"),
            ("2026-03-01 09:00", "status", "open"),
        ],
        "2026-03-01 10:00",
        [
            "first_response#1 running 1:30 due=Sun 03-01 10:30 warn=Sun 03-01 10:00",
            "resolution#1 running 1:30 due=Sun 03-01 16:30 warn=Sun 03-01 14:30",
        ],
    ),
    Scenario(
        "only the metrics with a target in this priority",
        "2026-03-01 08:00",
        [("2026-03-01 09:00", "agent_reply"), ("2026-03-01 09:30", "customer_message")],
        "2026-03-01 10:00",
        [
            "first_response#1 met 1:00 due=Sun 03-01 12:00 warn=Sun 03-01 11:00"
            " stopped=Sun 03-01 09:00 by reply",
        ],
        priority="low",
    ),
    Scenario(
        "only next response measured: no clock until the customer's turn",
        "2026-03-01 08:00",
        [("2026-03-01 09:00", "agent_reply"), ("2026-03-01 09:30", "customer_message")],
        "2026-03-01 10:00",
        ["next_response#1 running 0:30 due=Sun 03-01 11:30 warn=Sun 03-01 11:00"],
        priority="high",
    ),
    Scenario(
        "on hold after the warning: the warning instant stays",
        "2026-03-01 08:00",
        [
            ("2026-03-01 08:30", "agent_reply"),
            ("2026-03-01 14:30", "status", "on_hold"),
            ("2026-03-01 16:00", "status", "open"),
        ],
        "2026-03-01 16:15",
        [
            "first_response#1 met 0:30 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:30 by reply",
            "resolution#1 running 6:45 due=Mon 03-02 08:30 warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "breached, then on and off hold: stays breached, the time still counted",
        "2026-03-01 08:00",
        [
            ("2026-03-01 11:00", "status", "on_hold"),
            ("2026-03-01 12:00", "status", "open"),
            ("2026-03-01 13:00", "status", "on_hold"),
        ],
        "2026-03-01 14:00",
        [
            "first_response#1 breached 4:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " breached=Sun 03-01 10:00",
            "resolution#1 paused 4:00 due=- warn=-",
        ],
    ),
    Scenario(
        "a priority without targets: no clocks",
        "2026-03-01 08:00",
        [],
        "2026-03-01 10:00",
        [],
        priority="critical",
    ),
    Scenario("`now` before creation: no clocks", "2026-03-01 08:00", [], "2026-03-01 07:00", []),
    Scenario(
        "events after `now` are not known yet",
        "2026-03-01 08:00",
        [("2026-03-01 09:00", "agent_reply")],
        "2026-03-01 08:30",
        [
            "first_response#1 running 0:30 due=Sun 03-01 10:00 warn=Sun 03-01 09:30",
            "resolution#1 running 0:30 due=Sun 03-01 16:00 warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "an event before creation counts at creation",
        "2026-03-01 08:00",
        [("2026-03-01 07:00", "agent_reply")],
        "2026-03-01 08:30",
        [
            "first_response#1 met 0:00 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:00 by reply",
            "resolution#1 running 0:30 due=Sun 03-01 16:00 warn=Sun 03-01 14:00",
        ],
    ),
    Scenario(
        "events out of order are put in order",
        "2026-03-01 08:00",
        [
            ("2026-03-01 08:30", "agent_reply"),
            ("2026-03-01 09:00", "customer_message"),
            ("2026-03-01 09:30", "agent_reply"),
        ],
        "2026-03-01 10:00",
        [
            "first_response#1 met 0:30 due=Sun 03-01 10:00 warn=Sun 03-01 09:30"
            " stopped=Sun 03-01 08:30 by reply",
            "next_response#1 met 0:30 due=Sun 03-01 13:00 warn=Sun 03-01 12:00"
            " stopped=Sun 03-01 09:30 by reply",
            "resolution#1 running 2:00 due=Sun 03-01 16:00 warn=Sun 03-01 14:00",
        ],
        options={"reversed": True},
    ),
    Scenario(
        "DST night, spring forward (a 24/7 desk): 00:00 + 2h is 03:00",
        "2026-03-27 00:00",
        [],
        "2026-03-27 06:00",
        [
            "first_response#1 breached 5:00 due=Fri 03-27 03:00 warn=Fri 03-27 01:30"
            " breached=Fri 03-27 03:00",
            "resolution#1 running 5:00 due=Fri 03-27 09:00 warn=Fri 03-27 07:00",
        ],
        calendar=ALWAYS,
    ),
    Scenario(
        "DST night, fall back (a 24/7 desk): five hours on the wall are six",
        "2026-10-25 00:00",
        [],
        "2026-10-25 05:00",
        [
            # the warning at 01:30 summer time, the breach at the second 01:00
            "first_response#1 breached 6:00 due=Sun 10-25 01:00 warn=Sun 10-25 01:30"
            " breached=Sun 10-25 01:00",
            "resolution#1 running 6:00 due=Sun 10-25 07:00 warn=Sun 10-25 05:00",
        ],
        calendar=ALWAYS,
    ),
    Scenario(
        "DST night in New York: business hours stay 09:00–17:00 local",
        "2026-03-06 16:00",  # Friday, EST
        [],
        "2026-03-09 10:00",  # Monday, EDT
        [
            "first_response#1 breached 2:00 due=Mon 03-09 10:00 warn=Mon 03-09 09:30"
            " breached=Mon 03-09 10:00",
            "resolution#1 running 2:00 due=Mon 03-09 16:00 warn=Mon 03-09 14:00",
        ],
        calendar=US,
        zone=NEW_YORK,
    ),
    Scenario(
        "Friday evening in New York: the weekend and a federal holiday",
        "2026-05-22 17:30",  # Friday before Memorial Day
        [],
        "2026-05-26 09:30",
        [
            "first_response#1 running 0:30 due=Tue 05-26 11:00 warn=Tue 05-26 10:30",
            "resolution#1 running 0:30 due=Tue 05-26 17:00 warn=Tue 05-26 15:00",
        ],
        calendar=US,
        zone=NEW_YORK,
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario: Scenario) -> None:
    clocks = evaluate(
        POLICY,
        scenario.calendar,
        scenario.history(),
        scenario.priority,
        local(scenario.now, scenario.zone),
    )
    assert [show(clock, scenario.zone) for clock in clocks] == scenario.expect


def test_exact_to_the_microsecond() -> None:
    created = datetime(2026, 3, 1, 6, 0, 0, 1, tzinfo=UTC)  # 08:00:00.000001 in Jerusalem
    due = datetime(2026, 3, 1, 8, 0, 0, 1, tzinfo=UTC)
    just_before = TicketHistory(
        created, (HistoryEvent(due - timedelta(microseconds=1), "agent_reply"),)
    )
    on_time = evaluate(POLICY, ISRAEL, just_before, "normal", due)[0]
    assert (on_time.state, on_time.due_at, on_time.elapsed) == (
        "met",
        due,
        2 * H - timedelta(microseconds=1),
    )
    at_due = TicketHistory(created, (HistoryEvent(due, "agent_reply"),))
    late = evaluate(POLICY, ISRAEL, at_due, "normal", due)[0]
    assert (late.state, late.breached_at, late.elapsed) == ("breached", due, 2 * H)
    assert late.warn_at == datetime(2026, 3, 1, 7, 30, 0, 1, tzinfo=UTC)


def test_fall_back_instants_in_utc() -> None:
    history = TicketHistory(datetime(2026, 10, 24, 21, 0, tzinfo=UTC))
    first, _ = evaluate(POLICY, ALWAYS, history, "normal", datetime(2026, 10, 25, 3, tzinfo=UTC))
    assert first.breached_at == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert first.warn_at == datetime(2026, 10, 24, 22, 30, tzinfo=UTC)


def test_aware_in_any_zone_utc_out() -> None:
    created = datetime(2026, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=5)))  # 06:00 in Jerusalem
    now = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    for clock in evaluate(POLICY, ISRAEL, TicketHistory(created), "normal", now):
        assert clock.started_at == created
        assert clock.elapsed == H
        for instant in (clock.started_at, clock.due_at, clock.warn_at):
            assert instant is not None
            assert instant.tzinfo is UTC


@pytest.mark.parametrize(
    ("created", "now"),
    [
        (datetime(2026, 3, 1, 8), datetime(2026, 3, 1, 9, tzinfo=UTC)),
        (datetime(2026, 3, 1, 8, tzinfo=UTC), datetime(2026, 3, 1, 9)),
    ],
    ids=["naive created_at", "naive now"],
)
def test_naive_datetimes_are_refused(created: datetime, now: datetime) -> None:
    with pytest.raises(ValueError, match="aware"):
        evaluate(POLICY, ISRAEL, TicketHistory(created), "normal", now)


def test_recompute_is_evaluating_again_with_the_new_priority() -> None:
    """The time already spent counts: the urgent targets apply to the whole history."""
    history = TicketHistory(
        local("2026-03-01 08:00"), (HistoryEvent(local("2026-03-01 08:45"), "agent_reply"),)
    )
    now = local("2026-03-01 11:00")
    normal = {c.metric: c for c in evaluate(POLICY, ISRAEL, history, "normal", now)}
    urgent = {c.metric: c for c in evaluate(POLICY, ISRAEL, history, "urgent", now)}
    assert normal["resolution"].elapsed == urgent["resolution"].elapsed == 3 * H
    assert urgent["resolution"].due_at == local("2026-03-01 12:00")
    assert normal["resolution"].due_at == local("2026-03-01 16:00")
