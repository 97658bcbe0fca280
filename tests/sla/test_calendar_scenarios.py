"""Hand-worked scenarios, each run against `sla.BusinessCalendar` and against the
plain reference implementation (which keeps the reference honest too).

Every expected instant is worked out by hand in the comments. 2026 facts used:
Jerusalem springs forward on Friday 27 March at 02:00 (+02:00 → +03:00) and falls
back on Sunday 25 October at 02:00; New York on 8 March at 02:00 and 1 November at
02:00; Lord Howe by thirty minutes, back on 5 April at 02:00 (+11:00 → +10:30) and
forward on 4 October at 02:00 (+10:30 → +11:00). Israeli public holidays of 2026
include Pesach (Thursday 2 April) and Yom Kippur (Monday 21 September).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sla import BusinessCalendar
from tests.sla.reference_calendar import ReferenceCalendar

JERUSALEM = ZoneInfo("Asia/Jerusalem")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
EVERY_DAY = range(7)

CALENDARS: dict[str, dict[str, Any]] = {
    # Sunday–Thursday 08:00–17:00 with a lunch break on Mondays: 44 open hours a week.
    "israel": {
        "timezone": "Asia/Jerusalem",
        "hours": {
            6: [("08:00", "17:00")],
            0: [("08:00", "12:00"), ("13:00", "17:00")],
            1: [("08:00", "17:00")],
            2: [("08:00", "17:00")],
            3: [("08:00", "17:00")],
        },
        "holidays": [date(2026, 12, 31)],
        "country": "IL",
    },
    "new_york_nights": {
        "timezone": "America/New_York",
        "hours": {d: [("00:00", "06:00")] for d in EVERY_DAY},
    },
    "new_york_gap": {
        "timezone": "America/New_York",
        "hours": {d: [("02:00", "03:00")] for d in EVERY_DAY},
    },
    "new_york_half_gap": {
        "timezone": "America/New_York",
        "hours": {d: [("02:30", "04:00")] for d in EVERY_DAY},
    },
    "new_york_overlap": {
        "timezone": "America/New_York",
        "hours": {d: [("00:00", "02:30"), ("03:00", "05:00")] for d in EVERY_DAY},
    },
    "monday_late": {"timezone": "UTC", "hours": {0: [("20:00", "24:00")]}},
    "late_and_early": {
        "timezone": "UTC",
        "hours": {0: [("20:00", "24:00")], 1: [("00:00", "02:00")]},
    },
    "kolkata": {"timezone": "Asia/Kolkata", "hours": {d: [("09:00", "18:00")] for d in range(5)}},
    "kathmandu": {
        "timezone": "Asia/Kathmandu",
        "hours": {d: [("10:00", "17:00")] for d in (6, 0, 1, 2, 3, 4)},
    },
    "lord_howe_nights": {
        "timezone": "Australia/Lord_Howe",
        "hours": {d: [("00:00", "06:00")] for d in EVERY_DAY},
    },
    "seconds": {"timezone": "UTC", "hours": {d: [("08:00:30", "17:00:15")] for d in range(5)}},
}

IMPLEMENTATIONS = [
    pytest.param(BusinessCalendar, id="calendar"),
    pytest.param(ReferenceCalendar, id="reference"),
]


def at(zone: tzinfo, year: int, month: int, day: int, *clock: int, fold: int = 0) -> datetime:
    hour, minute, second, micro = (*clock, 0, 0, 0, 0)[:4]
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone, fold=fold)


def j(year: int, month: int, day: int, *clock: int) -> datetime:
    return at(JERUSALEM, year, month, day, *clock)


def ny(year: int, month: int, day: int, *clock: int, fold: int = 0) -> datetime:
    return at(NEW_YORK, year, month, day, *clock, fold=fold)


def utc(year: int, month: int, day: int, *clock: int) -> datetime:
    return at(UTC, year, month, day, *clock)


H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)

# (scenario, calendar, start, business time to add, expected instant)
ADD = [
    ("before hours", "israel", j(2026, 11, 22, 6, 30), 2 * H, j(2026, 11, 22, 10, 0)),
    ("inside hours", "israel", j(2026, 11, 22, 9, 15), 90 * M, j(2026, 11, 22, 10, 45)),
    (
        "ends exactly at closing, not next morning",
        "israel",
        j(2026, 11, 22, 8),
        9 * H,
        j(2026, 11, 22, 17),
    ),
    ("after closing", "israel", j(2026, 11, 22, 18), H, j(2026, 11, 23, 9)),
    ("split day, before the break", "israel", j(2026, 11, 23, 11, 30), H, j(2026, 11, 23, 13, 30)),
    ("split day, in the break", "israel", j(2026, 11, 23, 12, 30), H, j(2026, 11, 23, 14)),
    ("split day, ends at the break", "israel", j(2026, 11, 23, 8), 4 * H, j(2026, 11, 23, 12)),
    # Friday and Saturday are the weekend.
    ("Friday evening", "israel", j(2026, 11, 27, 18), H, j(2026, 11, 29, 9)),
    ("Thursday afternoon into Sunday", "israel", j(2026, 11, 26, 16), 4 * H, j(2026, 11, 29, 11)),
    ("Sunday–Thursday week", "israel", j(2026, 11, 22, 8), 44 * H, j(2026, 11, 26, 17)),
    (
        "a week and a microsecond",
        "israel",
        j(2026, 11, 22, 8),
        44 * H + US,
        j(2026, 11, 29, 8, 0, 0, 1),
    ),
    ("one microsecond", "israel", j(2026, 11, 22, 8), US, j(2026, 11, 22, 8, 0, 0, 1)),
    # 30 Dec: 16:00–17:00; 31 Dec (Thursday) is an explicit holiday; then the weekend.
    ("holiday", "israel", j(2026, 12, 30, 16), 2 * H, j(2027, 1, 3, 9)),
    ("country holiday: Yom Kippur", "israel", j(2026, 9, 20, 16), 2 * H, j(2026, 9, 22, 9)),
    (
        "country holiday before the weekend: Pesach",
        "israel",
        j(2026, 4, 1, 16, 30),
        H,
        j(2026, 4, 5, 8, 30),
    ),
    ("DST night spring (Friday)", "israel", j(2026, 3, 26, 16), 2 * H, j(2026, 3, 29, 9)),
    ("DST night autumn (Sunday)", "israel", j(2026, 10, 22, 16), 2 * H, j(2026, 10, 25, 9)),
    # 04:00Z is 06:00 in Jerusalem, before hours.
    ("start in another zone", "israel", utc(2026, 11, 22, 4), H, j(2026, 11, 22, 9)),
    (
        "zero in closed time stays put",
        "israel",
        utc(2026, 11, 28, 12),
        timedelta(0),
        j(2026, 11, 28, 14),
    ),
    # 00:00 EST = 05:00Z; the night is 5 real hours: 05:00Z–10:00Z (06:00 EDT).
    ("DST night spring, 5-hour night", "new_york_nights", ny(2026, 3, 8), 5 * H, ny(2026, 3, 8, 6)),
    ("DST night spring, past the gap", "new_york_nights", ny(2026, 3, 8), 2 * H, ny(2026, 3, 8, 3)),
    # 00:00 EDT = 04:00Z; the night is 7 real hours: 04:00Z–11:00Z (06:00 EST).
    (
        "DST night autumn, 7-hour night",
        "new_york_nights",
        ny(2026, 11, 1),
        6 * H,
        ny(2026, 11, 1, 5),
    ),
    (
        "DST night autumn, first 01:30",
        "new_york_nights",
        ny(2026, 11, 1),
        90 * M,
        ny(2026, 11, 1, 1, 30),
    ),
    (
        "DST night autumn, second 01:30",
        "new_york_nights",
        ny(2026, 11, 1),
        150 * M,
        ny(2026, 11, 1, 1, 30, fold=1),
    ),
    (
        "DST night autumn, whole night",
        "new_york_nights",
        ny(2026, 11, 1),
        7 * H,
        ny(2026, 11, 1, 6),
    ),
    # 02:00 and 03:00 on 8 March are both 07:00Z: that day's period is empty.
    (
        "period inside the spring gap is empty",
        "new_york_gap",
        ny(2026, 3, 7, 2, 30),
        H,
        ny(2026, 3, 9, 2, 30),
    ),
    # On 8 March 02:30 (fold=0, EST) is 07:30Z = 03:30 EDT; 04:00 EDT = 08:00Z.
    (
        "period starting in the spring gap",
        "new_york_half_gap",
        ny(2026, 3, 8),
        20 * M,
        ny(2026, 3, 8, 3, 50),
    ),
    # 8 March: 00:00–02:30 is 05:00Z–07:30Z and 03:00–05:00 is 07:00Z–09:00Z; their
    # union is 4 hours, 05:00Z–09:00Z (05:00 EDT).
    (
        "spring gap: overlapping instants count once",
        "new_york_overlap",
        ny(2026, 3, 8),
        4 * H,
        ny(2026, 3, 8, 5),
    ),
    (
        "24:00 runs on into the next morning",
        "late_and_early",
        utc(2026, 11, 23, 23),
        2 * H,
        utc(2026, 11, 24, 1),
    ),
    ("24:00 ends at midnight", "monday_late", utc(2026, 11, 23, 23), H, utc(2026, 11, 24)),
    ("after a 24:00 day", "monday_late", utc(2026, 11, 23, 23), 2 * H, utc(2026, 11, 30, 21)),
    # 03:00Z is 08:30 IST.
    ("30-minute zone: Kolkata", "kolkata", utc(2026, 11, 23, 3), H, at(KOLKATA, 2026, 11, 23, 10)),
    (
        "30-minute zone over a weekend",
        "kolkata",
        utc(2026, 11, 27, 12),
        H,
        at(KOLKATA, 2026, 11, 30, 9, 30),
    ),
    # 11:00Z on Friday is 16:45 in Kathmandu: 15 minutes, Saturday closed, Sunday 10:00 + 45.
    (
        "45-minute zone: Kathmandu",
        "kathmandu",
        utc(2026, 11, 20, 11),
        H,
        at(KATHMANDU, 2026, 11, 22, 10, 45),
    ),
    # 00:00 (+10:30) is 13:30Z; + 5 h = 18:30Z = 05:30 (+11:00); the night is 5½ hours.
    (
        "30-minute DST spring: Lord Howe",
        "lord_howe_nights",
        at(LORD_HOWE, 2026, 10, 4),
        5 * H,
        at(LORD_HOWE, 2026, 10, 4, 5, 30),
    ),
    # 00:00 (+11:00) is 13:00Z; + 2 h = 15:00Z, the moment clocks go back to 01:30.
    (
        "30-minute DST autumn: Lord Howe's second 01:30",
        "lord_howe_nights",
        at(LORD_HOWE, 2026, 4, 5),
        2 * H,
        at(LORD_HOWE, 2026, 4, 5, 1, 30, fold=1),
    ),
    (
        "30-minute DST autumn: Lord Howe's 6½-hour night",
        "lord_howe_nights",
        at(LORD_HOWE, 2026, 4, 5),
        6 * H + 30 * M,
        at(LORD_HOWE, 2026, 4, 5, 6),
    ),
    (
        "HH:MM:SS hours",
        "seconds",
        utc(2026, 11, 23, 8),
        timedelta(seconds=1),
        utc(2026, 11, 23, 8, 0, 31),
    ),
]

# (scenario, calendar, start, end, open time in [start, end))
ELAPSED = [
    ("same day", "israel", j(2026, 11, 22, 9), j(2026, 11, 22, 12), 3 * H),
    ("before and after hours", "israel", j(2026, 11, 22, 6), j(2026, 11, 22, 20), 9 * H),
    ("split day", "israel", j(2026, 11, 23, 7), j(2026, 11, 23, 20), 8 * H),
    ("Friday evening to Sunday", "israel", j(2026, 11, 26, 16), j(2026, 11, 29, 10), 3 * H),
    ("Sunday–Thursday week", "israel", j(2026, 11, 22), j(2026, 11, 29), 44 * H),
    ("holiday", "israel", j(2026, 12, 30), j(2027, 1, 3), 9 * H),
    ("country holiday: Yom Kippur", "israel", j(2026, 9, 20), j(2026, 9, 23), 18 * H),
    ("empty range", "israel", j(2026, 11, 22, 10), j(2026, 11, 22, 10), timedelta(0)),
    ("closed range", "israel", j(2026, 11, 27, 10), j(2026, 11, 28, 22), timedelta(0)),
    ("DST night spring (Friday)", "israel", j(2026, 3, 26), j(2026, 3, 30), 18 * H),
    ("DST night autumn (Sunday)", "israel", j(2026, 10, 25), j(2026, 10, 26), 9 * H),
    # 13:30 in Kolkata is 08:00Z, 10:00 in Jerusalem.
    ("ends in another zone", "israel", utc(2026, 11, 22), at(KOLKATA, 2026, 11, 22, 13, 30), 2 * H),
    ("DST night spring, 5-hour night", "new_york_nights", ny(2026, 3, 8), ny(2026, 3, 9), 5 * H),
    ("DST night autumn, 7-hour night", "new_york_nights", ny(2026, 11, 1), ny(2026, 11, 2), 7 * H),
    (
        "DST night autumn, between the two 01:30s",
        "new_york_nights",
        ny(2026, 11, 1, 1, 30),
        ny(2026, 11, 1, 1, 30, fold=1),
        H,
    ),
    (
        "period inside the spring gap is empty",
        "new_york_gap",
        ny(2026, 3, 8),
        ny(2026, 3, 9),
        timedelta(0),
    ),
    (
        "period starting in the spring gap",
        "new_york_half_gap",
        ny(2026, 3, 8),
        ny(2026, 3, 9),
        30 * M,
    ),
    (
        "spring gap: overlapping instants count once",
        "new_york_overlap",
        ny(2026, 3, 8),
        ny(2026, 3, 9),
        4 * H,
    ),
    ("24:00", "monday_late", utc(2026, 11, 23), utc(2026, 11, 25), 4 * H),
    ("24:00 then the next morning", "late_and_early", utc(2026, 11, 23), utc(2026, 11, 25), 6 * H),
    (
        "45-minute zone: Kathmandu",
        "kathmandu",
        at(KATHMANDU, 2026, 11, 20),
        at(KATHMANDU, 2026, 11, 23),
        14 * H,
    ),
    (
        "30-minute DST spring: Lord Howe",
        "lord_howe_nights",
        at(LORD_HOWE, 2026, 10, 4),
        at(LORD_HOWE, 2026, 10, 5),
        5 * H + 30 * M,
    ),
    (
        "30-minute DST autumn: Lord Howe",
        "lord_howe_nights",
        at(LORD_HOWE, 2026, 4, 5),
        at(LORD_HOWE, 2026, 4, 6),
        6 * H + 30 * M,
    ),
    (
        "HH:MM:SS hours",
        "seconds",
        utc(2026, 11, 23),
        utc(2026, 11, 24),
        9 * H - 15 * timedelta(seconds=1),
    ),
]

# (scenario, calendar, instant, open?)
IS_OPEN = [
    ("opening instant", "israel", j(2026, 11, 22, 8), True),
    ("closing instant", "israel", j(2026, 11, 22, 17), False),
    ("last microsecond", "israel", j(2026, 11, 22, 16, 59, 59, 999999), True),
    ("before hours", "israel", j(2026, 11, 22, 7, 59), False),
    ("split day, lunch break", "israel", j(2026, 11, 23, 12, 30), False),
    ("split day, after lunch", "israel", j(2026, 11, 23, 13), True),
    ("Friday", "israel", j(2026, 11, 27, 10), False),
    ("holiday", "israel", j(2026, 12, 31, 10), False),
    ("country holiday: Yom Kippur", "israel", j(2026, 9, 21, 10), False),
    ("given in another zone", "israel", utc(2026, 11, 22, 6), True),
    ("DST night autumn, second 01:30", "new_york_nights", ny(2026, 11, 1, 1, 30, fold=1), True),
    (
        "spring gap, before the period's real start",
        "new_york_half_gap",
        ny(2026, 3, 8, 3, 15),
        False,
    ),
    ("spring gap, the period's real start", "new_york_half_gap", ny(2026, 3, 8, 3, 30), True),
    ("24:00, last microsecond", "monday_late", utc(2026, 11, 23, 23, 59, 59, 999999), True),
    ("24:00, midnight", "monday_late", utc(2026, 11, 24), False),
    ("45-minute zone", "kathmandu", utc(2026, 11, 22, 4, 15), True),
    ("45-minute zone, a minute early", "kathmandu", utc(2026, 11, 22, 4, 14), False),
]


def as_utc(moment: datetime) -> datetime:
    # Never compare across zones with ==: PEP 495 makes a time in a repeated hour
    # unequal to every instant of another zone.
    return moment.astimezone(UTC)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    ("calendar", "start", "delta", "expected"),
    [case[1:] for case in ADD],
    ids=[case[0] for case in ADD],
)
def test_add(
    implementation: Any, calendar: str, start: datetime, delta: timedelta, expected: datetime
) -> None:
    result = implementation(**CALENDARS[calendar]).add(start, delta)
    assert as_utc(result) == as_utc(expected)
    if implementation is BusinessCalendar:
        # In the calendar's zone, with the right fold: the same wall clock as expected.
        assert result.tzinfo is ZoneInfo(CALENDARS[calendar]["timezone"])
        assert (result.replace(tzinfo=None), result.fold) == (
            expected.astimezone(result.tzinfo).replace(tzinfo=None),
            expected.astimezone(result.tzinfo).fold,
        )


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [case[1:] for case in ELAPSED],
    ids=[case[0] for case in ELAPSED],
)
def test_elapsed(
    implementation: Any, calendar: str, start: datetime, end: datetime, expected: timedelta
) -> None:
    assert implementation(**CALENDARS[calendar]).elapsed(start, end) == expected


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    ("calendar", "instant", "expected"),
    [case[1:] for case in IS_OPEN],
    ids=[case[0] for case in IS_OPEN],
)
def test_is_open(implementation: Any, calendar: str, instant: datetime, expected: bool) -> None:
    assert implementation(**CALENDARS[calendar]).is_open(instant) is expected


# (scenario, calendar, instant, next opening, next closing)
NEXT = [
    ("open now", "israel", j(2026, 11, 22, 10), j(2026, 11, 22, 10), j(2026, 11, 22, 17)),
    ("Friday", "israel", j(2026, 11, 27, 10), j(2026, 11, 29, 8), j(2026, 11, 29, 17)),
    ("split day, morning", "israel", j(2026, 11, 23, 11), j(2026, 11, 23, 11), j(2026, 11, 23, 12)),
    (
        "split day, lunch break",
        "israel",
        j(2026, 11, 23, 12),
        j(2026, 11, 23, 13),
        j(2026, 11, 23, 17),
    ),
    (
        "New Year's Eve holiday, into next year",
        "israel",
        j(2026, 12, 31, 10),
        j(2027, 1, 3, 8),
        j(2027, 1, 3, 17),
    ),
    (
        "24:00 runs on into the next morning",
        "late_and_early",
        utc(2026, 11, 23, 21),
        utc(2026, 11, 23, 21),
        utc(2026, 11, 24, 2),
    ),
]


@pytest.mark.parametrize(
    ("calendar", "instant", "opens", "closes"),
    [case[1:] for case in NEXT],
    ids=[case[0] for case in NEXT],
)
def test_next_open_and_close(
    calendar: str, instant: datetime, opens: datetime, closes: datetime
) -> None:
    cal = BusinessCalendar(**CALENDARS[calendar])
    found_open, found_close = cal.next_open(instant), cal.next_close(instant)
    assert found_open is not None
    assert found_close is not None
    assert (as_utc(found_open), as_utc(found_close)) == (as_utc(opens), as_utc(closes))
    assert found_open.tzinfo is found_close.tzinfo is cal.zone
