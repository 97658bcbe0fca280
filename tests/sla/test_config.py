"""Policy files: the documented example, canonical round trips, and every error
message a mistaken file gets (asserted whole: they are the interface)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from sla.config import (
    ConfigError,
    dump_policies,
    load_policies,
    load_policies_file,
    parse_duration,
    policies_from_data,
    policies_to_data,
)
from sla.policy import DEFAULT_PAUSE_STATUSES, EscalationStep, Match, Targets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "servicedesk" / "demo" / "sla.toml"
H = timedelta(hours=1)


def toml_blocks(markdown: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", markdown.read_text(encoding="utf-8"), re.DOTALL)


# ---- the documented example ----------------------------------------------------------


def test_example_loads() -> None:
    policy_set = load_policies_file(EXAMPLE)
    assert [p.name for p in policy_set.policies] == [
        "US desk",
        "Gold, active warranty",
        "Standard, active warranty",
        "Expired warranty (paid support)",
        "Everyone else",
    ]
    israel, us = policy_set.calendars["israel"], policy_set.calendars["us"]
    assert (israel.timezone, israel.country, israel.holidays) == (
        "Asia/Jerusalem",
        "IL",
        frozenset({date(2026, 9, 20)}),
    )
    assert sorted(israel.hours) == [0, 1, 2, 3, 6]  # Sunday to Thursday
    assert israel.is_holiday(date(2026, 9, 21))  # Yom Kippur, from the country's list
    assert (us.timezone, us.country, us.subdivision) == ("America/New_York", "US", "NY")
    assert us.hours[0] == (("09:00", "12:30"), ("13:30", "18:00"))

    gold = policy_set.policies[1]
    assert gold.calendar == "israel"
    assert gold.match == Match(
        warranty=frozenset({"active", "extended"}), tier=frozenset({"gold", "platinum"})
    )
    assert gold.targets["urgent"] == Targets(
        first_response=timedelta(minutes=30), next_response=H, resolution=4 * H
    )
    assert (gold.warn_percent, gold.pause_statuses) == (75, DEFAULT_PAUSE_STATUSES)
    assert gold.escalations[2] == EscalationStep(
        trigger="breach",
        after=H,
        metrics=frozenset({"first_response", "next_response"}),
        notify=("team:Tier 2",),
        raise_priority_to="urgent",
        move_to_queue="Escalations",
    )
    assert gold.escalation_keys == ("warn#1", "breach#1", "breach+1h#1")
    paid = policy_set.policies[3]
    assert (paid.warn_percent, paid.match.warranty) == (80, frozenset({"expired"}))
    assert paid.targets["low"] == Targets(first_response=16 * H)
    assert policy_set.policies[-1].match.is_catch_all
    assert re.fullmatch(r"[0-9a-f]{12}", policy_set.version)


def test_readme_and_docs_show_the_example_file() -> None:
    example = EXAMPLE.read_text(encoding="utf-8")
    assert example in toml_blocks(ROOT / "README.md")
    assert example in toml_blocks(ROOT / "docs" / "sla.md")


def test_every_toml_block_in_the_docs_loads() -> None:
    """docs/sla.md's smaller snippets are complete files too."""
    for block in toml_blocks(ROOT / "docs" / "sla.md"):
        load_policies(block)


# ---- canonical form and version --------------------------------------------------------


def test_round_trip() -> None:
    original = load_policies_file(EXAMPLE)
    text = dump_policies(original)
    again = load_policies(text)
    assert again.policies == original.policies
    assert again.version == original.version
    assert policies_to_data(again) == policies_to_data(original)
    assert dump_policies(again) == text
    assert text.startswith(f"# SLA policies, version {original.version}\n")
    assert policies_from_data(policies_to_data(original)).version == original.version


def test_version_ignores_layout_and_defaults() -> None:
    plain = """
[calendars.main]
timezone = "Asia/Jerusalem"
hours = { sunday = ["08:00-17:00"], monday = ["8:00-12:00", "13:00 – 17:00"] }
[[policies]]
name = "All"
calendar = "main"
targets = { normal = { resolution = "8h", first_response = "60m" } }
"""
    spelled_out = """
# the same, written differently
[[policies]]
pause_statuses = ["on_hold", "pending"]
warn_percent = 75
name = "All"
calendar = "main"
[policies.match]
[policies.targets.normal]
first_response = "1h"
resolution = "8h"

[calendars.main]
timezone = "Asia/Jerusalem"
[calendars.main.hours]
monday = ["08:00-12:00", "13:00-17:00"]
sunday = ["08:00:00-17:00:00"]
"""
    assert load_policies(plain).version == load_policies(spelled_out).version
    changed = spelled_out.replace('resolution = "8h"', 'resolution = "9h"')
    assert load_policies(changed).version != load_policies(plain).version


