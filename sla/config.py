"""Policy files: TOML text → a checked `PolicySet` (and, from `sla.canonical`, back).

Every mistake is a `ConfigError` naming its place the way the file spells it
(`policies[2] ("Gold"): targets.urgent.first_response: …`, policies and
escalation steps counted from 1). Nothing half-loaded escapes: a file loads
whole or not at all. The format is described in docs/sla.md.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sla.calendar import BusinessCalendar
from sla.canonical import (
    WEEKDAY_NAMES,
    dump_policies,
    policies_to_data,
    policy_version,
    toml_key,
)
from sla.policy import (
    CHANNELS,
    DEFAULT_PAUSE_STATUSES,
    DONE_STATUSES,
    METRICS,
    PRIORITIES,
    STATUSES,
    TIERS,
    WARRANTY_STATES,
    EscalationStep,
    Match,
    Metric,
    Policy,
    PolicySet,
    Targets,
)

NOTIFY_WHOM = ("assignee", "supervisors")  # or "team:<name>"
_DURATION = re.compile(r"(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?", re.ASCII)
_PERIOD = re.compile(
    r"\s*([0-9]{1,2}):([0-9]{2})(:[0-9]{2})?\s*[-–]\s*([0-9]{1,2}):([0-9]{2})(:[0-9]{2})?\s*",
    re.ASCII,
)
_DURATION_HINT = 'use e.g. "90m", "4h", "1h30m"'


__all__ = [
    "ConfigError",
    "dump_policies",
    "load_policies",
    "load_policies_file",
    "parse_duration",
    "policies_from_data",
    "policies_to_data",
    "policy_version",
]


class ConfigError(ValueError):
    """A policy file that cannot be loaded; `where` is the place, `problem` the fault."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}" if where else problem)


# ---- reading -----------------------------------------------------------------------


def load_policies(text: str) -> PolicySet:
    """Parse and check a policy file's text."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"not valid TOML: {exc}") from None
    return policies_from_data(document)


def load_policies_file(path: str | os.PathLike[str]) -> PolicySet:
    """`load_policies` on a UTF-8 file; its errors start with the file's name."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(os.fspath(path), f"not UTF-8 text: {exc}") from None
    try:
        return load_policies(text)
    except ConfigError as exc:
        where = os.fspath(path) + (f": {exc.where}" if exc.where else "")
        raise ConfigError(where, exc.problem) from None


def policies_from_data(document: Mapping[str, Any]) -> PolicySet:
    """Check a parsed document (what `tomllib` returns) and build the `PolicySet`."""
    _keys(document, "", required=("policies",), optional=("calendars",))
    raw_calendars = _table(document.get("calendars", {}), "calendars")
    calendars = {
        name: _calendar(value, _join("calendars", name)) for name, value in raw_calendars.items()
    }
    raw_policies = document["policies"]
    if not isinstance(raw_policies, list) or not all(isinstance(p, dict) for p in raw_policies):
        raise ConfigError("policies", "must be an array of tables ([[policies]] blocks)")
    if not raw_policies:
        raise ConfigError("policies", "at least one policy is needed")
    policies: list[Policy] = []
    names: dict[str, int] = {}
    for number, raw in enumerate(raw_policies, start=1):
        policy = _policy(raw, number, calendars)
        if policy.name in names:
            raise ConfigError(
                _policy_place(number, policy.name),
                f"the name is already used by policies[{names[policy.name]}]",
            )
        names[policy.name] = number
        policies.append(policy)
    for number, policy in enumerate(policies[:-1], start=1):
        if policy.match.is_catch_all:
            raise ConfigError(
                _policy_place(number, policy.name),
                "matches every ticket, so the policies after it would never apply; "
                "a catch-all policy must come last",
            )
    unfinished = PolicySet(calendars=calendars, policies=tuple(policies))
    return PolicySet(calendars, tuple(policies), version=policy_version(unfinished))


def parse_duration(text: object, where: str) -> timedelta:
    """ "4h", "90m", "1h30m", "45s": business time, more than zero. Days are
    refused: a business day has no fixed length."""
    if not isinstance(text, str):
        raise ConfigError(where, f"{_show(text)} is not a duration; {_DURATION_HINT}")
    match = _DURATION.fullmatch(text.strip())
    if match is None or not any(match.groups()):
        if re.fullmatch(r"\s*[0-9]+\s*(d|days?|bd|w|weeks?)\s*", text):
            raise ConfigError(
                where,
                f"{_show(text)}: days are not a unit of business time (how long is a "
                'business day?); write hours, e.g. "16h" for two 8-hour days',
            )
        raise ConfigError(where, f"{_show(text)} is not a duration; {_DURATION_HINT}")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    value = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if not value:
        raise ConfigError(where, f"{_show(text)} is zero; a target must be longer")
    return value


