"""The demo desk's opening hours (Israel: Sunday to Thursday, Friday morning).

Arithmetic is done on UTC instants; the local zone is applied only to decide
whether the desk is open and to build local opening times.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DESK_ZONE = ZoneInfo("Asia/Jerusalem")
OPENS = 8
CLOSES = 20
FRIDAY_CLOSES = 13
FRIDAY, SATURDAY = 4, 5


def local(at: datetime) -> datetime:
    return at.astimezone(DESK_ZONE)


def is_open(at: datetime) -> bool:
    moment = local(at)
    weekday = moment.weekday()
    if weekday == SATURDAY:
        return False
    closes = FRIDAY_CLOSES if weekday == FRIDAY else CLOSES
    return OPENS <= moment.hour < closes


def next_open(at: datetime, rng: random.Random) -> datetime:
    """`at` if the desk is open then, else a little after the next opening."""
    if is_open(at):
        return at
    moment = local(at)
    day = moment.date()
    if moment.hour >= OPENS:
        day += timedelta(days=1)
    while day.weekday() == SATURDAY:
        day += timedelta(days=1)
    opening = datetime(day.year, day.month, day.day, OPENS, tzinfo=DESK_ZONE)
    return (opening + timedelta(minutes=rng.randint(0, 75))).astimezone(UTC)


def working_days_after(at: datetime, days: int) -> date:
    """The local date `days` technician working days (Sunday–Thursday) after `at`."""
    day = local(at).date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() not in (FRIDAY, SATURDAY):
            days -= 1
    return day


def show_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")