def test_names_that_need_quoting_survive_the_round_trip() -> None:
    text = r"""
[calendars."תל אביב"]
timezone = "Asia/Jerusalem"
holidays = ["2026-12-31", 2026-01-01]
country = "IL"
[calendars."תל אביב".hours]
sunday = ["08:00-24:00"]
[[policies]]
name = "Quote \" backslash \\ tab \t bell \u0007 del \u007f newline \n end"
calendar = "תל אביב"
pause_statuses = []
match = { queue = "מקררים", product_category = ["fridge", "freezer"] }
"""
    original = load_policies(text)
    dumped = dump_policies(original)
    assert '[calendars."תל אביב".hours]' in dumped
    assert r"\u0007" in dumped
    assert r"\u007f" in dumped
    again = load_policies(dumped)
    assert again.policies == original.policies
    assert again.policies[0].pause_statuses == frozenset()
    assert again.policies[0].match.queue == frozenset({"מקררים"})
    assert again.calendars["תל אביב"].holidays == {date(2026, 12, 31), date(2026, 1, 1)}
    assert again.version == original.version


# ---- durations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4h", 4 * H),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        (" 2h ", 2 * H),
        ("1h0m30s", timedelta(hours=1, seconds=30)),
    ],
)
def test_durations(text: str, value: timedelta) -> None:
    assert parse_duration(text, "here") == value


# ---- every error, with its place -------------------------------------------------------

CALENDAR = """
[calendars.israel]
timezone = "Asia/Jerusalem"
[calendars.israel.hours]
sunday = ["08:00-17:00"]
"""
GOLD = """
[[policies]]
name = "Gold"
calendar = "israel"
"""
GOLD_AT = 'policies[1] ("Gold")'


def step(body: str) -> str:
    return CALENDAR + GOLD + "[[policies.escalations]]\n" + body


