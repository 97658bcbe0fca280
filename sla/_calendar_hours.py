"""Opening hours as plain data: parsing and checking a week of wall-clock periods.

A week maps `datetime.weekday()` numbers (Monday=0 … Sunday=6) to lists of
("HH:MM", "HH:MM") pairs in the calendar's zone. "HH:MM:SS" is accepted too, and
"24:00" ends a period at the next midnight. Everything wrong is a `ValueError`
that names the weekday and the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SECONDS_PER_DAY = 86_400
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?", re.ASCII)

Hours = Mapping[int, Iterable[tuple[str, str]]]
"""What `BusinessCalendar(hours=...)` takes: weekday → (start, end) pairs."""


@dataclass(frozen=True, slots=True)
class Boundary:
    """A wall-clock time on a day: `days` after it (1 for "24:00", else 0) at `clock`."""

    seconds: int  # since the day's midnight, 0 … 86,400
    days: int
    clock: time

    @property
    def micros(self) -> int:
        return self.seconds * 1_000_000

    @property
    def text(self) -> str:
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


@dataclass(frozen=True, slots=True)
class Period:
    start: Boundary
    end: Boundary

    @property
    def text(self) -> str:
        return f"{self.start.text}–{self.end.text}"


Week = tuple[tuple[Period, ...], ...]
"""Seven tuples of periods, Monday first, each sorted and free of overlaps."""


def parse_clock(value: object, where: str) -> Boundary:
    """ "HH:MM" or "HH:MM:SS", from 00:00 to 24:00, as a `Boundary`."""
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{where}: {value!r} is not a time of day ('HH:MM' or 'HH:MM:SS')")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or total > _SECONDS_PER_DAY:
        raise ValueError(f"{where}: {value!r} is not a time of day (00:00 to 24:00)")
    if total == _SECONDS_PER_DAY:
        return Boundary(total, 1, time(0))
    return Boundary(total, 0, time(hours, minutes, seconds))


def _parse_period(pair: object, where: str) -> Period:
    if isinstance(pair, str | bytes) or not isinstance(pair, Iterable):
        raise ValueError(f"{where}: {pair!r} is not a (start, end) pair")
    items = tuple(pair)
    if len(items) != 2:
        raise ValueError(f"{where}: {pair!r} is not a (start, end) pair")
    start, end = parse_clock(items[0], where), parse_clock(items[1], where)
    if start.seconds >= end.seconds:
        raise ValueError(f"{where}: start {start.text} is not before end {end.text}")
    return Period(start, end)


def _weekday(key: object) -> int:
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= 6:
        raise ValueError(
            f"hours: unknown weekday key {key!r} "
            "(use datetime.weekday() numbers: Monday=0 … Sunday=6)"
        )
    return key


def parse_week(hours: Hours) -> Week:
    """Check and sort a week of hours; a weekday without a key is closed."""
    days: list[tuple[Period, ...]] = [() for _ in WEEKDAYS]
    for key, pairs in hours.items():
        weekday = _weekday(key)
        where = f"hours[{weekday}] ({WEEKDAYS[weekday]})"
        if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
            raise ValueError(f"{where}: expected a list of (start, end) pairs, got {pairs!r}")
        periods = sorted(
            (_parse_period(pair, where) for pair in pairs), key=lambda p: p.start.seconds
        )
        for before, after in zip(periods, periods[1:], strict=False):
            if after.start.seconds < before.end.seconds:
                raise ValueError(f"{where}: {before.text} overlaps {after.text}")
        days[weekday] = tuple(periods)
    return tuple(days)


def week_as_data(week: Week) -> dict[int, tuple[tuple[str, str], ...]]:
    """The week back as plain data, open weekdays only, in the constructor's format."""
    return {
        weekday: tuple((p.start.text, p.end.text) for p in periods)
        for weekday, periods in enumerate(week)
        if periods
    }
