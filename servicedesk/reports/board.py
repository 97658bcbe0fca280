"""The supervisor's board: each queue's figures now, its forecast for the next
hour, the tickets closest to breach and the agents.

Four reads (board_sql.py), each one round trip: the queues (tiles and forecast
inputs together), the waiting tickets likely to breach (only when something
waits), the closest deadlines, the agents. The arithmetic of the forecast is the
pure `sla.forecast` (Erlang C); this module only gathers its inputs:

- arrivals per hour: new tickets filed into the queue in the last hour, blended
  half and half with the same coming hour on the same weekday of the last four
  weeks (`sla.forecast.blended_rate`; weeks before the queue had tickets or
  existed are left out);
- handle time: the voice channel's measure (answered calls of the last seven
  days, answer to hang-up), else its default of three minutes;
- staffing: the queue's members available or on a call (a live screen needed
  for "available", see board_sql.py);
- target: the queue's own service level (`team.service_level_percent` within
  `team.service_level_seconds`).

Nothing here reads the clock: `now` and the desk's zone are parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk.channels.voice.calls import DEFAULT_HANDLE_SECONDS
from servicedesk.reports import board_sql
from servicedesk.routing.presence import ALIVE
from sla.compliance import Compliance
from sla.forecast import Forecast, blended_rate, forecast

HANDLE_WINDOW = timedelta(days=7)  # as the voice channel's expected-wait message
CLOSEST_LIMIT = 20
LIKELY_PER_QUEUE = 10
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)
STATES = ("available", "on_call", "away", "offline")


@dataclass(frozen=True)
class QueueTile:
    queue_id: int
    name: str
    waiting: int  # tickets waiting for an agent (routing entries)
    longest_wait_seconds: int | None  # the oldest of them, None when none waits
    agents_available: int
    agents_on_call: int
    agents_away: int
    agents_offline: int
    at_risk: int  # open tickets with a running clock past its warning, none breached
    breached: int  # open tickets with a breached clock
    today: Compliance  # clocks decided today (desk time zone): met and breached

    @property
    def compliance_today(self) -> float | None:
        return self.today.share_met


@dataclass(frozen=True)
class LikelyBreach:
    ticket_id: int
    number: int
    subject: str
    priority: str
    due_at: datetime
    position: int  # in its queue's line for its work class, 1 = next
    expected_wait_seconds: int | None  # None: nobody staffed, never answered


@dataclass(frozen=True)
class QueueForecast:
    queue_id: int
    name: str
    arrivals_last_hour: int
    arrivals_same_hour: tuple[int, ...]  # the coming hour, 1, 2… weeks ago (weeks it existed)
    handle_measured: bool  # False: the default handle time stands in
    staffing: int
    outlook: Forecast  # arrivals per hour, handle time, ASA, service level, agents needed…
    likely_to_breach: tuple[LikelyBreach, ...]  # the first few, earliest deadline first
    likely_to_breach_count: int

    @property
    def agents_short(self) -> int:
        return max(self.outlook.agents_needed - self.staffing, 0)


@dataclass(frozen=True)
class UrgentTicket:
    ticket_id: int
    number: int
    subject: str
    priority: str
    status: str
    queue: str | None
    assignee: str | None
    metric: str | None  # the clock whose deadline is next
    due_at: datetime
    warn_at: datetime | None


@dataclass(frozen=True)
class AgentRow:
    user_id: int
    name: str
    role: str
    state: str  # available, on_call, away, offline
    connected: bool
    load: int  # open tickets assigned to them
    since: datetime | None  # in this state since (None: unknown, e.g. never signed in)
    queues: tuple[str, ...]


@dataclass(frozen=True)
class Board:
    now: datetime
    tiles: tuple[QueueTile, ...]
    forecasts: tuple[QueueForecast, ...]
    closest: tuple[UrgentTicket, ...]
    agents: tuple[AgentRow, ...]


@dataclass(frozen=True)
class _Queue:
    """One row of the queues statement: a tile and the forecast's inputs."""

    tile: QueueTile
    last_hour: int
    same_hour: tuple[int, ...]
    handle_seconds: float | None
    target_percent: int
    target_seconds: int

    @property
    def staffing(self) -> int:
        return self.tile.agents_available + self.tile.agents_on_call


