"""BusinessCalendar's contract beyond the arithmetic: what it refuses, and what it is."""

from __future__ import annotations

import copy
import pickle
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import sla
from sla import BusinessCalendar
from tests.sla.reference_calendar import ReferenceCalendar

JERUSALEM = ZoneInfo("Asia/Jerusalem")
NINE_TO_FIVE = {d: [("09:00", "17:00")] for d in range(5)}
ALWAYS = {d: [("00:00", "24:00")] for d in range(7)}


def calendar(hours: Any = None, **options: Any) -> BusinessCalendar:
    return BusinessCalendar("UTC", NINE_TO_FIVE if hours is None else hours, **options)


# -- construction ------------------------------------------------------------------

BAD_HOURS = [
    ("weekday 7", {7: [("09:00", "17:00")]}, "unknown weekday key 7"),
    ("weekday -1", {-1: [("09:00", "17:00")]}, "unknown weekday key -1"),
    ("weekday by name", {"mon": [("09:00", "17:00")]}, "unknown weekday key 'mon'"),
    ("weekday True", {True: [("09:00", "17:00")]}, "unknown weekday key True"),
    ("a bare pair for a day", {0: ("09:00", "17:00")}, "09:00' is not a (start, end) pair"),
    ("a string for a day", {0: "09:00-17:00"}, "expected a list of (start, end) pairs"),
    ("a number for a day", {0: 9}, "expected a list of (start, end) pairs"),
    ("a string for a period", {0: ["09:00-17:00"]}, "is not a (start, end) pair"),
    ("a number for a period", {0: [9]}, "9 is not a (start, end) pair"),
    ("three times", {0: [("09:00", "12:00", "17:00")]}, "is not a (start, end) pair"),
    ("one time", {0: [("09:00",)]}, "is not a (start, end) pair"),
    ("am/pm", {0: [("9am", "17:00")]}, "'9am' is not a time of day"),
    ("empty", {0: [("", "17:00")]}, "'' is not a time of day"),
    ("padded", {0: [(" 09:00", "17:00")]}, "' 09:00' is not a time of day"),
    ("non-ASCII digits", {0: [("٠٩:00", "17:00")]}, "is not a time of day"),
    ("a number", {0: [(9, "17:00")]}, "9 is not a time of day"),
    ("hour 25", {0: [("09:00", "25:00")]}, "'25:00' is not a time of day (00:00 to 24:00)"),
    ("minute 60", {0: [("09:60", "17:00")]}, "'09:60' is not a time of day (00:00 to 24:00)"),
    ("second 60", {0: [("09:00:60", "17:00")]}, "'09:00:60' is not a time of day"),
    ("past 24:00", {0: [("09:00", "24:00:01")]}, "'24:00:01' is not a time of day"),
    ("start equals end", {0: [("09:00", "09:00")]}, "start 09:00 is not before end 09:00"),
    ("start after end", {2: [("17:00", "09:00")]}, "hours[2] (Wednesday): start 17:00"),
    ("start at 24:00", {0: [("24:00", "24:00")]}, "start 24:00 is not before end 24:00"),
    (
        "overlapping periods",
        {0: [("13:00", "17:00"), ("08:00", "13:30")]},
        "08:00–13:30 overlaps 13:00–17:00",
    ),
    ("the same period twice", {6: [("08:00", "12:00")] * 2}, "(Sunday): 08:00–12:00 overlaps"),
]


@pytest.mark.parametrize(
    ("hours", "message"), [c[1:] for c in BAD_HOURS], ids=[c[0] for c in BAD_HOURS]
)
def test_bad_hours_are_refused(hours: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        calendar(hours)


def test_hours_are_normalised_and_touching_periods_are_fine() -> None:
    cal = calendar(
        {
            0: [("13:00", "24:00:00"), ("8:00", "13:00")],
            3: [("08:00:30", "17:00")],
            4: [],
        }
    )
    assert cal.hours == {0: (("08:00", "13:00"), ("13:00", "24:00")), 3: (("08:00:30", "17:00"),)}
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    assert cal.elapsed(monday, monday + timedelta(days=1)) == timedelta(hours=16)
    # A TOML local time read back with str() parses too.
    assert calendar({0: [(str(datetime(1, 1, 1, 9).time()), "10:00")]}).hours == {
        0: (("09:00", "10:00"),)
    }


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus_Mons", "America", "", "../etc/passwd", "/etc/localtime", 3]
)
def test_unknown_time_zones_are_refused(zone: Any) -> None:
    with pytest.raises(ValueError, match="time zone|IANA zone name"):
        BusinessCalendar(zone, NINE_TO_FIVE)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"country": "XX"}, "unknown holiday country or subdivision: Country XX not available"),
        ({"country": "IL", "subdivision": "ZZ"}, "does not have subdivision ZZ"),
        ({"subdivision": "CA"}, "subdivision 'CA' given without a country"),
        ({"holidays": [datetime(2026, 12, 31)]}, "holidays must be dates"),
        ({"holidays": ["2026-12-31"]}, "holidays must be dates"),
    ],
)
def test_bad_holidays_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calendar(**options)


