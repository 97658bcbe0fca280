"""Policies as plain data: first match wins, durations written back, step keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sla.calendar import BusinessCalendar
from sla.policy import (
    EscalationStep,
    Match,
    Policy,
    PolicySet,
    Targets,
    TicketFacts,
    format_duration,
    policy_for,
)

ISRAEL = BusinessCalendar("Asia/Jerusalem", {6: [("08:00", "17:00")]})


def policy(name: str, match: Match) -> Policy:
    return Policy(name=name, calendar="israel", match=match, targets={})


POLICIES = PolicySet(
    calendars={"israel": ISRAEL},
    policies=(
        policy("US desk", Match(queue=frozenset({"US support"}))),
        policy(
            "Gold, active warranty",
            Match(warranty=frozenset({"active", "extended"}), tier=frozenset({"gold", "platinum"})),
        ),
        policy("Standard, active warranty", Match(warranty=frozenset({"active", "extended"}))),
        policy("Expired warranty", Match(warranty=frozenset({"expired"}))),
        policy(
            "Urgent calls about fridges",
            Match(
                priority=frozenset({"urgent"}),
                channel=frozenset({"voice"}),
                product_category=frozenset({"fridge"}),
            ),
        ),
    ),
)


def facts(**overrides: str | None) -> TicketFacts:
    values: dict[str, str | None] = {
        "warranty": "none",
        "tier": "standard",
        "priority": "normal",
        "channel": "email",
    }
    values.update(overrides)
    return TicketFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ticket", "expected"),
    [
        (facts(queue="US support", tier="gold", warranty="active"), "US desk"),
        (facts(tier="gold", warranty="active"), "Gold, active warranty"),
        (facts(tier="platinum", warranty="extended"), "Gold, active warranty"),
        (facts(tier="silver", warranty="active"), "Standard, active warranty"),
        (facts(tier="gold", warranty="expired"), "Expired warranty"),
        (
            facts(priority="urgent", channel="voice", product_category="fridge"),
            "Urgent calls about fridges",
        ),
        (facts(priority="urgent", channel="voice", product_category="oven"), None),
        (facts(priority="urgent", channel="voice"), None),  # no category matches only "any"
        (facts(queue="Billing"), None),
    ],
    ids=[
        "the first match wins (queue before tier)",
        "gold, active",
        "platinum, extended",
        "silver falls through to standard",
        "expired beats tier",
        "priority, channel and category",
        "another category",
        "no category",
        "nothing matches",
    ],
)
def test_first_match_wins(ticket: TicketFacts, expected: str | None) -> None:
    found = policy_for(POLICIES, ticket)
    assert (found.name if found else None) == expected
    assert POLICIES.policy_for(ticket) is found


def test_calendar_of() -> None:
    assert POLICIES.calendar_of(POLICIES.policies[0]) is ISRAEL


def test_catch_all() -> None:
    assert Match().is_catch_all
    assert not Match(tier=frozenset({"gold"})).is_catch_all
    assert Match().matches(facts(queue="anything", product_category="anything"))


def test_targets_by_metric() -> None:
    targets = Targets(first_response=timedelta(hours=1), resolution=timedelta(hours=8))
    assert targets.of("first_response") == timedelta(hours=1)
    assert targets.of("next_response") is None
    assert targets.of("resolution") == timedelta(hours=8)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(hours=4), "4h"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(seconds=90), "1m30s"),
        (timedelta(days=2), "48h"),
        (timedelta(hours=1, seconds=5), "1h5s"),
        (timedelta(0), "0m"),
    ],
)
def test_format_duration(value: timedelta, text: str) -> None:
    assert format_duration(value) == text


@pytest.mark.parametrize(
    ("value", "problem"),
    [(timedelta(seconds=-1), "negative"), (timedelta(microseconds=5), "whole number of seconds")],
)
def test_format_duration_refuses(value: timedelta, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        format_duration(value)


def test_step_at_and_keys() -> None:
    steps = (
        EscalationStep("warn", notify=("assignee",)),
        EscalationStep("breach", notify=("supervisors",)),
        EscalationStep("breach", timedelta(hours=2), raise_priority_to="urgent"),
        EscalationStep("breach", timedelta(hours=2), notify=("team:Tier 2",)),
        EscalationStep("breach", timedelta(minutes=90), metrics=frozenset({"resolution"})),
    )
    ladder = Policy("p", "israel", Match(), {}, escalations=steps)
    assert [step.at for step in steps] == [
        "warn",
        "breach",
        "breach+2h",
        "breach+2h",
        "breach+1h30m",
    ]
    assert ladder.escalation_keys == (
        "warn#1",
        "breach#1",
        "breach+2h#1",
        "breach+2h#2",
        "breach+1h30m#1",
    )
    assert steps[0].applies_to("next_response")
    assert steps[4].applies_to("resolution")
    assert not steps[4].applies_to("first_response")
