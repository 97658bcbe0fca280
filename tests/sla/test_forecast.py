"""Erlang C forecast: checked against an independent computation of the textbook
formula, not against numbers copied from somewhere.

The reference below is the closed form every textbook prints,

    C(N, A) = (A^N / N! · N / (N - A)) / (Σ_{k<N} A^k / k! + A^N / N! · N / (N - A)),

evaluated in exact fractions (small loads) or in log space (large ones), so it
shares nothing with the module's Erlang B recurrence. The scenarios use the
inputs of two widely published worked examples: Call Centre Helper's "Erlang C
formula made simple" (100 calls per half hour, 3-minute handle time, 80% within
20 s: 10 erlangs) and Westbay Engineers' "The Erlang-C formula" (360 calls per
half hour, 4-minute calls, 55 agents, 15 s target: 48 erlangs).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from sla.forecast import (
    Forecast,
    agents_needed,
    average_speed_of_answer,
    blended_rate,
    erlang_b,
    erlang_c,
    forecast,
    occupancy,
    service_level,
    traffic,
)


def reference_c(load: Fraction, agents: int) -> Fraction:
    """The factorial form, exactly."""
    top = load**agents / math.factorial(agents) * Fraction(agents) / (agents - load)
    below = sum(load**k / math.factorial(k) for k in range(agents))
    return top / (below + top)


def reference_c_logspace(load: float, agents: int) -> float:
    """The same form in logarithms, for loads whose powers overflow a float."""
    logs = [k * math.log(load) - math.lgamma(k + 1) for k in range(agents)]
    top = agents * math.log(load) - math.lgamma(agents + 1) + math.log(agents / (agents - load))
    peak = max([*logs, top])
    total = sum(math.exp(x - peak) for x in logs) + math.exp(top - peak)
    return math.exp(top - peak) / total


def reference_service_level(c: float, load: float, agents: int, handle: float, t: float) -> float:
    return 1 - c * math.exp(-(agents - load) * t / handle)


def reference_needed(load: Fraction, handle: float, target: float, t: float) -> int:
    agents = math.floor(load) + 1
    while True:
        c = float(reference_c(load, agents))
        if reference_service_level(c, float(load), agents, handle, t) >= target:
            return agents
        agents += 1


# (scenario, calls per hour, handle seconds, agents, target, target seconds)
SCENARIOS = [
    ("call centre helper, 11 agents", 200, 180, 11, 0.8, 20),
    ("call centre helper, 12 agents", 200, 180, 12, 0.8, 20),
    ("call centre helper, 13 agents", 200, 180, 13, 0.8, 20),
    ("call centre helper, 14 agents", 200, 180, 14, 0.8, 20),
    ("westbay, 55 agents", 720, 240, 55, 0.8, 15),
    ("one agent, light load", 6, 300, 1, 0.9, 60),
    ("small chat queue", 30, 420, 5, 0.8, 30),
    ("strict target, answered at once", 120, 90, 6, 0.95, 0),
]


@pytest.mark.parametrize(
    ("calls", "handle", "agents", "target", "within"),
    [s[1:] for s in SCENARIOS],
    ids=[s[0] for s in SCENARIOS],
)
def test_matches_the_factorial_form(
    calls: int, handle: int, agents: int, target: float, within: int
) -> None:
    load = Fraction(calls * handle, 3600)
    c = float(reference_c(load, agents))
    result = forecast(calls, handle, agents, target, within)
    assert result.traffic == pytest.approx(float(load), rel=1e-12)
    assert result.probability_wait == pytest.approx(c, rel=1e-12)
    assert result.average_speed_of_answer == pytest.approx(
        c * handle / (agents - float(load)), rel=1e-12
    )
    expected_level = reference_service_level(c, float(load), agents, handle, within)
    assert result.service_level == pytest.approx(expected_level, rel=1e-12)
    assert result.occupancy == pytest.approx(float(load) / agents, rel=1e-12)
    assert result.agents_needed == reference_needed(load, handle, target, within)
    assert result.meets_target == (expected_level >= target)
    assert result.stable


def test_call_centre_helper_example_in_round_figures() -> None:
    """The worked example as such pages print it: 10 erlangs; at 11 agents two calls
    in three wait, two minutes on average, 39% answered within 20 s; 14 agents are
    the fewest that reach 80%."""
    eleven = forecast(200, 180, 11, 0.8, 20)
    assert eleven.traffic == pytest.approx(10.0)
    assert round(eleven.probability_wait, 4) == 0.6821
    assert round(eleven.average_speed_of_answer, 1) == 122.8
    assert round(eleven.service_level, 3) == 0.390
    assert eleven.agents_needed == 14
    assert round(forecast(200, 180, 13, 0.8, 20).service_level, 4) == 0.7956  # just short
    assert round(forecast(200, 180, 14, 0.8, 20).service_level, 4) == 0.8884
    assert not eleven.meets_target


def test_westbay_example_in_round_figures() -> None:
    """48 erlangs on 55 agents: about one call in four waits, 8.2 s on average, and
    84.6% are answered within 15 s."""
    result = forecast(720, 240, 55, 0.8, 15)
    assert result.traffic == pytest.approx(48.0)
    assert round(result.probability_wait, 4) == 0.2387
    assert round(result.average_speed_of_answer, 1) == 8.2
    assert round(result.service_level, 3) == 0.846
    assert round(result.occupancy, 4) == round(48 / 55, 4)


LARGE = [
    ("a thousand erlangs", 1000.0, 1050),
    ("a thousand erlangs, barely staffed", 1000.0, 1001),
    ("four hundred erlangs", 400.0, 430),
]


@pytest.mark.parametrize(("load", "agents"), [s[1:] for s in LARGE], ids=[s[0] for s in LARGE])
def test_large_loads_stay_finite(load: float, agents: int) -> None:
    """1000.0 ** 1050 overflows a float and 1050! does not fit one: the recurrence
    needs neither."""
    with pytest.raises(OverflowError):
        _ = load**agents
    c = erlang_c(load, agents)
    assert 0.0 < c < 1.0
    assert c == pytest.approx(reference_c_logspace(load, agents), rel=1e-9)
    assert 0.0 < erlang_b(load, agents) < c


def test_erlang_b_of_one_server_is_the_textbook_ratio() -> None:
    # B(1, A) = A / (1 + A); B(0, A) = 1 (no server: everyone is blocked)
    assert erlang_b(3.0, 1) == pytest.approx(0.75)
    assert erlang_b(3.0, 0) == 1.0
    assert erlang_b(3.0, -2) == 1.0


# (scenario, calls, handle, agents) → everything answered at once, nothing waits
IDLE = [
    ("no arrivals", 0, 180, 3),
    ("no arrivals and nobody staffed", 0, 180, 0),
    ("no handle time", 50, 0, 2),
    ("negative arrivals", -5, 180, 2),
    ("not a number", math.nan, 180, 2),
    ("infinite handle time", 10, math.inf, 2),
]


@pytest.mark.parametrize(
    ("calls", "handle", "agents"), [s[1:] for s in IDLE], ids=[s[0] for s in IDLE]
)
def test_no_load_means_no_wait(calls: float, handle: float, agents: int) -> None:
    result = forecast(calls, handle, agents, 0.8, 20)
    assert result.traffic == 0.0
    assert (result.probability_wait, result.average_speed_of_answer) == (0.0, 0.0)
    assert result.service_level == 1.0
    assert result.occupancy == 0.0
    assert result.agents_needed == 0
    assert result.stable
    assert result.meets_target


# (scenario, calls, handle, agents): the queue grows without end
UNSTABLE = [
    ("nobody staffed", 10, 180, 0),
    ("load equals the agents", 40, 180, 2),
    ("load above the agents", 200, 180, 5),
    ("negative staffing", 10, 180, -1),
]


@pytest.mark.parametrize(
    ("calls", "handle", "agents"), [s[1:] for s in UNSTABLE], ids=[s[0] for s in UNSTABLE]
)
def test_unstable_queues_wait_forever(calls: int, handle: int, agents: int) -> None:
    result = forecast(calls, handle, agents, 0.8, 20)
    assert result.probability_wait == 1.0
    assert result.average_speed_of_answer == math.inf
    assert result.service_level == 0.0
    assert result.occupancy == 1.0
    assert result.agents == max(agents, 0)
    assert not result.stable
    assert not result.meets_target
    assert result.agents_needed > result.traffic  # a staffing that does cope exists


def test_agents_needed_is_the_smallest_that_reaches_the_target() -> None:
    load = traffic(200, 180)
    needed = agents_needed(load, 180, 0.8, 20)
    assert service_level(load, needed, 180, 20) >= 0.8
    assert service_level(load, needed - 1, 180, 20) < 0.8


# (scenario, target, target seconds, expected agents) at 10 erlangs, 180 s
TARGETS = [
    ("no target: just stable", 0.0, 20, 11),
    ("target above 100% is 100%", 1.5, 20, agents_needed(10.0, 180, 1.0, 20)),
    ("negative seconds count as zero", 0.8, -30, agents_needed(10.0, 180, 0.8, 0)),
    ("everyone at once", 1.0, 0, agents_needed(10.0, 180, 1.0, 0)),
]


@pytest.mark.parametrize(
    ("target", "within", "expected"), [s[1:] for s in TARGETS], ids=[s[0] for s in TARGETS]
)
def test_targets_at_the_edges(target: float, within: float, expected: int) -> None:
    assert agents_needed(10.0, 180, target, within) == expected
    assert expected > 10


def test_a_perfect_target_is_reached_and_reported() -> None:
    result = forecast(200, 180, 60, 1.0, 0)
    assert result.agents_needed <= 60
    assert result.service_level == 1.0
    assert result.meets_target
    assert result.target == 1.0


def test_occupancy_is_capped_and_zero_staffing_without_load_is_idle() -> None:
    assert occupancy(12.0, 10) == 1.0
    assert occupancy(5.0, 10) == 0.5
    assert occupancy(0.0, 0) == 0.0
    assert occupancy(2.0, 0) == 1.0


def test_service_level_and_wait_without_handle_time() -> None:
    assert service_level(5.0, 3, 0, 20) == 1.0
    assert average_speed_of_answer(0.0, 0, 180) == 0.0


def test_forecast_keeps_its_inputs() -> None:
    assert forecast(30, 240, 3, 0.9, 30) == Forecast(
        arrivals_per_hour=30,
        handle_seconds=240,
        agents=3,
        traffic=2.0,
        probability_wait=erlang_c(2.0, 3),
        average_speed_of_answer=average_speed_of_answer(2.0, 3, 240),
        service_level=service_level(2.0, 3, 240, 30),
        occupancy=2 / 3,
        target=0.9,
        target_seconds=30,
        agents_needed=agents_needed(2.0, 240, 0.9, 30),
    )


# (scenario, last hour, same hour of earlier weeks, expected arrivals per hour)
RATES = [
    ("new queue: the last hour only", 12, [], 12.0),
    ("quiet today, busy hour ahead", 4, [20, 24, 16, 20], 12.0),
    ("a surge today", 40, [10, 10, 10, 10], 25.0),
    ("two weeks of history", 6, [10, 14], 9.0),
    ("nothing at all", 0, [0, 0, 0, 0], 0.0),
    ("negative counts are none", -3, [-1, 8], 2.0),
]


@pytest.mark.parametrize(
    ("last", "before", "expected"), [s[1:] for s in RATES], ids=[s[0] for s in RATES]
)
def test_blended_rate(last: int, before: list[int], expected: float) -> None:
    assert blended_rate(last, before) == pytest.approx(expected)
