"""Reading submitted forms: strings in, typed values or per-field errors out.

Field errors are translation keys (see i18n.py); a service's own English
messages pass through `t()` unchanged when no translation exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from starlette.requests import Request

from servicedesk.errors import InvalidInput, ServiceError
from servicedesk.loading import MAX_INT4

E = TypeVar("E", bound=StrEnum)


@dataclass
class Form:
    values: dict[str, str]
    lists: dict[str, list[str]]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str:
        value = self.values.get(name, "").strip()
        if required and not value:
            self.errors[name] = "required"
        elif len(value) > max_length:
            self.errors[name] = "too_long"
        return value

    def integer(self, name: str, *, minimum: int, maximum: int) -> int | None:
        raw = self.values.get(name, "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            self.errors[name] = "not_a_number"
            return None
        if not minimum <= value <= maximum:
            self.errors[name] = "out_of_range"
            return None
        return value

    def decimal(self, name: str, *, maximum: Decimal) -> Decimal | None:
        raw = self.values.get(name, "").strip().replace(",", ".")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.errors[name] = "not_a_number"
            return None
        if not value.is_finite() or value < 0 or value > maximum:
            self.errors[name] = "out_of_range"
            return None
        return value.quantize(Decimal("0.01"))

    def choice(self, name: str, enum: type[E], default: E | None = None) -> E | None:
        raw = self.values.get(name, "").strip()
        if not raw:
            if default is None:
                self.errors[name] = "required"
            return default
        try:
            return enum(raw)
        except ValueError:
            self.errors[name] = "unknown_choice"
            return default

    def ids(self, name: str) -> list[int]:
        found: list[int] = []
        for raw in self.lists.get(name, []):
            if raw.isdigit() and 0 < int(raw) <= MAX_INT4:
                found.append(int(raw))
            elif raw:
                self.errors[name] = "unknown_choice"
        return sorted(set(found))

    def flag(self, name: str) -> bool:
        return self.values.get(name, "") in ("1", "on", "true", "yes")

    def check(self) -> None:
        """Raise the collected field errors, if any, as one InvalidInput."""
        if self.errors:
            raise InvalidInput("check_fields", fields=dict(self.errors))


async def read_form(request: Request) -> Form:
    data = await request.form()
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            values.setdefault(key, value)
            lists.setdefault(key, []).append(value)
    return Form(values, lists)


def error_context(form: Form, error: ServiceError) -> dict[str, object]:
    """What a template needs to show a refused form again: message, fields, values."""
    return {
        "error": error.message,
        "fields": error.fields,
        "values": form.values,
        "lists": form.lists,
    }
