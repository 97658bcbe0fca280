"""Normalising the ways customers reach us, so one person is found however they write it."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from servicedesk.errors import InvalidInput


def normalise_email(raw: str, *, field: str = "email") -> str:
    """Lower-cased address; the whole address is compared case-insensitively."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput("invalid e-mail address", fields={field: str(exc)}) from exc
    return result.normalized.lower()


def normalise_phone(raw: str, region: str, *, field: str = "phone") -> str:
    """E.164. National numbers ("054-123 4567") are read in `region`."""
    text = raw.strip()
    if text.startswith("00"):  # international prefix as dialled in Israel and Europe
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("invalid phone number", fields={field: str(exc)}) from exc
    # Possible, not 'valid': validity depends on allocation tables that lag behind
    # the carriers, and a real caller must never be turned away for that.
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput("invalid phone number", fields={field: "not a valid phone number"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """International notation for display."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
