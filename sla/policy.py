"""What is owed on a ticket and when: policies as plain data, matched first-wins.

`sla` knows no database and no enums of the desk: statuses, priorities, tiers,
channels and warranty states are the strings the desk stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Literal

from sla.calendar import BusinessCalendar

Metric = Literal["first_response", "next_response", "resolution"]
METRICS: tuple[Metric, ...] = ("first_response", "next_response", "resolution")
PRIORITIES = ("low", "normal", "high", "urgent")  # lowest first
WARRANTY_STATES = ("active", "extended", "expired", "none")
TIERS = ("standard", "silver", "gold", "platinum")
CHANNELS = ("email", "voice", "sms", "chat", "web", "api", "iot")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
DONE_STATUSES = frozenset({"solved", "closed"})  # stop the clocks; never a pause status
DEFAULT_PAUSE_STATUSES = frozenset({"pending", "on_hold"})


@dataclass(frozen=True)
class TicketFacts:
    """What a policy matches on. `warranty` is the asset's state on the ticket's
    creation date ("none" without an asset)."""

    warranty: str
    tier: str
    priority: str
    channel: str
    product_category: str | None = None
    queue: str | None = None


@dataclass(frozen=True)
class Match:
    """Each field: the values that match, or None for any."""

    warranty: frozenset[str] | None = None
    tier: frozenset[str] | None = None
    priority: frozenset[str] | None = None
    channel: frozenset[str] | None = None
    product_category: frozenset[str] | None = None
    queue: frozenset[str] | None = None

    def matches(self, facts: TicketFacts) -> bool:
        """Every field given holds (a missing category or queue matches only None)."""
        return (
            (self.warranty is None or facts.warranty in self.warranty)
            and (self.tier is None or facts.tier in self.tier)
            and (self.priority is None or facts.priority in self.priority)
            and (self.channel is None or facts.channel in self.channel)
            and (self.product_category is None or facts.product_category in self.product_category)
            and (self.queue is None or facts.queue in self.queue)
        )

    @property
    def is_catch_all(self) -> bool:
        return self == CATCH_ALL


CATCH_ALL = Match()


@dataclass(frozen=True)
class Targets:
    """Business time owed per metric, for one priority; None: not measured."""

    first_response: timedelta | None = None
    next_response: timedelta | None = None
    resolution: timedelta | None = None

    def of(self, metric: Metric) -> timedelta | None:
        if metric == "first_response":
            return self.first_response
        if metric == "next_response":
            return self.next_response
        return self.resolution


@dataclass(frozen=True)
class EscalationStep:
    """One rung of the ladder: fires at the warning, at the breach, or a wall-clock
    `after` past the breach ("breach+2h"), once per clock."""

    trigger: Literal["warn", "breach"]
    after: timedelta = timedelta(0)
    metrics: frozenset[Metric] | None = None  # None: every metric
    notify: tuple[str, ...] = ()  # "assignee", "supervisors", "team:<name>"
    raise_priority_to: str | None = None  # raise to at least this priority
    move_to_queue: str | None = None

    @property
    def at(self) -> str:
        """As the policy file writes it: "warn", "breach" or "breach+2h"."""
        if not self.after:
            return self.trigger
        return f"{self.trigger}+{format_duration(self.after)}"

    def applies_to(self, metric: Metric) -> bool:
        return self.metrics is None or metric in self.metrics


@dataclass(frozen=True)
class Policy:
    name: str
    calendar: str  # a calendar name in the PolicySet
    match: Match
    targets: Mapping[str, Targets]  # by priority
    pause_statuses: frozenset[str] = DEFAULT_PAUSE_STATUSES
    warn_percent: int = 75  # the warning falls at this share of each target
    escalations: tuple[EscalationStep, ...] = ()

    @cached_property
    def escalation_keys(self) -> tuple[str, ...]:
        """A stable key per step, in ladder order: its `at` and its rank among the
        steps with the same `at` ("warn#1", "breach+2h#1", "breach+2h#2"), so
        adding a step at another instant does not rename the others."""
        seen: dict[str, int] = {}
        keys = []
        for step in self.escalations:
            at = step.at
            seen[at] = seen.get(at, 0) + 1
            keys.append(f"{at}#{seen[at]}")
        return tuple(keys)


@dataclass(frozen=True)
class PolicySet:
    """Calendars and policies loaded together; `version` identifies the content."""

    calendars: Mapping[str, BusinessCalendar]
    policies: tuple[Policy, ...]
    version: str = ""

    def policy_for(self, facts: TicketFacts) -> Policy | None:
        return policy_for(self, facts)

    def calendar_of(self, policy: Policy) -> BusinessCalendar:
        return self.calendars[policy.calendar]


def policy_for(policy_set: PolicySet, facts: TicketFacts) -> Policy | None:
    """The first policy whose match holds for the ticket, or None."""
    for policy in policy_set.policies:
        if policy.match.matches(facts):
            return policy
    return None


def format_duration(value: timedelta) -> str:
    """A duration as the policy file writes it: "1h30m", "45m", "90s", "0m"."""
    total = value // timedelta(microseconds=1)
    if total < 0:
        raise ValueError(f"{value} is negative")
    seconds, micros = divmod(total, 1_000_000)
    if micros:
        raise ValueError(f"{value} is not a whole number of seconds")
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    text += f"{seconds}s" if seconds else ""
    return text or "0m"


# ---- a ticket's history and its clocks -------------------------------------------

HistoryKind = Literal["status", "agent_reply", "customer_message"]


@dataclass(frozen=True)
class HistoryEvent:
    """`agent_reply`: a public answer by the desk on any channel (an answered call
    too); `customer_message`: the customer wrote; `status`: the status became
    `status`."""

    at: datetime
    kind: HistoryKind
    status: str | None = None


@dataclass(frozen=True)
class TicketHistory:
    created_at: datetime
    events: tuple[HistoryEvent, ...] = ()  # in time order
    initial_status: str = "new"


ClockStatus = Literal["running", "paused", "met", "breached"]
StopReason = Literal["reply", "solved"]


@dataclass(frozen=True)
class ClockState:
    metric: Metric
    target: timedelta
    state: ClockStatus
    started_at: datetime
    elapsed: timedelta  # business time counted, up to `now` or to the stop
    # When the target is (or was) reached if the clock runs on: None while paused,
    # since it moves; for a met clock, the deadline it beat.
    due_at: datetime | None
    warn_at: datetime | None
    breached_at: datetime | None = None  # the instant the target was reached
    stopped_at: datetime | None = None  # met (or stopped after a breach)
    cycle: int = 1  # next_response: one clock per customer turn
    # What stopped it: an agent's public answer, or the ticket becoming solved/closed
    # (the only stop for resolution; a response clock stopped so got no answer).
    stopped_by: StopReason | None = None
