"""What a `/live` screen needs after a reconnect, read from the database: pushes sent
while it was away are lost, so it asks (`resync`) for the state they would have told
it about and re-fetches its fragments. Never from a process's memory: the screen may
have come back to another process."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from servicedesk.db import Database
from servicedesk.routing.models import AgentPresence, OfferState, RoutingEntry, RoutingOffer
from servicedesk.staff.models import Team

Json = dict[str, Any]


def iso_utc(at: datetime) -> str:
    """ISO 8601 in UTC, as every instant the live surface sends."""
    return at.astimezone(UTC).isoformat()


async def snapshot(
    db: Database, *, user_id: int, role: str, queues: list[int] | None, now: datetime
) -> Json:
    """`queues`: the queues the screen hears about (None: all of them)."""
    async with db.read_session() as s:
        return {
            "user_id": user_id,
            "role": role,
            "presence": await presence_of(s, user_id),
            "offers": await pending_offers(s, user_id, now),
            "queues": await waiting_counts(s, queues),
        }


async def presence_of(s: AsyncSession, user_id: int) -> str | None:
    status = await s.scalar(
        select(AgentPresence.status).where(col(AgentPresence.user_id) == user_id)
    )
    return None if status is None else str(status)


async def pending_offers(s: AsyncSession, user_id: int, now: datetime) -> list[Json]:
    rows = await s.execute(
        select(
            col(RoutingOffer.id),
            col(RoutingOffer.ticket_id),
            col(RoutingOffer.work_class),
            col(RoutingOffer.expires_at),
        )
        .where(
            col(RoutingOffer.user_id) == user_id,
            col(RoutingOffer.state) == OfferState.pending,
            col(RoutingOffer.expires_at) > now,
        )
        .order_by(col(RoutingOffer.expires_at))
    )
    return [
        {
            "offer_id": offer_id,
            "ticket_id": ticket_id,
            "channel": str(work_class),
            "expires_at": iso_utc(expires_at),
            "seconds_left": math.ceil((expires_at - now).total_seconds()),
        }
        for offer_id, ticket_id, work_class, expires_at in rows
    ]


async def waiting_counts(s: AsyncSession, queues: list[int] | None) -> list[Json]:
    if queues == []:
        return []
    query = (
        select(col(Team.id), col(Team.name), func.count(col(RoutingEntry.ticket_id)))
        .select_from(Team)
        .outerjoin(RoutingEntry, col(RoutingEntry.queue_id) == col(Team.id))
        .group_by(col(Team.id), col(Team.name))
        .order_by(col(Team.name), col(Team.id))
    )
    if queues is not None:
        query = query.where(col(Team.id).in_(queues))
    rows = await s.execute(query)
    return [{"queue_id": q, "name": name, "waiting": waiting} for q, name, waiting in rows]
