"""Erlang C: how a queue will fare with so many contacts, so long a handle time and
so many agents.

The model is M/M/N: arrivals are a Poisson stream at a steady rate, handle times
are exponential, N agents answer in arrival order and nobody hangs up. Real
callers do hang up, so real waits are shorter than these: read the figures as
the pessimistic side of the truth. Traffic `A` (erlangs) is arrivals per second
times the average handle time; the queue is stable only while `A < N`.

Everything here is a pure function of its arguments: no clock, no database. Bad
input never raises: a negative, NaN or infinite amount counts as zero (no
arrivals, no agents), and an unstable queue answers with an infinite wait and a
service level of zero.

Erlang B is computed by its recurrence, B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)),
which stays within [0, 1] for any load (no factorials, no overflow); Erlang C
follows from it: C = N·B / (N - A·(1 - B)).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Forecast:
    """One queue over one period, at a given staffing."""

    arrivals_per_hour: float
    handle_seconds: float
    agents: int
    traffic: float  # offered load in erlangs
    probability_wait: float  # share of contacts that wait at all (0..1)
    average_speed_of_answer: float  # mean wait of every contact, seconds (inf: unstable)
    service_level: float  # share answered within `target_seconds` (0..1)
    occupancy: float  # share of the agents' time spent handling (0..1)
    target: float  # the service level wanted (0..1)
    target_seconds: float
    agents_needed: int  # the fewest agents whose service level reaches `target`

    @property
    def stable(self) -> bool:
        return self.traffic < self.agents or self.traffic == 0

    @property
    def meets_target(self) -> bool:
        return self.service_level >= self.target


def _amount(value: float) -> float:
    """A finite amount not below zero; anything else counts as none."""
    return value if math.isfinite(value) and value > 0 else 0.0


def traffic(arrivals_per_hour: float, handle_seconds: float) -> float:
    """Offered load in erlangs: the agents it would keep busy full time."""
    return _amount(arrivals_per_hour) * _amount(handle_seconds) / SECONDS_PER_HOUR


def erlang_b(load: float, agents: int) -> float:
    """Blocking probability of `agents` servers without a queue (Erlang B)."""
    load = _amount(load)
    blocked = 1.0
    for n in range(1, max(agents, 0) + 1):
        blocked = load * blocked / (n + load * blocked)
    return blocked


def _erlang_c_from_b(load: float, agents: int, blocked: float) -> float:
    return agents * blocked / (agents - load * (1.0 - blocked))


def erlang_c(load: float, agents: int) -> float:
    """Probability that a contact waits (Erlang C); 1 when the queue is unstable."""
    load = _amount(load)
    if load == 0:
        return 0.0
    if load >= agents:
        return 1.0
    return _erlang_c_from_b(load, agents, erlang_b(load, agents))


def average_speed_of_answer(load: float, agents: int, handle_seconds: float) -> float:
    """Mean wait over all contacts (those answered at once count as zero), seconds."""
    load = _amount(load)
    if load == 0:
        return 0.0
    if load >= agents:
        return math.inf
    return erlang_c(load, agents) * _amount(handle_seconds) / (agents - load)


def _service_level(load: float, agents: int, handle: float, within: float, waits: float) -> float:
    # Conditional on waiting, the wait is exponential with rate (N - A) / handle time.
    return 1.0 - waits * math.exp(-(agents - load) * within / handle)


def service_level(load: float, agents: int, handle_seconds: float, within_seconds: float) -> float:
    """Share of contacts answered within `within_seconds` (0 when unstable)."""
    load, handle = _amount(load), _amount(handle_seconds)
    if load == 0 or handle == 0:
        return 1.0
    if load >= agents:
        return 0.0
    return _service_level(load, agents, handle, _amount(within_seconds), erlang_c(load, agents))


def occupancy(load: float, agents: int) -> float:
    """Share of the agents' time spent handling: A / N, at most 1 (no agents and some
    load: 1, overloaded)."""
    load = _amount(load)
    if agents <= 0:
        return 1.0 if load > 0 else 0.0
    return min(load / agents, 1.0)


def agents_needed(load: float, handle_seconds: float, target: float, within_seconds: float) -> int:
    """The fewest agents answering `target` (0..1) of the contacts within
    `within_seconds`. Erlang B is carried from one staffing to the next, so the
    search costs one step per agent."""
    load, handle = _amount(load), _amount(handle_seconds)
    if load == 0 or handle == 0:
        return 0
    wanted = min(_amount(target), 1.0)
    within = _amount(within_seconds)
    blocked = 1.0
    agents = 0
    while True:
        agents += 1
        blocked = load * blocked / (agents + load * blocked)
        if load >= agents:
            continue
        waits = _erlang_c_from_b(load, agents, blocked)
        if _service_level(load, agents, handle, within, waits) >= wanted:
            return agents


def forecast(
    arrivals_per_hour: float,
    handle_seconds: float,
    agents: int,
    target: float,
    target_seconds: float,
) -> Forecast:
    """Every figure of the queue at this staffing, and the staffing the target needs."""
    load = traffic(arrivals_per_hour, handle_seconds)
    staffed = max(agents, 0)
    return Forecast(
        arrivals_per_hour=_amount(arrivals_per_hour),
        handle_seconds=_amount(handle_seconds),
        agents=staffed,
        traffic=load,
        probability_wait=erlang_c(load, staffed),
        average_speed_of_answer=average_speed_of_answer(load, staffed, handle_seconds),
        service_level=service_level(load, staffed, handle_seconds, target_seconds),
        occupancy=occupancy(load, staffed),
        target=min(_amount(target), 1.0),
        target_seconds=_amount(target_seconds),
        agents_needed=agents_needed(load, handle_seconds, target, target_seconds),
    )


def blended_rate(last_hour: int, same_hour_before: Sequence[int]) -> float:
    """Arrivals per hour expected over the next hour.

    `last_hour`: arrivals in the hour just gone. `same_hour_before`: arrivals in
    the coming hour's slot on the same weekday of earlier weeks (only weeks the
    queue existed). Each is one noisy Poisson count; the earlier weeks know the
    hour's seasonality (the morning peak, the quiet Friday), the last hour knows
    today (a storm, an outage). Half of each: the estimate follows today's surge
    halfway at once, and its variance is 5/16 of the last hour's alone with four
    weeks behind it. Without history, the last hour is all there is."""
    last = float(max(last_hour, 0))
    weeks = [max(count, 0) for count in same_hour_before]
    if not weeks:
        return last
    return 0.5 * last + 0.5 * sum(weeks) / len(weeks)
