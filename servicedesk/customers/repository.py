"""Queries on customers: lookups by identity, lists, timelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk.access import customer_scope
from servicedesk.customers.models import Customer, CustomerIdentity
from servicedesk.customers.service import IdentityInput
from servicedesk.db import Actor
from servicedesk.enums import Channel, Direction
from servicedesk.tickets.models import Message, Ticket


async def identities_of(
    session: AsyncSession, customer_ids: list[int]
) -> dict[int, list[CustomerIdentity]]:
    result: dict[int, list[CustomerIdentity]] = {cid: [] for cid in customer_ids}
    if not customer_ids:
        return result
    rows = await session.scalars(
        select(CustomerIdentity)
        .where(CustomerIdentity.customer_id.in_(customer_ids))  # type: ignore[attr-defined]
        .order_by(CustomerIdentity.primary.desc(), CustomerIdentity.id)  # type: ignore[attr-defined]
    )
    for row in rows:
        result[row.customer_id].append(row)
    return result


async def list_customers(
    session: AsyncSession,
    actor: Actor,
    *,
    identity: IdentityInput | None = None,
    query: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Customer], int]:
    stmt = select(Customer)
    scope = customer_scope(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    if identity is not None:
        stmt = stmt.join(CustomerIdentity, CustomerIdentity.customer_id == Customer.id).where(
            CustomerIdentity.kind == identity.kind, CustomerIdentity.value == identity.value
        )
    if query:
        stmt = stmt.where(Customer.name.ilike(f"%{query}%"))  # type: ignore[attr-defined]
    total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = await session.scalars(stmt.order_by(Customer.id).limit(limit).offset(offset))
    return list(rows), total


@dataclass(frozen=True)
class TimelineEntry:
    message_id: int
    ticket_id: int
    ticket_number: int
    ticket_subject: str
    channel: Channel
    direction: Direction
    public: bool
    text: str
    created_at: datetime


async def timeline(
    session: AsyncSession,
    customer_id: int,
    *,
    limit: int = 50,
    offset: int = 0,
    include_internal: bool = True,
) -> tuple[list[TimelineEntry], int]:
    """Every message of every ticket of the customer, newest first, across channels."""
    base = (
        select(
            Message.id,
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Message.channel,
            Message.direction,
            Message.is_public,
            Message.body_text,
            Message.created_at,
        )
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(Ticket.customer_id == customer_id)
    )
    if not include_internal:  # filtered here, so totals and pages count only what is shown
        base = base.where(Message.is_public.is_(True))  # type: ignore[attr-defined]
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.execute(
        base.order_by(Message.created_at.desc(), Message.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
        .offset(offset)
    )
    return [TimelineEntry(*row) for row in rows], total
