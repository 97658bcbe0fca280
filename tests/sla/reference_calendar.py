"""A deliberately plain business calendar to check `sla.calendar` against.

It shares no code with `sla/`: it walks day by day, builds each local day's
periods with `datetime.combine(...).astimezone(UTC)`, unions them, and sums or
subtracts `timedelta`s of UTC datetimes. Slow and obvious on purpose. It trusts
its input (validation is tested on the real calendar).

Why the day windows below are wide enough: a local day D's periods land within
[D 00:00 − 14 h, D + 1 00:00 + 12 h] UTC, since every real offset is between
−12 h and +14 h, so days more than two away from an instant's UTC date cannot
reach it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package

ONE_DAY = timedelta(days=1)


def _clock(text: str) -> tuple[int, time]:
    """(days to add, wall clock) for "HH:MM" or "HH:MM:SS"; "24:00" is next midnight."""
    numbers = [int(part) for part in text.split(":")] + [0]
    hours, minutes, seconds = numbers[0], numbers[1], numbers[2]
    if hours == 24:
        return 1, time(0)
    return 0, time(hours, minutes, seconds)


class ReferenceCalendar:
    def __init__(
        self,
        timezone: str,
        hours: Mapping[int, Iterable[tuple[str, str]]],
        holidays: Iterable[date] = (),
        country: str | None = None,
        subdivision: str | None = None,
    ) -> None:
        self.zone = ZoneInfo(timezone)
        self.hours = {
            weekday: [(_clock(start), _clock(end)) for start, end in pairs]
            for weekday, pairs in hours.items()
        }
        self.closed = set(holidays)
        self.country = country
        self.subdivision = subdivision
        self.public: dict[int, set[date]] = {}
        self.known: dict[date, list[tuple[datetime, datetime]]] = {}

    def closed_all_day(self, day: date) -> bool:
        if day in self.closed:
            return True
        if self.country is None:
            return False
        if day.year not in self.public:
            found = holidays_package.country_holidays(
                self.country, subdiv=self.subdivision, years=day.year
            )
            self.public[day.year] = set(found)
        return day in self.public[day.year]

    def day_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        if day not in self.known:
            self.known[day] = self.work_out_day(day)
        return self.known[day]

    def work_out_day(self, day: date) -> list[tuple[datetime, datetime]]:
        if self.closed_all_day(day):
            return []
        periods = []
        for (start_days, start_clock), (end_days, end_clock) in self.hours.get(day.weekday(), []):
            start = datetime.combine(day + timedelta(start_days), start_clock, tzinfo=self.zone)
            end = datetime.combine(day + timedelta(end_days), end_clock, tzinfo=self.zone)
            start, end = start.astimezone(UTC), end.astimezone(UTC)
            if start < end:
                periods.append((start, end))
        return periods

    def periods(self, first: date, last: date) -> list[tuple[datetime, datetime]]:
        """The union of the periods of local days first … last, sorted and merged."""
        found = []
        day = first
        while day <= last:
            found.extend(self.day_periods(day))
            day += ONE_DAY
        found.sort()
        merged: list[tuple[datetime, datetime]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta(0)
        for period_start, period_end in self.periods(
            start.date() - 2 * ONE_DAY, end.date() + 2 * ONE_DAY
        ):
            overlap = min(period_end, end) - max(period_start, start)
            if overlap > timedelta(0):
                total += overlap
        return total

    def is_open(self, instant: datetime) -> bool:
        instant = instant.astimezone(UTC)
        window = self.periods(instant.date() - 2 * ONE_DAY, instant.date() + 2 * ONE_DAY)
        return any(start <= instant < end for start, end in window)

    def add(self, start: datetime, delta: timedelta) -> datetime | None:
        """The UTC instant; None when not found within six years of days."""
        start = start.astimezone(UTC)
        if not delta:
            return start
        days = 8
        while days < 6 * 366:
            # Periods of days after `last + 2` start after midnight UTC of `last`.
            last = start.date() + days * ONE_DAY
            trusted_until = datetime.combine(last, time(0), tzinfo=UTC)
            remaining = delta
            for period_start, period_end in self.periods(
                start.date() - 2 * ONE_DAY, last + 2 * ONE_DAY
            ):
                if period_end <= start:
                    continue
                period_start = max(period_start, start)
                if period_end - period_start >= remaining:
                    if period_start + remaining < trusted_until:
                        return period_start + remaining
                    break
                remaining -= period_end - period_start
            days *= 2
        return None