def _calendar(raw: object, where: str) -> BusinessCalendar:
    table = _table(raw, where)
    _keys(
        table,
        where,
        required=("timezone",),
        optional=("hours", "holidays", "country", "subdivision"),
    )
    hours_place = where + ".hours"
    hours_table = _table(table.get("hours", {}), hours_place)
    _keys(hours_table, hours_place, optional=WEEKDAY_NAMES)
    hours = {
        WEEKDAY_NAMES.index(day): tuple(
            _period(value, f"{hours_place}.{day}[{number}]")
            for number, value in enumerate(_list(periods, f"{hours_place}.{day}"), start=1)
        )
        for day, periods in hours_table.items()
    }
    holidays = tuple(
        _date(value, f"{where}.holidays[{number}]")
        for number, value in enumerate(_list(table.get("holidays", []), where + ".holidays"), 1)
    )
    country = _optional_text(table.get("country"), where + ".country")
    subdivision = _optional_text(table.get("subdivision"), where + ".subdivision")
    try:
        return BusinessCalendar(
            timezone=_text(table["timezone"], where + ".timezone"),
            hours=hours,
            holidays=holidays,
            country=country,
            subdivision=subdivision,
        )
    except ValueError as exc:
        raise ConfigError(where, str(exc)) from None


def _period(value: object, where: str) -> tuple[str, str]:
    match = _PERIOD.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(where, f'{_show(value)} is not a period; use "HH:MM-HH:MM"')
    h1, m1, s1, h2, m2, s2 = match.groups()
    return f"{int(h1):02d}:{m1}{s1 or ''}", f"{int(h2):02d}:{m2}{s2 or ''}"


def _date(value: object, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(where, f"{_show(value)} is not a date; use e.g. 2026-12-31")


def _policy(raw: dict[str, Any], number: int, calendars: Mapping[str, object]) -> Policy:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"policies[{number}]", "needs a name (a non-empty string)")
    place = _policy_place(number, name)
    _keys(
        raw,
        place,
        required=("name", "calendar"),
        optional=("match", "targets", "warn_percent", "pause_statuses", "escalations"),
    )
    calendar = _text(raw["calendar"], place + ": calendar")
    if calendar not in calendars:
        raise ConfigError(
            place + ": calendar",
            f"unknown calendar {_show(calendar)}{_choices(calendar, list(calendars))}",
        )
    warn_percent = raw.get("warn_percent", 75)
    if isinstance(warn_percent, bool) or not isinstance(warn_percent, int):
        raise ConfigError(place + ": warn_percent", f"{_show(warn_percent)} is not a whole number")
    if not 1 <= warn_percent <= 99:
        raise ConfigError(place + ": warn_percent", f"{warn_percent} is not between 1 and 99")
    pause = DEFAULT_PAUSE_STATUSES
    if "pause_statuses" in raw:
        pause = _values(raw["pause_statuses"], place + ": pause_statuses", STATUSES, empty=True)
        stopping = sorted(pause & DONE_STATUSES)
        if stopping:
            raise ConfigError(
                place + ": pause_statuses",
                f"{_show(stopping[0])} stops the clocks; it cannot pause them",
            )
    return Policy(
        name=name,
        calendar=calendar,
        match=_match(raw.get("match", {}), place + ": match"),
        targets=_targets(raw.get("targets", {}), place + ": targets"),
        pause_statuses=pause,
        warn_percent=warn_percent,
        escalations=tuple(
            _step(step, f"{place}: escalations[{index}]")
            for index, step in enumerate(
                _list(raw.get("escalations", []), place + ": escalations"), start=1
            )
        ),
    )


def _match(raw: object, where: str) -> Match:
    table = _table(raw, where)
    _keys(
        table,
        where,
        optional=("warranty", "tier", "priority", "channel", "product_category", "queue"),
    )

    def field(key: str, allowed: tuple[str, ...] | None) -> frozenset[str] | None:
        if key not in table:
            return None
        return _values(table[key], f"{where}.{key}", allowed)

    return Match(
        warranty=field("warranty", WARRANTY_STATES),
        tier=field("tier", TIERS),
        priority=field("priority", PRIORITIES),
        channel=field("channel", CHANNELS),
        product_category=field("product_category", None),
        queue=field("queue", None),
    )


