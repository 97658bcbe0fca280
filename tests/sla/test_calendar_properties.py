"""Random calendars, zones, starts and amounts, checked against the plain reference
implementation in `reference_calendar.py` (fixed seeds, so failures reproduce).

Zones are chosen for awkward offsets and transitions: 30- and 45-minute offsets,
Lord Howe's 30-minute DST, Chatham's +12:45/+13:45, and Havana and Santiago,
whose clocks change at midnight, so a day's 24:00 and the next day's 00:00 meet
inside a transition. Starts cluster around those transitions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sla import BusinessCalendar
from tests.sla.reference_calendar import ReferenceCalendar

ZONES = [
    "Asia/Jerusalem",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Chatham",
    "America/Havana",
    "America/Santiago",
    "UTC",
]
COUNTRIES = ["IL", "US", "GB", "NP"]
# One year, so that each calendar builds about one year of open time; 2026's
# transitions all fall inside it.
FIRST, LAST = datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
SEEDS = range(20)
CALENDARS_PER_SEED = 100  # 2,000 calendars
STARTS_PER_CALENDAR = 3

# Boundaries that meet DST transitions (which mostly happen between 00:00 and 04:00).
NIGHT_SECONDS = [0, 1800, 3600, 5400, 6300, 7200, 8100, 9000, 10800, 12600, 14400, 82800, 84600]


@cache
def transitions(zone_name: str) -> tuple[datetime, ...]:
    """The zone's UTC-offset changes between FIRST and LAST, to the second."""
    zone = ZoneInfo(zone_name)
    found = []
    day = FIRST
    while day < LAST:
        after = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            lo, hi = day, after  # the offset changes in (lo, hi]
            while hi - lo > timedelta(seconds=1):
                middle = lo + (hi - lo) / 2
                if middle.astimezone(zone).utcoffset() == lo.astimezone(zone).utcoffset():
                    lo = middle
                else:
                    hi = middle
            found.append(hi.replace(microsecond=0))
        day = after
    return tuple(found)


def clock(seconds: int, rng: random.Random) -> str:
    if seconds == 86_400:
        return "24:00" if rng.random() < 0.8 else "24:00:00"
    hours, rest = divmod(seconds, 3600)
    minutes, second = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{second:02d}" if second else f"{hours:02d}:{minutes:02d}"


