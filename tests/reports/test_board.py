"""The supervisor board's figures on a real PostgreSQL.

One desk at a fixed instant (NOW: Wednesday 12 March 2031, 12:00 in Jerusalem), so
every figure is known in advance: three queues, agents in every state, waiting
tickets in routing's order, SLA clocks at risk, breached and decided today,
arrivals now and in earlier weeks, answered calls for the handle time. Rows the
services would write as time passes (presence, connections, waiting entries,
clocks, calls) are written directly, with their instants relative to NOW."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from servicedesk.channels.voice.calls import DEFAULT_HANDLE_SECONDS, expected_wait
from servicedesk.channels.voice.models import CallState, PhoneCall
from servicedesk.db import Actor, Database
from servicedesk.enums import Role
from servicedesk.reports import board
from servicedesk.routing.models import (
    AgentConnection,
    AgentPresence,
    PresenceStatus,
    RoutingEntry,
    WorkClass,
)
from servicedesk.routing.presence import ALIVE
from servicedesk.sla_tracking.models import SlaClock
from servicedesk.staff.models import Team
from servicedesk.tickets.models import Ticket
from sla.compliance import Compliance
from sla.forecast import forecast
from tests import factories as f

ZONE = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2031, 3, 12, 10, 0, tzinfo=UTC)  # 12:00 in Jerusalem (UTC+2 until 28 March)
S = timedelta(seconds=1)
M = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)


@dataclass
class Desk:
    a: Team  # "Alpha fridges": busy, measured handle time, three staffed
    b: Team  # "Beta washers": one staffed, created ten days ago
    c: Team  # "Gamma ovens": nobody in it
    t: dict[str, Ticket]
    people: dict[str, int]


async def _sql(db: Database, statement: str, **params: object) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.execute(text(statement), params)


async def _add(db: Database, *rows: object) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        uow.session.add_all(rows)


def _clock(ticket: Ticket, metric: str, state: str, cycle: int = 1, **when: datetime) -> SlaClock:
    assert ticket.id is not None
    return SlaClock(
        ticket_id=ticket.id,
        metric=metric,
        cycle=cycle,
        policy_name="Everyone",
        target=H,
        state=state,
        started_at=NOW - 5 * H,
        elapsed=timedelta(0),
        updated_at=NOW,
        **when,
    )


def _entry(
    ticket: Ticket,
    queue: Team,
    work: WorkClass,
    waiting_for: timedelta,
    due_in: timedelta | None,
    *,
    boosted: bool = False,
) -> RoutingEntry:
    assert ticket.id is not None
    assert queue.id is not None
    return RoutingEntry(
        ticket_id=ticket.id,
        queue_id=queue.id,
        work_class=work,
        priority_rank=1,
        boosted=boosted,
        due_at=None if due_in is None else NOW + due_in,
        waiting_since=NOW - waiting_for,
    )


def _call(sid: str, queue: Team, answered: datetime | None, ended: datetime) -> PhoneCall:
    return PhoneCall(
        call_sid=sid,
        account_sid="AC-tests",
        from_number="+972500000000",
        to_number="+97230000000",
        queue_id=queue.id,
        state=CallState.ended,
        started_at=ended - H,
        answered_at=answered,
        ended_at=ended,
    )


async def build_desk(db: Database) -> Desk:
    a = await f.create_team(db, "Alpha fridges")
    b = await f.create_team(db, "Beta washers")
    c = await f.create_team(db, "Gamma ovens")
    await _sql(db, "UPDATE team SET created_at = :at WHERE id = :id", at=NOW - 10 * D, id=b.id)

    # ---- people -------------------------------------------------------------------
    people: dict[str, int] = {}
    cast = [
        ("Avi", Role.agent, (a,)),
        ("Batya", Role.agent, (a,)),
        ("Chen", Role.agent, (a,)),
        ("Dana", Role.agent, (a,)),
        ("Eli", Role.agent, (a,)),
        ("Gal", Role.supervisor, (a, b)),
        ("Hila", Role.agent, (b,)),
        ("Ido", Role.agent, (a,)),  # no longer active
        ("Yael", Role.admin, (a,)),  # admins take no contacts
    ]
    for name, role, teams in cast:
        person = await f.create_staff(db, role, teams=teams)
        assert person.user.id is not None
        people[name] = person.user.id
        await _sql(db, "UPDATE app_user SET name = :n WHERE id = :id", n=name, id=person.user.id)
    await _sql(db, "UPDATE app_user SET is_active = false WHERE id = :id", id=people["Ido"])

    def presence(name: str, status: PresenceStatus, changed: datetime) -> AgentPresence:
        return AgentPresence(
            user_id=people[name], status=status, changed_at=changed, idle_since=changed
        )

    def screen(name: str, seen: datetime) -> AgentConnection:
        return AgentConnection(
            sid=f"sid-{name}", user_id=people[name], node="n1", connected_at=seen, seen_at=seen
        )

    await _add(
        db,
        presence("Avi", PresenceStatus.available, NOW - 30 * M),
        presence("Batya", PresenceStatus.on_call, NOW - 5 * M),  # on the phone, no screen
        presence("Chen", PresenceStatus.away, NOW - 2 * M),
        presence("Dana", PresenceStatus.available, NOW - H),  # her screen went quiet
        presence("Gal", PresenceStatus.available, NOW - 3 * H),
        presence("Hila", PresenceStatus.offline, NOW - 4 * H),
        presence("Ido", PresenceStatus.available, NOW - H),
        screen("Avi", NOW - 10 * S),
        screen("Chen", NOW - 5 * S),
        screen("Dana", NOW - ALIVE - S),
        screen("Gal", NOW - S),
        screen("Hila", NOW - S),
        screen("Ido", NOW - S),
    )

    # ---- tickets ------------------------------------------------------------------
    customer = await f.create_customer(db)
    t: dict[str, Ticket] = {}
    # name: queue, created, status, next deadline
    plan: dict[str, tuple[Team | None, datetime, str, timedelta | None]] = {
        "t1": (a, NOW - 10 * M, "new", 180 * S),
        "t2": (a, NOW - 20 * M, "new", 150 * S),
        "t3": (a, NOW - 21 * D + 59 * M, "new", None),
        "t4": (a, NOW - 50 * M, "new", 50 * S),
        "t5": (a, NOW - 2 * H, "open", -60 * S),
        "t6": (b, NOW - H, "new", H),  # exactly an hour ago: in the last hour
        "t7": (b, NOW - 7 * D + H, "open", None),  # just after last week's slot
        "t8": (c, NOW - 30 * M, "new", 5 * H),
        "t9": (a, NOW - 3 * H, "open", 40 * M),
        "t10": (a, NOW - 7 * D + 10 * M, "solved", None),
        "t11": (a, NOW - 14 * D + 30 * M, "closed", 10 * M),
        "t12": (a, NOW - 28 * D + 5 * M, "new", 500 * S),
        "t13": (None, NOW - 4 * D, "open", 2 * H),
        "t14": (a, NOW - 28 * D + 50 * M, "pending", None),
        "t15": (a, NOW - 2 * D, "on_hold", None),
    }
    for name, (queue, created, status, due) in plan.items():
        ticket = await f.create_ticket(db, customer, queue=queue, subject=f"Ticket {name}")
        await _sql(
            db,
            "UPDATE ticket SET created_at = :created, status = :status, sla_due_at = :due "
            "WHERE id = :id",
            created=created,
            status=status,
            due=None if due is None else NOW + due,
            id=ticket.id,
        )
        t[name] = ticket
    await _sql(
        db,
        "UPDATE ticket SET assignee_id = :agent WHERE id = ANY(CAST(:ids AS integer[]))",
        agent=people["Avi"],
        ids=[t["t9"].id, t["t10"].id],
    )

    # ---- waiting work (whatever routing did, this is the line) -----------------------
    await _sql(db, "DELETE FROM routing_entry")
    await _add(
        db,
        _entry(t["t12"], a, WorkClass.voice, 30 * S, 500 * S, boosted=True),
        _entry(t["t2"], a, WorkClass.voice, 120 * S, 150 * S),
        _entry(t["t1"], a, WorkClass.voice, 300 * S, 180 * S),
        _entry(t["t3"], a, WorkClass.voice, 600 * S, None),
        _entry(t["t4"], a, WorkClass.chat, 60 * S, 50 * S),
        _entry(t["t5"], a, WorkClass.email, 900 * S, -60 * S),
        _entry(t["t6"], b, WorkClass.voice, 45 * S, H),
        _entry(t["t8"], c, WorkClass.email, 1800 * S, 5 * H),
    )

    # ---- SLA clocks -----------------------------------------------------------------
    await _add(
        db,
        # t1: warned, not yet due: at risk
        _clock(t["t1"], "first_response", "running", warn_at=NOW - 30 * S, due_at=NOW + 180 * S),
        # t2: answered this morning; its resolution runs, not yet warned
        _clock(t["t2"], "first_response", "met", stopped_at=NOW - 3 * H),
        _clock(t["t2"], "resolution", "running", warn_at=NOW + 100 * S, due_at=NOW + 150 * S),
        _clock(t["t3"], "resolution", "paused"),
        _clock(t["t4"], "first_response", "running", warn_at=NOW + 20 * S, due_at=NOW + 50 * S),
        # t5: past its deadline, the sweeper not round yet: breached (today)
        _clock(t["t5"], "first_response", "running", warn_at=NOW - 10 * M, due_at=NOW - 60 * S),
        # t9: breached today, and another clock warned: counted once, as breached
        _clock(t["t9"], "first_response", "breached", breached_at=NOW - 2 * H, due_at=NOW - 2 * H),
        _clock(t["t9"], "resolution", "running", warn_at=NOW - 5 * M, due_at=NOW + 40 * M),
        # t10 (solved): met today, met yesterday, breached yesterday
        _clock(t["t10"], "first_response", "met", stopped_at=NOW - H),
        _clock(t["t10"], "next_response", "met", 1, stopped_at=NOW - 20 * H),
        _clock(t["t10"], "next_response", "breached", 2, breached_at=NOW - D, due_at=NOW - D),
        # t11 (closed): a warned clock left running does not make it at risk
        _clock(t["t11"], "resolution", "running", warn_at=NOW - 5 * M, due_at=NOW + 10 * M),
        # t13: in no queue; breached, but no tile counts it
        _clock(t["t13"], "first_response", "breached", breached_at=NOW - H, due_at=NOW - H),
    )

    # ---- answered calls for the handle time -------------------------------------------
    await _add(
        db,
        _call("CA1", a, NOW - D, NOW - D + 200 * S),
        _call("CA2", a, NOW - 2 * D, NOW - 2 * D + 400 * S),
        _call("CA3", a, NOW - 8 * D, NOW - 8 * D + 1000 * S),  # older than a week
        _call("CA4", a, None, NOW - 3 * H),  # never answered
    )
    return Desk(a, b, c, t, people)


def _mine(desk: Desk, rows):
    ids = {desk.a.id, desk.b.id, desk.c.id}
    return {row.queue_id: row for row in rows if row.queue_id in ids}


async def test_tiles(db):
    desk = await build_desk(db)
    async with db.read_session() as session:
        tiles = _mine(desk, await board.queue_tiles(session, NOW, ZONE))
    assert tiles[desk.a.id] == board.QueueTile(
        queue_id=desk.a.id,
        name="Alpha fridges",
        waiting=6,
        longest_wait_seconds=900,
        agents_available=2,  # Avi and Gal (Dana's screen is gone; Ido left; Yael is admin)
        agents_on_call=1,  # Batya
        agents_away=1,  # Chen
        agents_offline=2,  # Dana, Eli (never signed in)
        at_risk=1,  # t1
        breached=2,  # t5 (late, not yet swept), t9
        today=Compliance(met=2, breached=2),  # t2 and t10 met; t9 and t5 breached
    )
    assert tiles[desk.a.id].compliance_today == 0.5
    assert tiles[desk.b.id] == board.QueueTile(
        queue_id=desk.b.id,
        name="Beta washers",
        waiting=1,
        longest_wait_seconds=45,
        agents_available=1,  # Gal
        agents_on_call=0,
        agents_away=0,
        agents_offline=1,  # Hila chose offline, screen or not
        at_risk=0,
        breached=0,
        today=Compliance(),
    )
    assert tiles[desk.b.id].compliance_today is None
    assert tiles[desk.c.id].waiting == 1
    assert tiles[desk.c.id].agents_available + tiles[desk.c.id].agents_offline == 0
    names = [tile.name for tile in tiles.values()]
    assert names == sorted(names)


async def test_forecast(db):
    desk = await build_desk(db)
    async with db.read_session() as session:
        forecasts = _mine(desk, await board.queue_forecasts(session, NOW, ZONE))
    a, b, c = forecasts[desk.a.id], forecasts[desk.b.id], forecasts[desk.c.id]

    # Alpha: 3 new tickets in the last hour (t1, t2, t4); the coming hour's slot held
    # 1, 1, 1 and 2 tickets one to four weeks ago (t10, t11, t3, t12 + t14); calls
    # answered this week took 200 and 400 s; Avi, Gal and Batya staff it.
    assert a.arrivals_last_hour == 3
    assert a.arrivals_same_hour == (1, 1, 1, 2)
    assert a.handle_measured
    assert a.staffing == 3
    assert a.outlook == forecast(0.5 * 3 + 0.5 * 5 / 4, 300.0, 3, 0.8, 20)
    assert a.outlook.arrivals_per_hour == 2.125
    assert a.outlook.traffic == pytest.approx(2.125 * 300 / 3600)
    assert a.outlook.agents_needed == 1
    assert a.agents_short == 0
    assert a.outlook.meets_target
    # In line (voice: boosted t12, then t2 and t1 by deadline, t3 without one; chat:
    # t4; e-mail: t5, already late), each answered after position × 300 s ÷ 3.
    assert [(x.number, x.position, x.expected_wait_seconds) for x in a.likely_to_breach] == [
        (desk.t["t4"].number, 1, 100),
        (desk.t["t2"].number, 2, 200),
        (desk.t["t1"].number, 3, 300),
    ]
    for x in a.likely_to_breach:
        assert x.expected_wait_seconds == expected_wait(x.position, 300.0, 3)  # voice's rule
        assert x.due_at < NOW + timedelta(seconds=x.expected_wait_seconds)
    assert a.likely_to_breach[0].subject == "Ticket t4"
    assert a.likely_to_breach[0].due_at == NOW + 50 * S
    assert a.likely_to_breach_count == 3

    # Beta: t6 came exactly an hour ago; the queue is ten days old, so one earlier
    # week counts (t7 came just after that week's slot); no calls: the default
    # handle time; Gal alone: 180 s before t6, due in an hour, is answered.
    assert (b.arrivals_last_hour, b.arrivals_same_hour) == (1, (0,))
    assert not b.handle_measured
    assert b.outlook == forecast(0.5, float(DEFAULT_HANDLE_SECONDS), 1, 0.8, 20)
    assert (b.likely_to_breach, b.likely_to_breach_count) == ((), 0)

    # Gamma: one ticket in the last hour and nobody to answer it.
    assert (c.arrivals_last_hour, c.arrivals_same_hour, c.staffing) == (1, (0, 0, 0, 0), 0)
    assert c.outlook.average_speed_of_answer == math.inf
    assert c.outlook.service_level == 0.0
    assert not c.outlook.meets_target
    assert (c.outlook.agents_needed, c.agents_short) == (1, 1)
    assert [(x.number, x.expected_wait_seconds) for x in c.likely_to_breach] == [
        (desk.t["t8"].number, None)
    ]


async def test_a_queue_with_its_own_target(db):
    desk = await build_desk(db)
    await _sql(
        db,
        "UPDATE team SET service_level_percent = 95, service_level_seconds = 5 WHERE id = :id",
        id=desk.a.id,
    )
    async with db.read_session() as session:
        forecasts = _mine(desk, await board.queue_forecasts(session, NOW, ZONE))
    outlook = forecasts[desk.a.id].outlook
    assert (outlook.target, outlook.target_seconds) == (0.95, 5)
    assert outlook == forecast(2.125, 300.0, 3, 0.95, 5)


async def test_closest_to_breach(db):
    desk = await build_desk(db)
    async with db.read_session() as session:
        closest = await board.closest_to_breach(session)
        first_three = await board.closest_to_breach(session, limit=3)
    order = ["t5", "t4", "t2", "t1", "t12", "t9", "t6", "t13", "t8"]  # solved, closed left out
    assert [u.number for u in closest] == [desk.t[name].number for name in order]
    assert [u.number for u in first_three] == [desk.t[name].number for name in order[:3]]
    late, next_one = closest[0], closest[1]
    assert late == board.UrgentTicket(
        ticket_id=desk.t["t5"].id,
        number=desk.t["t5"].number,
        subject="Ticket t5",
        priority="normal",
        status="open",
        queue="Alpha fridges",
        assignee=None,
        metric="first_response",
        due_at=NOW - 60 * S,
        warn_at=NOW - 10 * M,
    )
    assert (next_one.due_at, next_one.warn_at) == (NOW + 50 * S, NOW + 20 * S)
    by_number = {u.number: u for u in closest}
    t9 = by_number[desk.t["t9"].number]
    assert (t9.metric, t9.warn_at, t9.assignee) == ("resolution", NOW - 5 * M, "Avi")
    t12 = by_number[desk.t["t12"].number]
    assert (t12.metric, t12.warn_at) == (None, None)  # a deadline without a clock row
    assert by_number[desk.t["t13"].number].queue is None


async def test_agents(db):
    desk = await build_desk(db)
    async with db.read_session() as session:
        rows = await board.agents(session, NOW)
    mine = [row for row in rows if row.user_id in desk.people.values()]
    a, b = ("Alpha fridges",), ("Beta washers",)

    def row(name, role, state, connected, load, since, queues):
        return board.AgentRow(desk.people[name], name, role, state, connected, load, since, queues)

    assert mine == [
        row("Avi", "agent", "available", True, 1, NOW - 30 * M, a),  # t9 open, t10 solved
        row("Gal", "supervisor", "available", True, 0, NOW - 3 * H, a + b),
        row("Batya", "agent", "on_call", False, 0, NOW - 5 * M, a),
        row("Chen", "agent", "away", True, 0, NOW - 2 * M, a),
        row("Dana", "agent", "offline", False, 0, None, a),  # available, but her screen is gone
        row("Eli", "agent", "offline", False, 0, None, a),  # never signed in
        row("Hila", "agent", "offline", True, 0, NOW - 4 * H, b),  # chose offline
    ]


async def test_the_whole_board_at_once(db):
    await build_desk(db)
    async with db.read_session() as session:
        whole = await board.load_board(session, NOW, ZONE)
        tiles = await board.queue_tiles(session, NOW, ZONE)
        forecasts = await board.queue_forecasts(session, NOW, ZONE)
        closest = await board.closest_to_breach(session)
        agents = await board.agents(session, NOW)
    assert whole == board.Board(NOW, tiles, forecasts, closest, agents)
    assert len(whole.closest) <= board.CLOSEST_LIMIT


async def test_an_empty_desk(db):
    queue = await f.create_team(db, "Quiet")
    async with db.read_session() as session:
        whole = await board.load_board(session, NOW, ZONE)
    (tile,) = [x for x in whole.tiles if x.queue_id == queue.id]
    (outlook,) = [x for x in whole.forecasts if x.queue_id == queue.id]
    assert (tile.waiting, tile.longest_wait_seconds, tile.compliance_today) == (0, None, None)
    assert (outlook.outlook.traffic, outlook.outlook.agents_needed) == (0, 0)
    assert outlook.likely_to_breach == ()


@pytest.mark.parametrize(
    ("now", "midnight"),
    [
        (NOW, datetime(2031, 3, 11, 22, 0, tzinfo=UTC)),  # winter: UTC+2
        # 00:30 on 2 July in Jerusalem is still 1 July in UTC (summer: UTC+3)
        (datetime(2031, 7, 1, 21, 30, tzinfo=UTC), datetime(2031, 7, 1, 21, 0, tzinfo=UTC)),
        # the day the clocks go forward (Friday 28 March 2031, 02:00 → 03:00)
        (datetime(2031, 3, 28, 12, 0, tzinfo=UTC), datetime(2031, 3, 27, 22, 0, tzinfo=UTC)),
    ],
    ids=["winter noon", "summer just after midnight", "daylight saving day"],
)
def test_today_starts_at_the_desks_midnight(now, midnight):
    assert board.day_start(now, ZONE) == midnight


def test_the_same_hour_in_earlier_weeks_is_on_the_desks_wall_clock():
    # Thursday 3 April 2031, 13:00 in Jerusalem (UTC+3 since 28 March): a week ago it
    # was 13:00 too, but in winter time (UTC+2).
    now = datetime(2031, 4, 3, 10, 0, tzinfo=UTC)
    assert board.same_hour_before(now, ZONE, 2) == [
        datetime(2031, 3, 27, 11, 0, tzinfo=UTC),
        datetime(2031, 3, 20, 11, 0, tzinfo=UTC),
    ]
    assert board.same_hour_before(NOW, ZONE, 4) == [NOW - k * 7 * D for k in (1, 2, 3, 4)]
