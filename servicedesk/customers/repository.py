"""Queries on customers: lookups by identity, lists, timelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

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
        .where(col(CustomerIdentity.customer_id).in_(customer_ids))
        .order_by(col(CustomerIdentity.primary).desc(), col(CustomerIdentity.id))
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
        on = col(CustomerIdentity.customer_id) == col(Customer.id)
        stmt = stmt.join(CustomerIdentity, on).where(
            CustomerIdentity.kind == identity.kind, CustomerIdentity.value == identity.value
        )
    if query:
        # Search text is literal: % and _ typed by a person are not wildcards.
        literal = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(col(Customer.name).ilike(f"%{literal}%", escape="\\"))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = await session.scalars(stmt.order_by(col(Customer.id)).limit(limit).offset(offset))
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
        sa_select(
            col(Message.id),
            col(Ticket.id),
            col(Ticket.number),
            col(Ticket.subject),
            col(Message.channel),
            col(Message.direction),
            col(Message.is_public),
            col(Message.body_text),
            col(Message.created_at),
        )
        .join(Ticket, col(Ticket.id) == col(Message.ticket_id))
        .where(col(Ticket.customer_id) == customer_id)
    )
    if not include_internal:  # filtered here, so totals and pages count only what is shown
        base = base.where(col(Message.is_public).is_(True))
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.execute(
        base.order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return [TimelineEntry(*row) for row in rows], total  # type: ignore[arg-type]