def _targets(raw: object, where: str) -> dict[str, Targets]:
    table = _table(raw, where)
    _keys(table, where, optional=PRIORITIES)
    targets = {}
    for priority in reversed(PRIORITIES):  # canonical order, whatever the file's: urgent first
        if priority not in table:
            continue
        place = f"{where}.{priority}"
        metrics = _table(table[priority], place)
        _keys(metrics, place, optional=METRICS)
        if not metrics:
            raise ConfigError(place, "no target given; leave the priority out to measure nothing")
        durations = {
            metric: parse_duration(value, f"{place}.{metric}") for metric, value in metrics.items()
        }
        targets[priority] = Targets(**durations)
    return targets


def _step(raw: object, where: str) -> EscalationStep:
    table = _table(raw, where)
    _keys(
        table,
        where,
        required=("at",),
        optional=("metrics", "notify", "raise_priority_to", "move_to_queue"),
    )
    at = _text(table["at"], where + ".at")
    trigger, plus, after_text = at.strip().partition("+")
    trigger = trigger.strip()
    if trigger not in ("warn", "breach") or (plus and trigger == "warn"):
        raise ConfigError(
            where + ".at",
            f'{_show(at)} is not a step time; use "warn", "breach" or "breach+<duration>" '
            'such as "breach+2h"',
        )
    after = parse_duration(after_text.strip(), where + ".at") if plus else timedelta(0)
    metrics: frozenset[Metric] | None = None
    if "metrics" in table:
        named = _values(table["metrics"], where + ".metrics", METRICS)
        metrics = frozenset(metric for metric in METRICS if metric in named)
    notify = tuple(
        _whom(value, f"{where}.notify[{number}]")
        for number, value in enumerate(_list(table.get("notify", []), where + ".notify"), 1)
    )
    raise_to = None
    if "raise_priority_to" in table:
        raise_to = _one_of(table["raise_priority_to"], where + ".raise_priority_to", PRIORITIES)
    queue = _optional_text(table.get("move_to_queue"), where + ".move_to_queue")
    if not notify and raise_to is None and queue is None:
        raise ConfigError(
            where, "does nothing; give notify, raise_priority_to or move_to_queue (or remove it)"
        )
    return EscalationStep(
        trigger="warn" if trigger == "warn" else "breach",
        after=after,
        metrics=metrics,
        notify=notify,
        raise_priority_to=raise_to,
        move_to_queue=queue,
    )


def _whom(value: object, where: str) -> str:
    text = _text(value, where)
    if text in NOTIFY_WHOM:
        return text
    kind, colon, team = text.partition(":")
    if colon and kind == "team" and team.strip():
        return f"team:{team.strip()}"
    raise ConfigError(
        where, f'{_show(value)}: notify "assignee", "supervisors" or "team:<team name>"'
    )


# ---- small checks -------------------------------------------------------------------


def _keys(
    table: Mapping[str, Any],
    where: str,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> None:
    known = required + optional
    for key in table:
        if key not in known:
            raise ConfigError(where, f"unknown key {_show(key)}{_choices(key, list(known))}")
    for key in required:
        if key not in table:
            raise ConfigError(where, f"missing key {_show(key)}")


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(where, f"must be a table, not {_show(value)}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(where, f"must be a list, not {_show(value)}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(where, f"must be a non-empty string, not {_show(value)}")
    return value.strip()


def _optional_text(value: object, where: str) -> str | None:
    return None if value is None else _text(value, where)


def _one_of(value: object, where: str, allowed: tuple[str, ...]) -> str:
    text = _text(value, where)
    if text not in allowed:
        raise ConfigError(where, f"unknown value {_show(text)}; one of: {', '.join(allowed)}")
    return text


def _values(
    value: object, where: str, allowed: tuple[str, ...] | None, *, empty: bool = False
) -> frozenset[str]:
    """A string or a list of strings, each in `allowed` (any when None)."""
    items = [value] if isinstance(value, str) else _list(value, where)
    if not items and not empty:
        raise ConfigError(where, "an empty list matches nothing; leave the key out to match any")
    texts = [_text(item, where) for item in items]
    if allowed is not None:
        for text in texts:
            _one_of(text, where, allowed)
    return frozenset(texts)


def _choices(word: str, known: list[str]) -> str:
    if not known:
        return "; none is defined"
    close = difflib.get_close_matches(word, known, n=1)
    hint = f" (did you mean {_show(close[0])}?)" if close else ""
    return f"{hint}; expected one of: {', '.join(sorted(known))}"


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _join(table: str, key: str) -> str:
    return f"{table}.{toml_key(key)}"


def _policy_place(number: int, name: str) -> str:
    return f"policies[{number}] ({_show(name)})"
