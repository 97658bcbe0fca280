"""A `PolicySet` as canonical data and TOML: what the desk stores and shows, and
what its version is the hash of.

Canonical means: defaults spelled out, sets sorted, hours as the calendar
normalises them, weekdays Monday first, priorities urgent first. Reading the
canonical TOML back (`sla.config.load_policies`) gives the same policies and
the same version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sla.calendar import BusinessCalendar
from sla.policy import (
    METRICS,
    PRIORITIES,
    EscalationStep,
    Policy,
    PolicySet,
    format_duration,
)

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_INLINE = frozenset({"policies.targets"})  # tables whose sub-tables are written inline


def policies_to_data(policy_set: PolicySet) -> dict[str, Any]:
    """The canonical document: defaults spelled out, sets sorted, weekdays Monday
    first; `policies_from_data` of it gives the same policy set and version."""
    return {
        "calendars": {
            name: _calendar_data(calendar) for name, calendar in policy_set.calendars.items()
        },
        "policies": [_policy_data(policy) for policy in policy_set.policies],
    }


def policy_version(policy_set: PolicySet) -> str:
    """A short hash of the canonical content: same policies, same version, whatever
    the file's layout, comments or key order."""
    canonical = json.dumps(
        policies_to_data(policy_set),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=date.isoformat,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def dump_policies(policy_set: PolicySet) -> str:
    """The canonical TOML text of a policy set (`load_policies` reads it back)."""
    lines: list[str] = [f"# SLA policies, version {policy_version(policy_set)}"]
    data = policies_to_data(policy_set)
    for name, calendar in data["calendars"].items():
        _emit_table(lines, _dotted("calendars", name), calendar, gap=True)
    for policy in data["policies"]:
        _emit_table(lines, "policies", policy, array=True, gap=True)
    return "\n".join(lines) + "\n"


def _calendar_data(calendar: BusinessCalendar) -> dict[str, Any]:
    data: dict[str, Any] = {"timezone": calendar.timezone}
    if calendar.country is not None:
        data["country"] = calendar.country
    if calendar.subdivision is not None:
        data["subdivision"] = calendar.subdivision
    if calendar.holidays:
        data["holidays"] = sorted(calendar.holidays)
    data["hours"] = {
        WEEKDAY_NAMES[day]: [f"{start}-{end}" for start, end in periods]
        for day, periods in sorted(calendar.hours.items())
    }
    return data


def _policy_data(policy: Policy) -> dict[str, Any]:
    match = {
        key: sorted(values)
        for key in ("warranty", "tier", "priority", "channel", "product_category", "queue")
        if (values := getattr(policy.match, key)) is not None
    }
    targets = {
        priority: {
            metric: format_duration(value)
            for metric in METRICS
            if (value := policy.targets[priority].of(metric)) is not None
        }
        for priority in reversed(PRIORITIES)
        if priority in policy.targets
    }
    data: dict[str, Any] = {
        "name": policy.name,
        "calendar": policy.calendar,
        "warn_percent": policy.warn_percent,
        "pause_statuses": sorted(policy.pause_statuses),
        "match": match,
        "targets": targets,
    }
    if policy.escalations:
        data["escalations"] = [_step_data(step) for step in policy.escalations]
    return data


def _step_data(step: EscalationStep) -> dict[str, Any]:
    data: dict[str, Any] = {"at": step.at}
    if step.metrics is not None:
        data["metrics"] = [metric for metric in METRICS if metric in step.metrics]
    if step.notify:
        data["notify"] = list(step.notify)
    if step.raise_priority_to is not None:
        data["raise_priority_to"] = step.raise_priority_to
    if step.move_to_queue is not None:
        data["move_to_queue"] = step.move_to_queue
    return data


def _emit_table(
    lines: list[str], name: str, table: Mapping[str, Any], array: bool = False, gap: bool = False
) -> None:
    """A table, its plain keys first; a header only where TOML needs one."""
    inline = name in _INLINE  # e.g. targets: one line per priority
    plain = [
        (key, value)
        for key, value in table.items()
        if (inline or not isinstance(value, dict)) and not _is_array_of_tables(value)
    ]
    if gap:
        lines.append("")
    if array or plain:
        lines.append(f"[[{name}]]" if array else f"[{name}]")
    lines.extend(f"{toml_key(key)} = {_value(value)}" for key, value in plain)
    for key, value in table.items():
        if isinstance(value, dict) and not inline:
            _emit_table(lines, _dotted(name, key), value)
        elif _is_array_of_tables(value):
            for item in value:
                _emit_table(lines, _dotted(name, key), item, array=True)


def _is_array_of_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it may be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value: object) -> str:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return str(value)  # int, date


def _string(text: str) -> str:
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
    escapes["\r"] = "\\r"
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _dotted(table: str, key: str) -> str:
    return f"{table}.{toml_key(key)}"