def test_holidays_explicit_and_by_country_and_subdivision() -> None:
    days = (date(2026, 12, 24), date(2026, 12, 31))
    cal = calendar(holidays=iter(days), country="US", subdivision="CA")
    assert cal.holidays == frozenset(days)
    assert (cal.country, cal.subdivision) == ("US", "CA")
    assert cal.is_holiday(date(2026, 12, 24))  # explicit
    assert cal.is_holiday(date(2026, 7, 3))  # Independence Day observed (4 July is a Saturday)
    assert cal.is_holiday(date(2026, 3, 31))  # César Chávez Day, California only
    assert cal.is_holiday(date(2027, 1, 1))
    assert not cal.is_holiday(date(2026, 7, 6))
    assert not calendar(country="US").is_holiday(date(2026, 3, 31))
    assert not calendar().is_holiday(date(2026, 12, 25))
    with pytest.raises(ValueError, match="takes a local date, not a datetime"):
        cal.is_holiday(datetime(2026, 12, 24))
    # Closed all day, even where the week is open.
    thursday = datetime(2026, 12, 24, tzinfo=UTC)
    assert cal.elapsed(thursday, thursday + timedelta(days=1)) == timedelta(0)


# -- what it refuses at call time ------------------------------------------------------


class NoOffset(tzinfo):
    """A tzinfo that does not know its offset: such a datetime is effectively naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


AWARE = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "moment", [datetime(2026, 11, 23, 10), datetime(2026, 11, 23, tzinfo=NoOffset())]
)
def test_naive_datetimes_are_refused(moment: datetime) -> None:
    cal = calendar()
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        cal.add(moment, timedelta(hours=1))
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        cal.elapsed(moment, AWARE)
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        cal.elapsed(AWARE, moment)
    for method in (cal.is_open, cal.next_open, cal.next_close):
        with pytest.raises(ValueError, match="instant must be timezone-aware"):
            method(moment)


def test_end_before_start_and_negative_deltas_are_refused() -> None:
    cal = calendar()
    with pytest.raises(ValueError, match="is before start"):
        cal.elapsed(AWARE, AWARE - timedelta(microseconds=1))
    with pytest.raises(ValueError, match="negative business time"):
        cal.add(AWARE, -timedelta(microseconds=1))


FAR = [
    ("year 1", datetime(1, 6, 1, tzinfo=UTC)),
    ("before year 1 in UTC", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))),
    ("after year 9999 in UTC", datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=5)))),
    ("year 9999", datetime(9999, 6, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize("moment", [c[1] for c in FAR], ids=[c[0] for c in FAR])
def test_instants_beyond_the_supported_years_are_refused(moment: datetime) -> None:
    cal = calendar()
    with pytest.raises(ValueError, match="outside the years a business calendar covers"):
        cal.is_open(moment)
    with pytest.raises(ValueError, match="outside the years"):
        cal.add(moment, timedelta(0))


def test_the_supported_years_run_from_2_to_9998() -> None:
    def kiritimati() -> BusinessCalendar:
        return BusinessCalendar("Pacific/Kiritimati", ALWAYS)  # UTC+14

    first, last = datetime(2, 1, 1, tzinfo=UTC), datetime(9998, 12, 31, 23, tzinfo=UTC)
    assert kiritimati().elapsed(first, first + timedelta(hours=3)) == timedelta(hours=3)
    cal = kiritimati()
    assert cal.add(last, timedelta(minutes=59)) == datetime(9999, 1, 1, 13, 59, tzinfo=cal.zone)
    with pytest.raises(ValueError, match="beyond the years a business calendar covers"):
        cal.add(last, timedelta(hours=2))


# -- never looping: five years without open time --------------------------------------

MONDAYS_ONLY = {0: [("09:00", "10:00")]}
START = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday


def mondays(weeks: int) -> list[date]:
    return [START.date() + timedelta(weeks=week) for week in range(weeks)]


@pytest.mark.parametrize(
    "cal",
    [
        pytest.param(calendar({}), id="entirely closed"),
        pytest.param(calendar({0: [], 6: []}), id="empty days only"),
        pytest.param(calendar(MONDAYS_ONLY, holidays=mondays(6 * 53)), id="holidays only"),
        pytest.param(
            calendar(MONDAYS_ONLY, holidays=mondays(266)), id="closed five years and a bit"
        ),
    ],
)
def test_add_refuses_a_calendar_without_open_time_for_five_years(cal: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="no open time for five years"):
        cal.add(START, timedelta(microseconds=1))
    assert cal.add(START, timedelta(0)) == START
    assert cal.next_open(START) is None


def test_add_crosses_a_long_closure_shorter_than_five_years() -> None:
    cal = calendar(MONDAYS_ONLY, holidays=mondays(255))  # closed four years and 47 weeks
    expected = START + timedelta(weeks=255, minutes=30)
    assert cal.add(START, timedelta(minutes=30)) == expected
    assert cal.next_open(START) == expected - timedelta(minutes=30)
    assert cal.elapsed(START, expected) == timedelta(minutes=30)


def test_five_years_to_the_microsecond() -> None:
    friday = datetime(2026, 1, 2, 9, tzinfo=UTC)
    five_years = timedelta(days=1830)  # 261 weeks and 3 days: a Monday at 09:00
    closed = [friday.date() + timedelta(days=3, weeks=week) for week in range(261)]
    cal = calendar(MONDAYS_ONLY, holidays=closed)
    with pytest.raises(ValueError, match="no open time for five years"):
        cal.add(friday, timedelta(minutes=1))
    assert cal.next_open(friday) is None
    just_in_time = friday + timedelta(microseconds=1)
    assert cal.next_open(just_in_time) == friday + five_years
    assert cal.add(just_in_time, timedelta(minutes=1)) == friday + five_years + timedelta(minutes=1)


def test_add_reaches_targets_many_years_away() -> None:
    cal = calendar(MONDAYS_ONLY)
    assert cal.add(START, timedelta(hours=520)) == START + timedelta(weeks=519, hours=1)


def test_around_the_clock_never_closes() -> None:
    cal = BusinessCalendar("Asia/Jerusalem", ALWAYS)
    assert cal.next_close(START) is None
    assert cal.next_open(START) == START
    # One open interval across the turn of the year.
    new_year = datetime(2027, 1, 1, tzinfo=UTC)
    assert cal.elapsed(new_year - timedelta(hours=1), new_year + timedelta(hours=1)) == timedelta(
        hours=2
    )


# -- building lazily, in any order ------------------------------------------------------


def test_years_are_built_on_demand_forwards_and_backwards() -> None:
    cal = BusinessCalendar("Asia/Jerusalem", {6: [("08:00", "17:00")]}, country="IL")
    sunday_2026 = datetime(2026, 11, 22, 8, tzinfo=JERUSALEM)
    sunday_2020 = datetime(2020, 11, 22, 8, tzinfo=JERUSALEM)
    assert cal.is_open(sunday_2026)
    assert cal.is_open(sunday_2020)  # builds backwards, six years
    week = timedelta(weeks=1)
    assert cal.elapsed(sunday_2020, sunday_2020 + week) == timedelta(hours=9)
    two_hundred_sundays = timedelta(hours=9 * 200)
    due = cal.add(sunday_2026, two_hundred_sundays)
    reference = ReferenceCalendar("Asia/Jerusalem", {6: [("08:00", "17:00")]}, country="IL")
    assert due.astimezone(UTC) == reference.add(sunday_2026, two_hundred_sundays)
    assert cal.elapsed(sunday_2026, due) == two_hundred_sundays
    # Sunday 4 January 2026 is the first open day of 2026.
    assert cal.elapsed(datetime(2025, 12, 31, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC)) == (
        timedelta(hours=9)
    )


# -- an immutable value ------------------------------------------------------------------


def test_immutable_hashed_by_identity_and_picklable() -> None:
    cal = BusinessCalendar(
        "Asia/Jerusalem",
        {6: [("08:00", "17:00")]},
        holidays=[date(2026, 12, 31)],
        country="IL",
    )
    with pytest.raises(AttributeError, match="immutable"):
        cal._days = None  # type: ignore[assignment]
    with pytest.raises(AttributeError, match="immutable"):
        cal.anything = 1
    with pytest.raises(AttributeError, match="immutable"):
        del cal._days
    with pytest.raises(AttributeError):
        cal.timezone = "UTC"  # type: ignore[misc]
    assert copy.copy(cal) is cal
    assert copy.deepcopy(cal) is cal
    twin = BusinessCalendar("Asia/Jerusalem", {6: [("08:00", "17:00")]})
    assert cal != twin
    assert len({cal, twin, cal}) == 2
    clone = pickle.loads(pickle.dumps(cal))
    assert clone is not cal
    assert (clone.timezone, clone.hours, clone.holidays, clone.country, clone.subdivision) == (
        "Asia/Jerusalem",
        {6: (("08:00", "17:00"),)},
        frozenset({date(2026, 12, 31)}),
        "IL",
        None,
    )
    assert clone.is_holiday(date(2026, 9, 21))


def test_repr_shows_the_zone_and_country() -> None:
    assert repr(calendar()) == "BusinessCalendar('UTC')"
    assert repr(calendar(country="US", subdivision="CA")) == (
        "BusinessCalendar('UTC', country='US', subdivision='CA')"
    )
    assert calendar().zone is ZoneInfo("UTC")


def test_package_exports_the_calendar() -> None:
    assert sla.BusinessCalendar is BusinessCalendar
    assert "BusinessCalendar" in sla.__all__