def day_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Midnight of `now`'s day in the desk's zone, in UTC."""
    local_day = now.astimezone(zone).date()
    return datetime.combine(local_day, time(), tzinfo=zone).astimezone(UTC)


def same_hour_before(now: datetime, zone: ZoneInfo, weeks: int) -> list[datetime]:
    """The start of `now`'s hour-long slot on the same weekday 1…`weeks` weeks ago,
    at the same wall-clock time in the desk's zone (a week across a change of
    daylight saving time is 167 or 169 hours), in UTC."""
    local = now.astimezone(zone)
    # Aware datetimes of one zone subtract on the wall clock: exactly what is wanted.
    return [(local - k * WEEK).astimezone(UTC) for k in range(1, weeks + 1)]


async def load_board(session: AsyncSession, now: datetime, zone: ZoneInfo) -> Board:
    queues = await _queues(session, now, zone)
    return Board(
        now=now,
        tiles=tuple(q.tile for q in queues),
        forecasts=await _forecasts(session, queues, now),
        closest=await closest_to_breach(session),
        agents=await agents(session, now),
    )


async def queue_tiles(
    session: AsyncSession, now: datetime, zone: ZoneInfo
) -> tuple[QueueTile, ...]:
    return tuple(q.tile for q in await _queues(session, now, zone))


async def queue_forecasts(
    session: AsyncSession, now: datetime, zone: ZoneInfo
) -> tuple[QueueForecast, ...]:
    return await _forecasts(session, await _queues(session, now, zone), now)


async def closest_to_breach(
    session: AsyncSession, limit: int = CLOSEST_LIMIT
) -> tuple[UrgentTicket, ...]:
    """Open tickets by next SLA deadline, already late ones first."""
    result = await session.execute(board_sql.CLOSEST, {"limit": limit})
    return tuple(
        UrgentTicket(
            ticket_id=row.id,
            number=row.number,
            subject=row.subject,
            priority=row.priority,
            status=row.status,
            queue=row.queue,
            assignee=row.assignee,
            metric=row.metric,
            due_at=row.due_at,
            warn_at=row.warn_at,
        )
        for row in result
    )


async def agents(session: AsyncSession, now: datetime) -> tuple[AgentRow, ...]:
    """Every active agent and supervisor: available first, then on a call, away, offline."""
    result = await session.execute(board_sql.AGENTS, {"alive_since": now - ALIVE})
    return tuple(
        AgentRow(
            user_id=row.user_id,
            name=row.name,
            role=row.role,
            state=row.state,
            connected=row.connected,
            load=row.load,
            # A chosen status kept; "offline" for want of a screen has no known start.
            since=row.changed_at if row.state == row.status else None,
            queues=tuple(row.queues),
        )
        for row in result
    )


async def _queues(session: AsyncSession, now: datetime, zone: ZoneInfo) -> list[_Queue]:
    starts = same_hour_before(now, zone, board_sql.HISTORY_WEEKS)
    params: dict[str, Any] = {
        "now": now,
        "alive_since": now - ALIVE,
        "day_start": day_start(now, zone),
        "hour_ago": now - HOUR,
        "handle_since": now - HANDLE_WINDOW,
    }
    for k, start in enumerate(starts, 1):
        params[f"week{k}"] = start
        params[f"week{k}_end"] = start + HOUR
    result = await session.execute(board_sql.QUEUES, params)
    queues = []
    for row in result.mappings():
        # A week counts when the queue was there: created by then, or with tickets then.
        since = min(row["created_at"], row["first_seen"] or row["created_at"])
        same_hour = tuple(row[f"week{k}"] for k, start in enumerate(starts, 1) if start >= since)
        queues.append(
            _Queue(
                tile=_tile(row, now),
                last_hour=row["last_hour"],
                same_hour=same_hour,
                handle_seconds=float(row["handle_seconds"])
                if row["handle_seconds"] is not None
                else None,
                target_percent=row["service_level_percent"],
                target_seconds=row["service_level_seconds"],
            )
        )
    return queues


def _tile(row: RowMapping, now: datetime) -> QueueTile:
    oldest: datetime | None = row["oldest"]
    return QueueTile(
        queue_id=row["id"],
        name=row["name"],
        waiting=row["waiting"],
        longest_wait_seconds=None
        if oldest is None
        else max(int((now - oldest).total_seconds()), 0),
        agents_available=row["available"],
        agents_on_call=row["on_call"],
        agents_away=row["away"],
        agents_offline=row["offline"],
        at_risk=row["at_risk"],
        breached=row["breached"],
        today=Compliance(met=row["met_today"], breached=row["breached_today"]),
    )


async def _forecasts(
    session: AsyncSession, queues: Sequence[_Queue], now: datetime
) -> tuple[QueueForecast, ...]:
    handles = {q.tile.queue_id: q.handle_seconds or float(DEFAULT_HANDLE_SECONDS) for q in queues}
    likely = await _likely(session, queues, handles, now)
    out = []
    for q in queues:
        queue_id = q.tile.queue_id
        found, total = likely.get(queue_id, ((), 0))
        out.append(
            QueueForecast(
                queue_id=queue_id,
                name=q.tile.name,
                arrivals_last_hour=q.last_hour,
                arrivals_same_hour=q.same_hour,
                handle_measured=q.handle_seconds is not None,
                staffing=q.staffing,
                outlook=forecast(
                    blended_rate(q.last_hour, q.same_hour),
                    handles[queue_id],
                    q.staffing,
                    q.target_percent / 100,
                    q.target_seconds,
                ),
                likely_to_breach=found,
                likely_to_breach_count=total,
            )
        )
    return tuple(out)


async def _likely(
    session: AsyncSession, queues: Sequence[_Queue], handles: Mapping[int, float], now: datetime
) -> dict[int, tuple[tuple[LikelyBreach, ...], int]]:
    waiting = [q for q in queues if q.tile.waiting]
    if not waiting:
        return {}
    result = await session.execute(
        board_sql.LIKELY,
        {
            "queue_ids": [q.tile.queue_id for q in waiting],
            "handles": [handles[q.tile.queue_id] for q in waiting],
            "staffing": [q.staffing for q in waiting],
            "now": now,
            "per_queue": LIKELY_PER_QUEUE,
        },
    )
    found: dict[int, list[LikelyBreach]] = {}
    totals: dict[int, int] = {}
    for row in result:
        found.setdefault(row.queue_id, []).append(
            LikelyBreach(
                ticket_id=row.ticket_id,
                number=row.number,
                subject=row.subject,
                priority=row.priority,
                due_at=row.due_at,
                position=row.position,
                expected_wait_seconds=None if row.wait_seconds is None else int(row.wait_seconds),
            )
        )
        totals[row.queue_id] = row.total
    return {queue_id: (tuple(rows), totals[queue_id]) for queue_id, rows in found.items()}
