"""Warranty arithmetic: pure functions on dates."""

from __future__ import annotations

import calendar
from datetime import date

from servicedesk.enums import WarrantyState


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def warranty_state(
    warranty_ends_on: date, extended_until: date | None, today: date
) -> WarrantyState:
    """`active` within the maker's warranty (its last day included), then `extended`
    while an extended-warranty contract runs, else `expired`."""
    if today <= warranty_ends_on:
        return WarrantyState.active
    if extended_until is not None and today <= extended_until:
        return WarrantyState.extended
    return WarrantyState.expired
