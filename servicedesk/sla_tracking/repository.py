"""Queries on SLA state: a ticket's clocks, the active policy set, compliance."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from servicedesk.sla_tracking.models import SlaClock, SlaPolicySet

_METRIC_ORDER = {"first_response": 0, "next_response": 1, "resolution": 2}


async def clocks_of(session: AsyncSession, ticket_id: int) -> list[SlaClock]:
    """In metric order (first response, each next response, resolution)."""
    rows = await session.scalars(select(SlaClock).where(col(SlaClock.ticket_id) == ticket_id))
    return sorted(rows, key=lambda c: (_METRIC_ORDER.get(c.metric, 9), c.cycle))


async def active_policy_set(session: AsyncSession) -> SlaPolicySet | None:
    return await session.scalar(select(SlaPolicySet).where(col(SlaPolicySet.active)))
