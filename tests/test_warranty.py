"""Warranty arithmetic at month ends and on the boundary days."""

from __future__ import annotations

from datetime import date

import pytest

from servicedesk.enums import WarrantyState
from servicedesk.products.warranty import add_months, warranty_state


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 15), 24, date(2027, 3, 15)),
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 5, 1), 0, date(2025, 5, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_last_day_of_warranty_is_still_active():
    ends = date(2026, 6, 30)
    assert warranty_state(ends, None, date(2026, 6, 30)) == WarrantyState.active
    assert warranty_state(ends, None, date(2026, 7, 1)) == WarrantyState.expired


def test_extended_contract_follows_the_makers_warranty():
    ends, extended = date(2026, 6, 30), date(2027, 6, 30)
    assert warranty_state(ends, extended, date(2026, 7, 1)) == WarrantyState.extended
    assert warranty_state(ends, extended, date(2027, 6, 30)) == WarrantyState.extended
    assert warranty_state(ends, extended, date(2027, 7, 1)) == WarrantyState.expired