def random_boundary(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(NIGHT_SECONDS)
    if roll < 0.45:
        return 86_400
    if roll < 0.55:
        return rng.randrange(86_400)  # to the second
    return rng.randrange(1441) * 60


def random_day(rng: random.Random) -> list[tuple[str, str]] | None:
    roll = rng.random()
    if roll < 0.2:
        return None  # no key: closed
    if roll < 0.25:
        return []
    if roll < 0.35:
        return [("00:00", "24:00")]
    count = rng.choice([1, 1, 2, 2, 3])
    bounds = sorted(random_boundary(rng) for _ in range(2 * count))
    periods = []
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        if start < end:  # periods may touch: bounds[i] == bounds[i + 1] across periods
            periods.append((clock(start, rng), clock(end, rng)))
    rng.shuffle(periods)
    return periods


@dataclass
class Case:
    spec: dict[str, Any]
    weekly: timedelta  # nominal open time a week

    def build(self) -> tuple[BusinessCalendar, ReferenceCalendar]:
        return BusinessCalendar(**self.spec), ReferenceCalendar(**self.spec)


def random_case(rng: random.Random) -> Case:
    hours = {}
    weekly = timedelta(0)
    closed = rng.random() < 0.01
    for weekday in range(7):
        periods = [] if closed else random_day(rng)
        if periods is not None:
            hours[weekday] = periods
            for start, end in periods:
                weekly += seconds_of(end) - seconds_of(start)
    spec: dict[str, Any] = {"timezone": rng.choice(ZONES), "hours": hours}
    if rng.random() < 0.5:
        spec["holidays"] = [
            FIRST.date() + timedelta(days=rng.randrange((LAST - FIRST).days))
            for _ in range(rng.randrange(1, 6))
        ]
    if rng.random() < 0.1:
        spec["country"] = rng.choice(COUNTRIES)
    return Case(spec, weekly)


def seconds_of(text: str) -> timedelta:
    parts = [int(part) for part in text.split(":")] + [0]
    return timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def random_start(rng: random.Random, zone_name: str) -> datetime:
    near = transitions(zone_name)
    roll = rng.random()
    if near and roll < 0.5:
        moment = rng.choice(near)
        if rng.random() < 0.3:
            moment += rng.choice([-US, timedelta(0), US])
        else:
            moment += timedelta(
                seconds=rng.randrange(-4 * 3600, 4 * 3600), microseconds=rng.randrange(10**6)
            )
    else:
        moment = FIRST + timedelta(microseconds=rng.randrange((LAST - FIRST) // US))
        if roll < 0.7:
            moment = moment.replace(minute=rng.choice([0, 30]), second=0, microsecond=0)
    # Any tzinfo in: UTC, the calendar's zone, or another zone.
    return moment.astimezone(ZoneInfo(rng.choice([zone_name, "UTC", "Asia/Tokyo"])))


def random_delta(rng: random.Random, weekly: timedelta) -> timedelta:
    roll = rng.random()
    if roll < 0.05:
        return timedelta(0)
    if roll < 0.1:
        return US
    if roll < 0.4:
        return timedelta(minutes=rng.randrange(1, 600))
    # Up to about two weeks of the calendar's open time, to the microsecond.
    return timedelta(microseconds=rng.randrange(1, max(2, 2 * weekly // US)))


def as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def check_add(
    cal: BusinessCalendar, ref: ReferenceCalendar, start: datetime, delta: timedelta
) -> None:
    expected = ref.add(start, delta)
    if expected is None:  # no open time at all
        with pytest.raises(ValueError, match="no open time for five years"):
            cal.add(start, delta)
        return
    due = cal.add(start, delta)
    assert due.tzinfo is cal.zone
    assert as_utc(due) == expected
    assert due.astimezone(UTC).astimezone(cal.zone).fold == due.fold
    assert cal.elapsed(start, due) == delta
    assert ref.elapsed(start, due) == delta
    if delta:  # minimal: a microsecond earlier is not enough
        assert cal.elapsed(start, as_utc(due) - US) < delta
        assert cal.is_open(as_utc(due) - US)
        assert ref.is_open(as_utc(due) - US)


def check_elapsed(
    cal: BusinessCalendar, ref: ReferenceCalendar, start: datetime, rng: random.Random
) -> None:
    # Added in UTC: adding to a ZoneInfo datetime is wall-clock arithmetic.
    end = as_utc(start) + timedelta(microseconds=rng.randrange(20 * 86_400 * 10**6))
    assert cal.elapsed(start, end) == ref.elapsed(start, end)


def check_is_open(cal: BusinessCalendar, ref: ReferenceCalendar, start: datetime) -> None:
    local = as_utc(start).date()
    instants = {start}
    for day in (local - timedelta(days=1), local):
        for period_start, period_end in ref.day_periods(day):
            for boundary in (period_start, period_end):
                instants.update((boundary - US, boundary, boundary + US))
    for instant in instants:
        assert cal.is_open(instant) is ref.is_open(instant), instant


def check_next(cal: BusinessCalendar, ref: ReferenceCalendar, start: datetime) -> None:
    opens, closes = cal.next_open(start), cal.next_close(start)
    if opens is None or closes is None:
        assert not any(cal.hours.values()) or all(
            period == ("00:00", "24:00") for periods in cal.hours.values() for period in periods
        )
        return
    assert as_utc(start) <= as_utc(opens) < as_utc(closes)
    assert ref.is_open(opens)
    assert not ref.is_open(closes)
    assert ref.is_open(as_utc(closes) - US)
    assert ref.elapsed(start, opens) == timedelta(0)
    assert ref.elapsed(opens, closes) == as_utc(closes) - as_utc(opens)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_calendars_agree_with_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(CALENDARS_PER_SEED):
        case = random_case(rng)
        cal, ref = case.build()
        for _ in range(STARTS_PER_CALENDAR):
            start = random_start(rng, case.spec["timezone"])
            delta = random_delta(rng, case.weekly)
            context = f"{case.spec!r}, start={start!r}, delta={delta!r}"
            try:
                check_add(cal, ref, start, delta)
                check_elapsed(cal, ref, start, rng)
                check_is_open(cal, ref, start)
            except AssertionError as exc:  # pragma: no cover - the failure report
                raise AssertionError(f"{context}: {exc}") from exc
        try:
            check_next(cal, ref, start)
        except AssertionError as exc:  # pragma: no cover - the failure report
            raise AssertionError(f"{case.spec!r}, start={start!r}: {exc}") from exc


def test_the_random_calendars_cover_what_they_should() -> None:
    """Guard the generator: the awkward cases really occur."""
    rng = random.Random(0)
    cases = [random_case(rng) for _ in range(CALENDARS_PER_SEED * 4)]
    periods = [p for case in cases for day in case.spec["hours"].values() for p in day]
    assert any(end.startswith("24:00") for _, end in periods)
    assert any(len(day) >= 2 for case in cases for day in case.spec["hours"].values())
    assert any(day == [] for case in cases for day in case.spec["hours"].values())
    assert any(not case.weekly for case in cases)
    assert {case.spec["timezone"] for case in cases} == set(ZONES)
    assert any("country" in case.spec for case in cases)
    assert all(
        transitions(zone) for zone in ZONES if zone not in {"UTC", "Asia/Kathmandu", "Asia/Kolkata"}
    )
    assert date(2026, 3, 27) in {moment.date() for moment in transitions("Asia/Jerusalem")}
