"""Open time as sorted UTC intervals with running totals, built a UTC year at a time.

Instants are integer microseconds since the Unix epoch. The timeline covers a
contiguous range of UTC years `[lo, hi)`; the open intervals inside it are
disjoint and non-touching (`starts[k] < ends[k] < starts[k + 1]`), and
`before[k]` / `through[k]` are the open microseconds from `lo` up to the start /
end of interval `k`. Open time up to any instant is then one `bisect` and a
subtraction, and the instant where a running total is reached is another.

A year's intervals come from the local days around it (December 30 of the year
before to January 2 of the year after), are merged as a union — on a
spring-forward day one day's periods can overlap in real time even though their
wall-clock times do not — and clipped to the year, so years join exactly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

US = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = EPOCH.toordinal()
_DAY_US = 86_400_000_000
FIVE_YEARS_US = 5 * 366 * _DAY_US  # how far to look for open time before giving up
NO_OPEN_TIME = "the calendar has no open time for five years (1,830 days); cannot add business time"
FIRST_YEAR, LAST_YEAR = 2, 9998  # a year reads the local days on both sides of it

DayIntervals = Callable[[date, date], Iterable[tuple[int, int]]]
"""The open intervals of the local days from the first date up to (not including) the
second, in UTC microseconds; some may be empty or reversed."""


def year_start(year: int) -> int:
    return (datetime(year, 1, 1, tzinfo=UTC) - EPOCH) // US


def year_of(instant: int) -> int:
    """The UTC year of an instant; ValueError outside the years a timeline can hold."""
    ordinal = instant // _DAY_US + _EPOCH_ORDINAL
    year = date.fromordinal(ordinal).year if 1 <= ordinal <= date.max.toordinal() else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"instant outside the years a business calendar covers ({FIRST_YEAR}–{LAST_YEAR} UTC)"
        )
    return year


@dataclass(frozen=True, slots=True)
class Span:
    """An immutable snapshot of the timeline: replaced, never changed, when it grows."""

    first_year: int
    last_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    before: list[int]
    through: list[int]

    def open_until(self, instant: int) -> int:
        """Open microseconds in [lo, instant); `instant` must be within [lo, hi]."""
        k = bisect_right(self.starts, instant)
        if not k:
            return 0
        end = self.ends[k - 1]
        return self.before[k - 1] + (instant if instant < end else end) - self.starts[k - 1]

    def open_at(self, instant: int) -> int:
        """The index of the interval holding `instant`, or -1."""
        k = bisect_right(self.starts, instant) - 1
        return k if k >= 0 and instant < self.ends[k] else -1


def _span(first_year: int, last_year: int, starts: list[int], ends: list[int]) -> Span:
    before: list[int] = []
    through: list[int] = []
    total = 0
    for start, end in zip(starts, ends, strict=True):
        before.append(total)
        total += end - start
        through.append(total)
    hi = year_start(last_year + 1)
    return Span(first_year, last_year, year_start(first_year), hi, starts, ends, before, through)


def _join(
    left: tuple[list[int], list[int]], right: tuple[list[int], list[int]]
) -> tuple[list[int], list[int]]:
    (starts, ends), (more_starts, more_ends) = left, right
    if ends and more_starts and ends[-1] == more_starts[0]:
        return starts + more_starts[1:], ends[:-1] + more_ends
    return starts + more_starts, ends + more_ends


class Timeline:
    """Lazily built open time of one calendar. Private to `sla.calendar`."""

    __slots__ = ("_day_intervals", "_span")

    def __init__(self, day_intervals: DayIntervals) -> None:
        self._day_intervals = day_intervals
        self._span: Span | None = None

    def _year(self, year: int) -> tuple[list[int], list[int]]:
        lo, hi = year_start(year), year_start(year + 1)
        found = [
            (max(start, lo), min(end, hi))
            for start, end in self._day_intervals(date(year - 1, 12, 30), date(year + 1, 1, 3))
        ]
        found.sort()
        starts: list[int] = []
        ends: list[int] = []
        for start, end in found:
            if start >= end:
                continue
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        return starts, ends

    def _grow(self, first_year: int, last_year: int) -> Span:
        """Extend the timeline to cover the UTC years given. Every snapshot is complete
        and immutable, so a caller holding an older one is never disturbed."""
        if last_year > LAST_YEAR:
            raise ValueError(
                f"beyond the years a business calendar covers ({FIRST_YEAR}–{LAST_YEAR} UTC)"
            )
        span = self._span
        if span is None:
            first = last = first_year
            lists = self._year(first)
        else:
            first, last = span.first_year, span.last_year
            lists = span.starts, span.ends
        while first > first_year:
            first -= 1
            lists = _join(self._year(first), lists)
        while last < last_year:
            last += 1
            lists = _join(lists, self._year(last))
        span = _span(first, last, *lists)
        self._span = span
        return span

    def covering(self, first: int, last: int) -> Span:
        """A snapshot with `lo <= first` and `last < hi`."""
        span = self._span
        if span is not None and span.lo <= first and last < span.hi:
            return span
        return self._grow(year_of(first), year_of(last))

    def _further(self, span: Span, since: int) -> Span:
        """One more year, unless five years after `since` are already in hand."""
        if span.hi - since >= FIVE_YEARS_US:
            raise LookupError
        return self._grow(span.first_year, span.last_year + 1)

    def add(self, start: int, amount: int) -> int:
        """The earliest instant `t >= start` with `amount` open microseconds in [start, t).

        ValueError when no open time starts within five years of `start`, or when the
        search for `amount` meets five years without open time."""
        if not amount:
            year_of(start)
            return start
        span = self._span  # the hot path: `covering` and `open_until` inlined
        if span is None or not span.lo <= start < span.hi:
            span = self.covering(start, start)
        while True:
            k = bisect_right(span.starts, start) - 1
            if k < 0:
                base = 0
            else:
                end = span.ends[k]
                base = span.before[k] + (start if start < end else end) - span.starts[k]
            target = base + amount
            k = bisect_left(span.through, target)
            if k < len(span.through):
                found = span.starts[k] + target - span.before[k]
                if found - start >= FIVE_YEARS_US:  # rare: is there a gap at the start?
                    first_open = span.starts[bisect_right(span.through, base)]
                    if first_open - start >= FIVE_YEARS_US:
                        raise ValueError(NO_OPEN_TIME)
                return found
            try:
                span = self._further(span, max(start, span.ends[-1]) if span.ends else start)
            except LookupError:
                raise ValueError(NO_OPEN_TIME) from None

    def elapsed(self, start: int, end: int) -> int:
        span = self.covering(start, end)
        return span.open_until(end) - span.open_until(start)

    def is_open(self, instant: int) -> bool:
        return self.covering(instant, instant).open_at(instant) >= 0

    def next_open(self, instant: int) -> int | None:
        """`instant` if open, else the next opening; None if none within five years."""
        span = self.covering(instant, instant)
        while True:
            if span.open_at(instant) >= 0:
                return instant
            k = bisect_right(span.starts, instant)
            if k < len(span.starts):
                found = span.starts[k]
                return found if found - instant < FIVE_YEARS_US else None
            try:
                span = self._further(span, instant)
            except LookupError:
                return None

    def next_close(self, instant: int) -> int | None:
        """The end of the open interval holding or following `instant`; None if none
        within five years (a calendar open around the clock)."""
        span = self.covering(instant, instant)
        while True:
            k = span.open_at(instant)
            if k < 0:
                k = bisect_right(span.starts, instant)
            if k < len(span.ends) and span.ends[k] < span.hi:
                found = span.ends[k]
                return found if found - instant < FIVE_YEARS_US else None
            try:
                span = self._further(span, instant)
            except LookupError:
                return None
