"""Agents' presence: recorded when a staff screen connects and disconnects, kept
alive by each web process's heartbeat, read (and locked) by routing.

An agent is *available* while their status is `available` and at least one of
their screens is connected: a connection row refreshed within `ALIVE`. A web
process that dies without saying goodbye stops refreshing its rows, and they stop
counting after `ALIVE` (and are deleted by the next heartbeat of any process)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from servicedesk.audit.service import record
from servicedesk.db import UnitOfWork, utcnow
from servicedesk.enums import Role
from servicedesk.events import PresenceChanged
from servicedesk.routing.models import PresenceStatus
from servicedesk.sql import DriverSQL

HEARTBEAT_SECONDS = 20.0
# Staff whose screens are recorded (partners' are not): agents and supervisors take
# contacts (routing reads their presence); an admin's screen counts only as a viewer
# of the ticket it shows (servicedesk/routing/viewers.py).
SCREEN_ROLES = frozenset({Role.agent, Role.supervisor, Role.admin})
ALIVE = timedelta(seconds=3 * HEARTBEAT_SECONDS)

_CONNECT = sa.text(
    """
    WITH present AS (
        INSERT INTO agent_presence (user_id, status, changed_at, idle_since, reason)
        VALUES (:user_id, 'available', :now, :now, 'connected')
        ON CONFLICT (user_id) DO NOTHING
    )
    INSERT INTO agent_connection (sid, user_id, node, connected_at, seen_at)
    VALUES (:sid, :user_id, :node, :now, :now)
    ON CONFLICT (sid) DO UPDATE SET user_id = EXCLUDED.user_id, node = EXCLUDED.node,
                                    seen_at = EXCLUDED.seen_at
    """
)
_DISCONNECT = DriverSQL(
    "DELETE FROM agent_connection WHERE sid = :sid RETURNING user_id, viewing_ticket_id"
)
# The user's screens still open, and their chosen status (after a connect or a close).
_SCREENS = DriverSQL(
    """
    SELECT (SELECT count(*) FROM agent_connection c
            WHERE c.user_id = :user_id AND c.seen_at > :since) AS screens,
           (SELECT status FROM agent_presence WHERE user_id = :user_id) AS status
    """
)
_REFRESH = sa.text("UPDATE agent_connection SET seen_at = :now WHERE node = :node")
_EXPIRE = sa.text("DELETE FROM agent_connection WHERE seen_at < :since")
_FORGET_NODE = sa.text("DELETE FROM agent_connection WHERE node = :node")
_SET_STATUS = DriverSQL(
    """
    INSERT INTO agent_presence (user_id, status, changed_at, idle_since, reason)
    VALUES (:user_id, :status, :now, :now, :reason)
    ON CONFLICT (user_id) DO UPDATE
    SET status = EXCLUDED.status, changed_at = EXCLUDED.changed_at, reason = EXCLUDED.reason,
        -- becoming available starts the idle time that orders who is offered next
        idle_since = CASE WHEN EXCLUDED.status = 'available' THEN EXCLUDED.idle_since
                          ELSE agent_presence.idle_since END
    WHERE agent_presence.status <> EXCLUDED.status
    RETURNING user_id
    """
)
_STATUS = DriverSQL("SELECT status FROM agent_presence WHERE user_id = :user_id")
_WORKED = sa.text("UPDATE agent_presence SET idle_since = :now WHERE user_id = :user_id")


async def connected(uow: UnitOfWork, *, sid: str, user_id: int, node: str, now: datetime) -> None:
    """A staff screen connected (first time ever: the agent starts out available).
    Their first open screen makes them present: announced to the boards."""
    await uow.execute(_CONNECT, {"sid": sid, "user_id": user_id, "node": node, "now": now})
    row = await uow.fetchrow(_SCREENS, {"user_id": user_id, "since": now - ALIVE})
    if row is not None and row["screens"] == 1:
        await uow.emit(PresenceChanged(user_id=user_id, status=row["status"], reason="connected"))


async def disconnected(uow: UnitOfWork, sid: str, now: datetime | None = None) -> int | None:
    """A screen closed; with their last one closed the agent shows as offline.
    Returns the ticket the screen showed (its other viewers are told)."""
    gone = await uow.fetchrow(_DISCONNECT, {"sid": sid})
    if gone is None:
        return None
    user_id = int(gone["user_id"])
    at = now or utcnow()
    row = await uow.fetchrow(_SCREENS, {"user_id": user_id, "since": at - ALIVE})
    if row is not None and row["screens"] == 0:
        await uow.emit(PresenceChanged(user_id=user_id, status="offline", reason="disconnected"))
    viewing = gone["viewing_ticket_id"]
    return None if viewing is None else int(viewing)


async def heartbeat(uow: UnitOfWork, node: str, now: datetime) -> None:
    """This process's screens are still there; anyone's not seen for `ALIVE` are not."""
    await uow.execute(_REFRESH, {"node": node, "now": now})
    await uow.execute(_EXPIRE, {"since": now - ALIVE})


async def forget_node(uow: UnitOfWork, node: str) -> None:
    """This process is stopping: its screens are gone with it."""
    await uow.execute(_FORGET_NODE, {"node": node})


async def set_status(
    uow: UnitOfWork,
    user_id: int,
    status: PresenceStatus,
    now: datetime,
    *,
    reason: str = "chosen",
) -> bool:
    """The agent's own choice, or routing's (a missed offer, a call): audited and
    announced when it changes."""
    row = await uow.fetchrow(
        _SET_STATUS, {"user_id": user_id, "status": status, "now": now, "reason": reason}
    )
    if row is None:
        return False
    record(uow, "agent.presence", "user", user_id, after={"status": status, "reason": reason})
    await uow.emit(PresenceChanged(user_id=user_id, status=status.value, reason=reason))
    return True


async def status_of(uow: UnitOfWork, user_id: int) -> PresenceStatus | None:
    row = await uow.fetchrow(_STATUS, {"user_id": user_id})
    return None if row is None else PresenceStatus(row["status"])


async def given_work(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """They took something: their idle time starts again (longest idle goes first)."""
    await uow.execute(_WORKED, {"user_id": user_id, "now": now})