ERRORS = [
    ("not TOML", "policies = [", "not valid TOML: "),
    ("no policies", CALENDAR, 'missing key "policies"'),
    (
        "unknown top-level key",
        "polices = []\n" + CALENDAR,
        'unknown key "polices" (did you mean "policies"?); expected one of: calendars, policies',
    ),
    ("empty policy list", "policies = []", "policies: at least one policy is needed"),
    (
        "policies not tables",
        'policies = ["Gold"]',
        "policies: must be an array of tables ([[policies]] blocks)",
    ),
    (
        "calendars not a table",
        'calendars = "israel"\n' + GOLD,
        'calendars: must be a table, not "israel"',
    ),
    (
        "calendar key misspelt",
        CALENDAR.replace("timezone", "timzone") + GOLD,
        'calendars.israel: unknown key "timzone" (did you mean "timezone"?); '
        "expected one of: country, holidays, hours, subdivision, timezone",
    ),
    (
        "calendar without a zone",
        CALENDAR.replace('timezone = "Asia/Jerusalem"', "") + GOLD,
        'calendars.israel: missing key "timezone"',
    ),
    (
        "unknown time zone",
        CALENDAR.replace("Asia/Jerusalem", "Asia/Jerusalm") + GOLD,
        "calendars.israel: unknown time zone 'Asia/Jerusalm' "
        "(use an IANA name such as 'Asia/Jerusalem')",
    ),
    (
        "weekday misspelt",
        CALENDAR.replace("sunday", "sundy") + GOLD,
        'calendars.israel.hours: unknown key "sundy" (did you mean "sunday"?); expected one of: '
        "friday, monday, saturday, sunday, thursday, tuesday, wednesday",
    ),
    (
        "weekday in Hebrew",
        CALENDAR.replace("sunday", '"ראשון"') + GOLD,
        'calendars.israel.hours: unknown key "ראשון"; expected one of: '
        "friday, monday, saturday, sunday, thursday, tuesday, wednesday",
    ),
    (
        "hours not a list",
        CALENDAR.replace('["08:00-17:00"]', '"08:00-17:00"') + GOLD,
        'calendars.israel.hours.sunday: must be a list, not "08:00-17:00"',
    ),
    (
        "period not HH:MM-HH:MM",
        CALENDAR.replace('"08:00-17:00"', '"08:00-17:00", "8-17"') + GOLD,
        'calendars.israel.hours.sunday[2]: "8-17" is not a period; use "HH:MM-HH:MM"',
    ),
    (
        "period backwards (the calendar's error, placed)",
        CALENDAR.replace("08:00-17:00", "17:00-08:00") + GOLD,
        "calendars.israel: hours[6] (Sunday): start 17:00 is not before end 08:00",
    ),
    (
        "hour out of range (the calendar's error, placed)",
        CALENDAR.replace("17:00", "25:00") + GOLD,
        "calendars.israel: hours[6] (Sunday): '25:00' is not a time of day (00:00 to 24:00)",
    ),
    (
        "subdivision without a country",
        CALENDAR.replace("[calendars.israel.hours]", 'subdivision = "TA"\n[calendars.israel.hours]')
        + GOLD,
        "calendars.israel: subdivision 'TA' given without a country",
    ),
    (
        "holiday not a date",
        CALENDAR.replace(
            "[calendars.israel.hours]", 'holidays = ["31/12/2026"]\n[calendars.israel.hours]'
        )
        + GOLD,
        'calendars.israel.holidays[1]: "31/12/2026" is not a date; use e.g. 2026-12-31',
    ),
    (
        "holiday with a time",
        CALENDAR.replace(
            "[calendars.israel.hours]", "holidays = [2026-12-31T10:00:00]\n[calendars.israel.hours]"
        )
        + GOLD,
        'calendars.israel.holidays[1]: "2026-12-31 10:00:00" is not a date; use e.g. 2026-12-31',
    ),
    (
        "policy without a name",
        CALENDAR + '[[policies]]\ncalendar = "israel"\n',
        "policies[1]: needs a name (a non-empty string)",
    ),
    (
        "policy with a blank name",
        CALENDAR + '[[policies]]\nname = " "\n',
        "policies[1]: needs a name (a non-empty string)",
    ),
    (
        "policy key misspelt",
        CALENDAR + GOLD + "warn_percnt = 80\n",
        f'{GOLD_AT}: unknown key "warn_percnt" (did you mean "warn_percent"?); expected one of: '
        "calendar, escalations, match, name, pause_statuses, targets, warn_percent",
    ),
    (
        "policy without a calendar",
        CALENDAR + '[[policies]]\nname = "Gold"\n',
        f'{GOLD_AT}: missing key "calendar"',
    ),
    (
        "unknown calendar",
        CALENDAR + GOLD.replace('"israel"', '"isreal"'),
        f'{GOLD_AT}: calendar: unknown calendar "isreal" (did you mean "israel"?); '
        "expected one of: israel",
    ),
    (
        "no calendars at all",
        GOLD,
        f'{GOLD_AT}: calendar: unknown calendar "israel"; none is defined',
    ),
    (
        "calendar not a string",
        CALENDAR + GOLD.replace('"israel"', "1"),
        f"{GOLD_AT}: calendar: must be a non-empty string, not 1",
    ),
    (
        "warning at 100%",
        CALENDAR + GOLD + "warn_percent = 100\n",
        f"{GOLD_AT}: warn_percent: 100 is not between 1 and 99",
    ),
    (
        "warning at 0%",
        CALENDAR + GOLD + "warn_percent = 0\n",
        f"{GOLD_AT}: warn_percent: 0 is not between 1 and 99",
    ),
    (
        "warning as text",
        CALENDAR + GOLD + 'warn_percent = "75"\n',
        f'{GOLD_AT}: warn_percent: "75" is not a whole number',
    ),
    (
        "warning as a boolean",
        CALENDAR + GOLD + "warn_percent = true\n",
        f"{GOLD_AT}: warn_percent: true is not a whole number",
    ),
    (
        "unknown pause status",
        CALENDAR + GOLD + 'pause_statuses = ["waiting"]\n',
        f'{GOLD_AT}: pause_statuses: unknown value "waiting"; '
        "one of: new, open, pending, on_hold, solved, closed",
    ),
    (
        "solved as a pause status",
        CALENDAR + GOLD + 'pause_statuses = ["pending", "solved"]\n',
        f'{GOLD_AT}: pause_statuses: "solved" stops the clocks; it cannot pause them',
    ),
    (
        "match key misspelt",
        CALENDAR + GOLD + "[policies.match]\nteir = ['gold']\n",
        f'{GOLD_AT}: match: unknown key "teir" (did you mean "tier"?); expected one of: '
        "channel, priority, product_category, queue, tier, warranty",
    ),
    (
        "unknown tier",
        CALENDAR + GOLD + "[policies.match]\ntier = ['gold', 'diamond']\n",
        f'{GOLD_AT}: match.tier: unknown value "diamond"; one of: standard, silver, gold, platinum',
    ),
    (
        "unknown warranty state",
        CALENDAR + GOLD + "[policies.match]\nwarranty = 'valid'\n",
        f'{GOLD_AT}: match.warranty: unknown value "valid"; '
        "one of: active, extended, expired, none",
    ),
    (
        "unknown channel",
        CALENDAR + GOLD + "[policies.match]\nchannel = ['fax']\n",
        f'{GOLD_AT}: match.channel: unknown value "fax"; '
        "one of: email, voice, sms, chat, web, api, iot",
    ),
    (
        "unknown priority in a match",
        CALENDAR + GOLD + "[policies.match]\npriority = ['critical']\n",
        f'{GOLD_AT}: match.priority: unknown value "critical"; one of: low, normal, high, urgent',
    ),
    (
        "empty match list",
        CALENDAR + GOLD + "[policies.match]\nwarranty = []\n",
        f"{GOLD_AT}: match.warranty: an empty list matches nothing; leave the key out to match any",
    ),
    (
        "match value not a list",
        CALENDAR + GOLD + "[policies.match]\ntier = 5\n",
        f"{GOLD_AT}: match.tier: must be a list, not 5",
    ),
    (
        "blank queue name",
        CALENDAR + GOLD + "[policies.match]\nqueue = ['']\n",
        f'{GOLD_AT}: match.queue: must be a non-empty string, not ""',
    ),
    (
        "match not a table",
        CALENDAR + GOLD + "match = 'gold'\n",
        f'{GOLD_AT}: match: must be a table, not "gold"',
    ),
    (
        "targets not a table",
        CALENDAR + GOLD + "targets = '4h'\n",
        f'{GOLD_AT}: targets: must be a table, not "4h"',
    ),
    (
        "unknown priority",
        CALENDAR + GOLD + "[policies.targets.critical]\nfirst_response = '1h'\n",
        f'{GOLD_AT}: targets: unknown key "critical"; expected one of: high, low, normal, urgent',
    ),
    (
        "unknown metric",
        CALENDAR + GOLD + "[policies.targets.urgent]\nfirst_reply = '1h'\n",
        f'{GOLD_AT}: targets.urgent: unknown key "first_reply" (did you mean "first_response"?); '
        "expected one of: first_response, next_response, resolution",
    ),
    (
        "priority without a target",
        CALENDAR + GOLD + "[policies.targets.urgent]\n",
        f"{GOLD_AT}: targets.urgent: no target given; leave the priority out to measure nothing",
    ),
    (
        "not a duration",
        CALENDAR + GOLD + "[policies.targets.urgent]\nfirst_response = '4x'\n",
        f'{GOLD_AT}: targets.urgent.first_response: "4x" is not a duration; '
        'use e.g. "90m", "4h", "1h30m"',
    ),
    (
        "a number, not a duration",
        CALENDAR + GOLD + "[policies.targets.urgent]\nfirst_response = 60\n",
        f"{GOLD_AT}: targets.urgent.first_response: 60 is not a duration; "
        'use e.g. "90m", "4h", "1h30m"',
    ),
    (
        "days",
        CALENDAR + GOLD + "[policies.targets.low]\nresolution = '2d'\n",
        f'{GOLD_AT}: targets.low.resolution: "2d": days are not a unit of business time '
        '(how long is a business day?); write hours, e.g. "16h" for two 8-hour days',
    ),
    (
        "zero",
        CALENDAR + GOLD + "[policies.targets.low]\nresolution = '0h'\n",
        f'{GOLD_AT}: targets.low.resolution: "0h" is zero; a target must be longer',
    ),
    (
        "empty duration",
        CALENDAR + GOLD + "[policies.targets.low]\nresolution = ''\n",
        f'{GOLD_AT}: targets.low.resolution: "" is not a duration; use e.g. "90m", "4h", "1h30m"',
    ),
    (
        "two policies, one name",
        CALENDAR + GOLD + GOLD,
        'policies[2] ("Gold"): the name is already used by policies[1]',
    ),
    (
        "a catch-all before the end",
        CALENDAR + GOLD + GOLD.replace("Gold", "Silver") + "[policies.match]\ntier = 'silver'\n",
        f"{GOLD_AT}: matches every ticket, so the policies after it would never apply; "
        "a catch-all policy must come last",
    ),
    (
        "escalations not a list",
        CALENDAR + GOLD + "escalations = 'breach'\n",
        f'{GOLD_AT}: escalations: must be a list, not "breach"',
    ),
    (
        "step not a table",
        CALENDAR + GOLD + "escalations = ['breach']\n",
        f'{GOLD_AT}: escalations[1]: must be a table, not "breach"',
    ),
    (
        "step without a time",
        step("notify = ['assignee']\n"),
        f'{GOLD_AT}: escalations[1]: missing key "at"',
    ),
    (
        "step key misspelt",
        step("at = 'breach'\nnotfy = ['assignee']\n"),
        f'{GOLD_AT}: escalations[1]: unknown key "notfy" (did you mean "notify"?); '
        "expected one of: at, metrics, move_to_queue, notify, raise_priority_to",
    ),
    (
        "step time unknown",
        step("at = 'late'\nnotify = ['assignee']\n"),
        f'{GOLD_AT}: escalations[1].at: "late" is not a step time; '
        'use "warn", "breach" or "breach+<duration>" such as "breach+2h"',
    ),
    (
        "a time after the warning",
        step("at = 'warn+1h'\nnotify = ['assignee']\n"),
        f'{GOLD_AT}: escalations[1].at: "warn+1h" is not a step time; '
        'use "warn", "breach" or "breach+<duration>" such as "breach+2h"',
    ),
    (
        "step after a bad duration",
        step("at = 'breach+2x'\nnotify = ['assignee']\n"),
        f'{GOLD_AT}: escalations[1].at: "2x" is not a duration; use e.g. "90m", "4h", "1h30m"',
    ),
    (
        "step for an unknown metric",
        step("at = 'breach'\nmetrics = ['speed']\nnotify = ['assignee']\n"),
        f'{GOLD_AT}: escalations[1].metrics: unknown value "speed"; '
        "one of: first_response, next_response, resolution",
    ),
    (
        "notify whom?",
        step("at = 'breach'\nnotify = ['assignee', 'boss']\n"),
        f'{GOLD_AT}: escalations[1].notify[2]: "boss": '
        'notify "assignee", "supervisors" or "team:<team name>"',
    ),
    (
        "a team without a name",
        step("at = 'breach'\nnotify = ['team: ']\n"),
        f'{GOLD_AT}: escalations[1].notify[1]: "team: ": '
        'notify "assignee", "supervisors" or "team:<team name>"',
    ),
    (
        "raise to an unknown priority",
        step("at = 'breach'\nraise_priority_to = 'critical'\n"),
        f'{GOLD_AT}: escalations[1].raise_priority_to: unknown value "critical"; '
        "one of: low, normal, high, urgent",
    ),
    (
        "move to a blank queue",
        step("at = 'breach'\nmove_to_queue = ''\n"),
        f'{GOLD_AT}: escalations[1].move_to_queue: must be a non-empty string, not ""',
    ),
    (
        "a step that does nothing",
        step("at = 'breach+1h'\n"),
        f"{GOLD_AT}: escalations[1]: does nothing; "
        "give notify, raise_priority_to or move_to_queue (or remove it)",
    ),
]


@pytest.mark.parametrize(("text", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_policies(text)
    if message.endswith(": "):
        assert str(caught.value).startswith(message)
    else:
        assert str(caught.value) == message


def test_unknown_holiday_country() -> None:
    text = CALENDAR.replace("[calendars.israel.hours]", 'country = "XX"\n[calendars.israel.hours]')
    with pytest.raises(ConfigError) as caught:
        load_policies(text + GOLD)
    assert caught.value.where == "calendars.israel"
    assert caught.value.problem.startswith("unknown holiday country or subdivision: ")


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sla.toml"
    path.write_text(CALENDAR + GOLD + "warn_percent = 100\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policies_file(path)
    assert str(caught.value) == f"{path}: {GOLD_AT}: warn_percent: 100 is not between 1 and 99"
    assert caught.value.where == f"{path}: {GOLD_AT}: warn_percent"

    path.write_text("policies = [", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sla\.toml: not valid TOML: "):
        load_policies_file(str(path))

    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match=r"sla\.toml: not UTF-8 text: "):
        load_policies_file(path)
