"""Who has a ticket open, and who is typing a reply on it: kept on the screen's
connection row (`agent_connection`), so every web process sees every screen, and
a closed or dead screen takes its row with it. The ticket view warns an agent
that someone else is there before two people answer the same customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from servicedesk.db import UnitOfWork
from servicedesk.routing.presence import ALIVE
from servicedesk.sql import DriverSQL

TYPING_FOR = timedelta(seconds=10)  # a typing mark without a refresh goes stale

_VIEW = DriverSQL(
    """
    UPDATE agent_connection SET viewing_ticket_id = :ticket_id, typing_at = NULL
    WHERE sid = :sid
    RETURNING (SELECT viewing_ticket_id FROM agent_connection WHERE sid = :sid) AS previous
    """
)
_TYPING = DriverSQL(
    """
    UPDATE agent_connection
    SET typing_at = CASE WHEN :typing THEN CAST(:now AS timestamptz) END
    WHERE sid = :sid AND viewing_ticket_id = :ticket_id
    RETURNING (SELECT typing_at FROM agent_connection WHERE sid = :sid) AS before
    """
)
_VIEWERS = DriverSQL(
    """
    SELECT c.user_id, u.name, bool_or(c.typing_at > :typing_since) AS typing
    FROM agent_connection c JOIN app_user u ON u.id = c.user_id
    WHERE c.viewing_ticket_id = :ticket_id AND c.seen_at > :alive_since
    GROUP BY c.user_id, u.name
    ORDER BY u.name, c.user_id
    """
)


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str
    typing: bool


async def view(uow: UnitOfWork, sid: str, ticket_id: int) -> int | None:
    """The screen shows this ticket now; returns the ticket it showed before."""
    row = await uow.fetchrow(_VIEW, {"sid": sid, "ticket_id": ticket_id})
    return None if row is None or row["previous"] is None else int(row["previous"])


async def typing(uow: UnitOfWork, sid: str, ticket_id: int, on: bool, now: datetime) -> bool:
    """Mark (or clear) the screen typing on its ticket; True when that changes what
    the others see (a refresh of an ongoing mark does not)."""
    row = await uow.fetchrow(
        _TYPING, {"sid": sid, "ticket_id": ticket_id, "typing": on, "now": now}
    )
    if row is None:
        return False
    before: datetime | None = row["before"]
    was = before is not None and before > now - TYPING_FOR
    return was != on


async def viewers(uow: UnitOfWork, ticket_id: int, now: datetime) -> list[Viewer]:
    rows = await uow.fetch(
        _VIEWERS,
        {"ticket_id": ticket_id, "typing_since": now - TYPING_FOR, "alive_since": now - ALIVE},
    )
    return [Viewer(int(r["user_id"]), r["name"], bool(r["typing"])) for r in rows]
