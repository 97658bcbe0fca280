"""Business calendars: opening hours in a time zone, minus holidays, as exact arithmetic.

    cal = BusinessCalendar(
        "Asia/Jerusalem",
        {6: [("08:00", "17:00")], 0: [("08:00", "12:00"), ("13:00", "17:00")]},
        holidays=[date(2026, 12, 31)],
        country="IL",
    )
    cal.add(start, timedelta(hours=4))  # the instant four open hours after start
    cal.elapsed(start, end)             # open time in [start, end)
    cal.is_open(instant)
    cal.next_open(instant), cal.next_close(instant)  # None: not within five years

Hours are wall-clock times in the calendar's zone; a boundary becomes an instant
the way `datetime.combine(day, clock, tzinfo=zone)` does (PEP 495, fold=0), so
DST days have their real length and a period that maps to an empty or reversed
range of instants (inside a spring-forward gap) is empty. Open time is the union
of all periods' instants. Holidays — the explicit ones and, with `country`, the
public holidays of the `holidays` package, looked up per year when first needed
(as far as the package knows them: its Israeli ones stop after 2100) — are closed
all day.

Instants in and out are aware datetimes (any tzinfo in, the calendar's zone out);
inside, everything is integer microseconds since the epoch in UTC, so results are
exact to the microsecond. Instants must lie in the UTC years 2–9998. A calendar may
be shared between threads: the open time it has built is replaced, never changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, NoReturn, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package

from sla._calendar_hours import Hours, Week, parse_week, week_as_data
from sla._calendar_timeline import EPOCH, US, Timeline

_EPOCH_ORDINAL = EPOCH.toordinal()
_DAY_US = 86_400_000_000

__all__ = ["BusinessCalendar"]


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str):
        raise ValueError(f"timezone must be an IANA zone name such as 'Asia/Jerusalem': {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as 'Asia/Jerusalem')"
        ) from None


def _explicit_holidays(days: Iterable[date]) -> frozenset[date]:
    for day in days:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError(f"holidays must be dates, not {day!r}")
    return frozenset(days)


def _check_country(country: str | None, subdivision: str | None) -> None:
    if country is None:
        if subdivision is not None:
            raise ValueError(f"subdivision {subdivision!r} given without a country")
        return
    try:
        holidays_package.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        raise ValueError(f"unknown holiday country or subdivision: {exc}") from None


class _Days:
    """Which local days are closed, and the open intervals of each day."""

    __slots__ = ("country", "explicit", "subdivision", "table", "week", "zone", "_years")

    def __init__(
        self,
        zone: ZoneInfo,
        week: Week,
        explicit: frozenset[date],
        country: str | None,
        subdivision: str | None,
    ) -> None:
        self.zone, self.week, self.explicit = zone, week, explicit
        self.country, self.subdivision = country, subdivision
        self._years: dict[int, frozenset[date]] = {}
        self.table = tuple(
            tuple(
                (
                    p.start.micros,
                    p.start.clock,
                    timedelta(days=p.start.days),
                    p.end.micros,
                    p.end.clock,
                    timedelta(days=p.end.days),
                )
                for p in periods
            )
            for periods in week
        )

    def is_holiday(self, day: date) -> bool:
        if day in self.explicit:
            return True
        if self.country is None:
            return False
        public = self._years.get(day.year)
        if public is None:
            public = frozenset(
                holidays_package.country_holidays(
                    self.country, subdiv=self.subdivision, years=day.year
                )
            )
            self._years[day.year] = public
        return day in public

    def __call__(self, first: date, stop: date) -> list[tuple[int, int]]:
        """Open intervals of the local days first … stop (excluded), UTC microseconds.

        `datetime.combine(day, clock, tzinfo=zone) - EPOCH` is the local wall time
        minus `zone.utcoffset` of the naive local time (fold=0); that is computed
        here directly, which is several times faster."""
        found: list[tuple[int, int]] = []
        week, combine = self.table, datetime.combine
        utcoffset = cast(Callable[[datetime], timedelta], self.zone.utcoffset)  # never None
        for ordinal in range(first.toordinal(), stop.toordinal()):
            periods = week[(ordinal + 6) % 7]  # date.weekday()
            if not periods:
                continue
            day = date.fromordinal(ordinal)
            if self.is_holiday(day):
                continue
            midnight = (ordinal - _EPOCH_ORDINAL) * _DAY_US
            for start, start_clock, start_days, end, end_clock, end_days in periods:
                local = combine(day, start_clock) + start_days
                begins = midnight + start - utcoffset(local) // US
                local = combine(day, end_clock) + end_days
                found.append((begins, midnight + end - utcoffset(local) // US))
        return found


def _micros(moment: datetime, name: str) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")
    try:
        return (moment - EPOCH) // US
    except TypeError:  # a tzinfo whose utcoffset() is None
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}") from None


class BusinessCalendar:
    """Open hours per weekday in one time zone, minus holidays. Immutable; equal and
    hashed by identity. Its open time is computed lazily, a UTC year at a time, and
    kept, so keep one calendar per configuration rather than building it per call."""

    __slots__ = ("_days", "_local_epoch", "_timeline")

    _days: _Days
    _local_epoch: datetime
    _timeline: Timeline

    def __init__(
        self,
        timezone: str,
        hours: Hours,
        holidays: Iterable[date] = (),
        country: str | None = None,
        subdivision: str | None = None,
    ) -> None:
        zone = _zone(timezone)
        week = parse_week(hours)
        explicit = _explicit_holidays(tuple(holidays))
        _check_country(country, subdivision)
        days = _Days(zone, week, explicit, country, subdivision)
        object.__setattr__(self, "_days", days)
        object.__setattr__(self, "_local_epoch", datetime(1970, 1, 1, tzinfo=zone))
        object.__setattr__(self, "_timeline", Timeline(days))

    # -- what it is ------------------------------------------------------------

    @property
    def timezone(self) -> str:
        """The IANA name of the calendar's zone."""
        return self._days.zone.key

    @property
    def zone(self) -> ZoneInfo:
        return self._days.zone

    @property
    def hours(self) -> dict[int, tuple[tuple[str, str], ...]]:
        """Open weekdays → sorted (start, end) pairs, as the constructor takes them."""
        return week_as_data(self._days.week)

    @property
    def holidays(self) -> frozenset[date]:
        """The explicit holidays (not the country's)."""
        return self._days.explicit

    @property
    def country(self) -> str | None:
        return self._days.country

    @property
    def subdivision(self) -> str | None:
        return self._days.subdivision

    def is_holiday(self, day: date) -> bool:
        """Whether a local date is closed all day: an explicit or a country holiday."""
        if isinstance(day, datetime):
            raise ValueError(f"is_holiday takes a local date, not a datetime: {day!r}")
        return self._days.is_holiday(day)

    # -- arithmetic ------------------------------------------------------------

    def _datetime(self, instant: int) -> datetime:
        return self._days.zone.fromutc(self._local_epoch + timedelta(microseconds=instant))

    def is_open(self, instant: datetime) -> bool:
        """Whether `instant` is inside open time (periods are closed at their end)."""
        return self._timeline.is_open(_micros(instant, "instant"))

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """The open time in [start, end)."""
        first, last = _micros(start, "start"), _micros(end, "end")
        if last < first:
            raise ValueError(f"end {end!r} is before start {start!r}")
        return timedelta(microseconds=self._timeline.elapsed(first, last))

    def add(self, start: datetime, delta: timedelta) -> datetime:
        """The earliest instant `t >= start` with `elapsed(start, t) == delta`, in the
        calendar's zone; `start` itself (in the calendar's zone) when `delta` is zero.
        ValueError when `delta` is negative, or when no open time starts within five
        years (1,830 days) of `start` (closed every day, or holidays only) or the search
        for `delta` meets five years without open time."""
        amount = delta // US
        if amount < 0:
            raise ValueError(f"cannot add a negative business time: {delta!r}")
        due = self._timeline.add(_micros(start, "start"), amount)
        return self._days.zone.fromutc(self._local_epoch + timedelta(microseconds=due))

    def next_open(self, instant: datetime) -> datetime | None:
        """`instant` if open, else when the calendar next opens; None when it does
        not open within five years."""
        found = self._timeline.next_open(_micros(instant, "instant"))
        return None if found is None else self._datetime(found)

    def next_close(self, instant: datetime) -> datetime | None:
        """When the open period holding `instant` ends, or if closed the next one;
        None when it does not close within five years (open around the clock)."""
        found = self._timeline.next_close(_micros(instant, "instant"))
        return None if found is None else self._datetime(found)

    # -- an immutable value ----------------------------------------------------

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"BusinessCalendar is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"BusinessCalendar is immutable; cannot delete {name!r}")

    def __copy__(self) -> BusinessCalendar:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> BusinessCalendar:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        days = self._days
        arguments = (self.timezone, self.hours, sorted(days.explicit), days.country)
        return (BusinessCalendar, (*arguments, days.subdivision))

    def __repr__(self) -> str:
        where = "".join(
            f", {name}={value!r}"
            for name, value in (("country", self.country), ("subdivision", self.subdivision))
            if value is not None
        )
        return f"BusinessCalendar({self.timezone!r}{where})"
