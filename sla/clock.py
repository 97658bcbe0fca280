"""A ticket's SLA clocks, replayed from its history: pure, exact, never reads the clock.

One pass over the history cuts each clock's life into running periods (started,
not stopped, status neither paused nor solved/closed); the calendar then turns
each period into business time and finds the instants the warning and the target
fall at. The rules, in full, are in docs/sla.md ("Clock rules").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sla.calendar import BusinessCalendar
from sla.policy import (
    DONE_STATUSES,
    ClockState,
    ClockStatus,
    HistoryEvent,
    Metric,
    Policy,
    StopReason,
    TicketHistory,
)


class _Clock:
    """One clock's life: closed running periods, the one running now, its stop."""

    __slots__ = ("cycle", "metric", "periods", "running_since", "started_at", "stop")

    def __init__(self, metric: Metric, started_at: datetime, cycle: int, running: bool) -> None:
        self.metric: Metric = metric
        self.started_at = started_at
        self.cycle = cycle
        self.periods: list[tuple[datetime, datetime]] = []
        self.running_since: datetime | None = started_at if running else None
        self.stop: tuple[datetime, StopReason] | None = None

    def pause(self, at: datetime) -> None:
        since = self.running_since
        if since is not None:
            if at > since:
                self.periods.append((since, at))
            self.running_since = None

    def run(self, at: datetime) -> None:  # only ever called on a clock not running
        self.running_since = at

    def end(self, at: datetime, reason: StopReason) -> None:
        self.pause(at)
        self.stop = (at, reason)


def evaluate(
    policy: Policy,
    calendar: BusinessCalendar,
    history: TicketHistory,
    priority: str,
    now: datetime,
) -> list[ClockState]:
    """The ticket's clocks at `now` under `policy`, with the targets of `priority`.

    Returned in metric order (first_response, next_response cycles oldest first,
    resolution); a metric without a target in this priority is left out, and so
    is next_response until the customer's first turn after an answer. Events after
    `now` are ignored; events before `created_at` count as at `created_at`.
    Recomputing after a change of priority, policy or calendar is calling this
    again: the time already spent counts, with the new targets.
    """
    targets = policy.targets.get(priority)
    if targets is None:
        return []
    created = history.created_at
    if created.utcoffset() is None or now.utcoffset() is None:
        raise ValueError("evaluate: created_at and now must be aware datetimes")
    if now < created:
        return []
    pause_statuses = policy.pause_statuses
    status = history.initial_status
    done = status in DONE_STATUSES
    counting = not done and status not in pause_statuses

    first = _Clock("first_response", created, 1, counting)
    resolution = _Clock("resolution", created, 1, counting)
    cycles: list[_Clock] = []
    # The response clock waiting for the desk's answer (None: the desk has the
    # last word), and a customer's turn taken while the ticket was solved.
    waiting: _Clock | None = first
    turn_while_done: datetime | None = None
    unanswered: _Clock | None = None  # the response clock the last solve stopped
    if done:
        first.end(created, "solved")
        resolution.end(created, "solved")
        unanswered, waiting = first, None

    for event in _in_order(history):
        at = event.at if event.at > created else created
        if at > now:
            break
        kind = event.kind
        if kind == "customer_message":
            if waiting is None:
                if done:
                    turn_while_done = turn_while_done or at
                else:
                    waiting = _Clock("next_response", at, len(cycles) + 1, counting)
                    cycles.append(waiting)
        elif kind == "agent_reply":
            if waiting is not None:
                waiting.end(at, "reply")
                waiting = None
            elif unanswered is not None and unanswered.stop == (at, "solved"):
                unanswered.stop = (at, "reply")  # answered and solved at once: an answer
            turn_while_done = None
        elif kind == "status":
            new_status = event.status or status
            now_done = new_status in DONE_STATUSES
            now_counting = not now_done and new_status not in pause_statuses
            if now_done and not done:
                if waiting is not None:
                    waiting.end(at, "solved")
                    unanswered, waiting = waiting, None
                resolution.end(at, "solved")
            elif done and not now_done:
                resolution.stop = None
                if turn_while_done is not None:
                    waiting = _Clock("next_response", turn_while_done, len(cycles) + 1, False)
                    cycles.append(waiting)
                    turn_while_done = None
                if now_counting:
                    resolution.run(at)
                    if waiting is not None:
                        waiting.run(at)
            elif now_counting != counting:
                for clock in (waiting, resolution):
                    if clock is not None:
                        if now_counting:
                            clock.run(at)
                        else:
                            clock.pause(at)
            status, done, counting = new_status, now_done, now_counting

    share = policy.warn_percent
    states: list[ClockState] = []
    if targets.first_response is not None:
        states.append(_state(first, targets.first_response, share, calendar, now))
    if targets.next_response is not None:
        for cycle in cycles:
            states.append(_state(cycle, targets.next_response, share, calendar, now))
    if targets.resolution is not None:
        states.append(_state(resolution, targets.resolution, share, calendar, now))
    return states


def _in_order(history: TicketHistory) -> Sequence[HistoryEvent]:
    """The events in time order (sorted, stably, only when they are not)."""
    events = history.events
    for before, after in zip(events, events[1:], strict=False):
        if after.at < before.at:
            return sorted(events, key=lambda event: event.at)
    return events


def _state(
    clock: _Clock, target: timedelta, share: int, calendar: BusinessCalendar, now: datetime
) -> ClockState:
    warn = target * share // 100
    elapsed = timedelta(0)
    warn_at: datetime | None = None
    breached_at: datetime | None = None
    # The last running period's start and the time counted before it: the
    # deadline "as it stands" is projected from there.
    last_start, before_last = clock.started_at, elapsed
    for start, end in clock.periods:
        reached = elapsed + calendar.elapsed(start, end)
        if breached_at is None:
            if warn_at is None and reached >= warn:
                warn_at = calendar.add(start, warn - elapsed)
            if reached >= target:
                breached_at = calendar.add(start, target - elapsed)
        last_start, before_last, elapsed = start, elapsed, reached
    running_since = clock.running_since
    if running_since is not None:
        last_start, before_last = running_since, elapsed
        elapsed += calendar.elapsed(running_since, now)
    stop = clock.stop
    due_at: datetime | None = breached_at
    if breached_at is None and (running_since is not None or stop is not None):
        due_at = calendar.add(last_start, target - before_last)
        if warn_at is None:
            warn_at = calendar.add(last_start, warn - before_last)
        if elapsed >= target:
            breached_at = due_at
    if breached_at is not None:
        state: ClockStatus = "breached"
    elif stop is not None:
        state = "met"
    elif running_since is not None:
        state = "running"
    else:
        state = "paused"
    # Out in UTC: the calendar answers in its zone, and an instant in a zone's
    # repeated hour (fold=1) never compares equal to one in another zone.
    return ClockState(
        metric=clock.metric,
        target=target,
        state=state,
        started_at=clock.started_at.astimezone(UTC),
        elapsed=elapsed,
        due_at=None if due_at is None else due_at.astimezone(UTC),
        warn_at=None if warn_at is None else warn_at.astimezone(UTC),
        breached_at=None if breached_at is None else breached_at.astimezone(UTC),
        stopped_at=None if stop is None else stop[0].astimezone(UTC),
        cycle=clock.cycle,
        stopped_by=None if stop is None else stop[1],
    )
