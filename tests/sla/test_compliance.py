"""Compliance counts for reports and simulations, and the simulation's replay."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sla.calendar import BusinessCalendar
from sla.compliance import Compliance, compliance
from sla.policy import (
    ClockState,
    HistoryEvent,
    Match,
    Policy,
    PolicySet,
    Targets,
    TicketFacts,
    TicketHistory,
)
from sla.simulate import ReplayTicket, SimulationRow, simulate

H = timedelta(hours=1)
T0 = datetime(2026, 3, 1, 6, tzinfo=UTC)  # Sunday 08:00 in Jerusalem
CLOCK = ClockState("first_response", H, "running", T0, timedelta(0), T0 + H, T0)


def clock(state: str, metric: str = "first_response") -> ClockState:
    return replace(CLOCK, state=state, metric=metric)  # type: ignore[arg-type]


def test_counts_per_group_and_metric() -> None:
    pairs = [
        ("Gold", clock("met")),
        ("Gold", clock("met")),
        ("Gold", clock("breached")),
        ("Gold", clock("running")),
        ("Gold", clock("paused", "resolution")),
        ("Standard", clock("breached")),
        ("Gold", clock("met", "next_response")),
        ("Gold", clock("met", "next_response")),  # every cycle counts
    ]
    result = compliance(pairs)
    assert list(result) == [
        ("Gold", "first_response"),
        ("Gold", "resolution"),
        ("Standard", "first_response"),
        ("Gold", "next_response"),
    ]
    gold = result[("Gold", "first_response")]
    assert gold == Compliance(met=2, breached=1, running=1, paused=0)
    assert (gold.decided, gold.total, gold.share_met) == (3, 4, 2 / 3)
    assert result[("Gold", "resolution")].share_met is None  # nothing decided yet
    assert result[("Standard", "first_response")].share_met == 0.0
    assert result[("Gold", "next_response")] == Compliance(met=2)
    assert gold + result[("Standard", "first_response")] == Compliance(2, 2, 1, 0)


def test_no_clocks_no_rows() -> None:
    assert compliance([]) == {}


ISRAEL = BusinessCalendar("Asia/Jerusalem", {day: [("08:00", "17:00")] for day in (6, 0, 1, 2, 3)})
PROPOSED = PolicySet(
    calendars={"israel": ISRAEL},
    policies=(
        Policy(
            "Gold",
            "israel",
            Match(tier=frozenset({"gold"})),
            {"normal": Targets(first_response=H)},
        ),
        Policy(
            "Silver",
            "israel",
            Match(tier=frozenset({"silver"})),
            {"normal": Targets(first_response=4 * H)},
        ),
    ),
)


def ticket(tier: str, answer_after: timedelta, actual: str) -> ReplayTicket:
    facts = TicketFacts(warranty="active", tier=tier, priority="normal", channel="email")
    history = TicketHistory(T0, (HistoryEvent(T0 + answer_after, "agent_reply"),))
    return ReplayTicket(facts, history, "normal", (clock(actual),))


def test_simulate_beside_the_real_outcome() -> None:
    tickets = [
        ticket("gold", timedelta(minutes=30), "met"),
        ticket("gold", 2 * H, "met"),  # met under the old 4h target, breached under 1h
        ticket("standard", 2 * H, "breached"),  # no proposed policy
    ]
    rows = simulate(PROPOSED, tickets, T0 + 8 * H)
    assert rows == [
        SimulationRow("Gold", "first_response", Compliance(met=1, breached=1), Compliance(met=2)),
        SimulationRow(None, "first_response", Compliance(), Compliance(breached=1)),
    ]
