"""Identities are normalised so a customer is found however the number or address is written."""

from __future__ import annotations

import pytest

from servicedesk.errors import InvalidInput
from servicedesk.identities import format_phone, normalise_email, normalise_phone


@pytest.mark.parametrize(
    "raw",
    ["054-123-4567", "+972 54 123 4567", "00972541234567", "(054) 1234567", "0541234567"],
)
def test_israeli_mobile_in_any_notation_is_one_number(raw):
    assert normalise_phone(raw, "IL") == "+972541234567"


def test_national_number_is_read_in_the_configured_region():
    assert normalise_phone("(415) 555-0100", "US") == "+14155550100"
    assert normalise_phone("03-612-3456", "IL") == "+97236123456"


@pytest.mark.parametrize("raw", ["12", "not a phone", "+972", ""])
def test_impossible_numbers_are_rejected_per_field(raw):
    with pytest.raises(InvalidInput) as exc:
        normalise_phone(raw, "IL", field="customer_phone")
    assert "customer_phone" in exc.value.fields


def test_email_is_compared_case_insensitively():
    assert normalise_email("  Dana.Levi@Example.COM ") == "dana.levi@example.com"


@pytest.mark.parametrize("raw", ["dana", "dana@", "@example.com", "a b@example.com"])
def test_invalid_email_is_rejected(raw):
    with pytest.raises(InvalidInput) as exc:
        normalise_email(raw)
    assert "email" in exc.value.fields


def test_phone_is_displayed_internationally():
    assert format_phone("+972541234567") == "+972 54-123-4567"
    assert format_phone("garbage") == "garbage"
