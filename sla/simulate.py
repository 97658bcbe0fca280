"""`servicedesk sla simulate`, the pure part: replay tickets' histories under a
proposed policy set and set its compliance beside the real one.

Each ticket is grouped under the proposed policy that matches it (None when
none does); its real clocks — what the desk recorded under the policies then
active — are counted in the same group, so each row compares the same tickets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sla.clock import evaluate
from sla.compliance import Compliance, compliance
from sla.policy import METRICS, ClockState, Metric, PolicySet, TicketFacts, TicketHistory


@dataclass(frozen=True)
class ReplayTicket:
    facts: TicketFacts  # as the proposed policies would see them (warranty on creation day)
    history: TicketHistory
    priority: str  # the ticket's current priority: its targets apply to the whole history
    actual: tuple[ClockState, ...] = ()  # the clocks the desk has for it


@dataclass(frozen=True)
class SimulationRow:
    policy: str | None  # the proposed policy's name; None: no proposed policy matched
    metric: Metric
    proposed: Compliance
    actual: Compliance


def simulate(
    policy_set: PolicySet, tickets: Iterable[ReplayTicket], now: datetime
) -> list[SimulationRow]:
    """One row per proposed policy (in file order, then None) and metric (in metric
    order) that has a clock either way."""
    proposed: list[tuple[str | None, ClockState]] = []
    actual: list[tuple[str | None, ClockState]] = []
    for ticket in tickets:
        policy = policy_set.policy_for(ticket.facts)
        if policy is None:
            group = None
        else:
            group = policy.name
            calendar = policy_set.calendars[policy.calendar]
            for clock in evaluate(policy, calendar, ticket.history, ticket.priority, now):
                proposed.append((group, clock))
        actual.extend((group, clock) for clock in ticket.actual)
    counted_proposed, counted_actual = compliance(proposed), compliance(actual)
    groups = [policy.name for policy in policy_set.policies] + [None]
    empty = Compliance()
    rows = []
    for group in groups:
        for metric in METRICS:
            key = (group, metric)
            if key in counted_proposed or key in counted_actual:
                rows.append(
                    SimulationRow(
                        group,
                        metric,
                        counted_proposed.get(key, empty),
                        counted_actual.get(key, empty),
                    )
                )
    return rows
