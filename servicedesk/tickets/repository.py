"""Queries on tickets: scoped lists and one ticket with what a screen needs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from servicedesk.access import ticket_scope
from servicedesk.db import Actor
from servicedesk.enums import Priority, TicketStatus
from servicedesk.tickets.models import Attachment, Message, Ticket, TicketCollaborator

PRIORITY_ORDER = {Priority.urgent: 0, Priority.high: 1, Priority.normal: 2, Priority.low: 3}


@dataclass
class TicketFilters:
    status: list[TicketStatus] | None = None
    queue_id: int | None = None
    customer_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False


async def list_tickets(
    session: AsyncSession,
    actor: Actor,
    filters: TicketFilters,
    *,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Ticket], int]:
    stmt = select(Ticket)
    scope = ticket_scope(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    if filters.status:
        stmt = stmt.where(Ticket.status.in_(filters.status))  # type: ignore[attr-defined]
    if filters.queue_id is not None:
        stmt = stmt.where(Ticket.queue_id == filters.queue_id)
    if filters.customer_id is not None:
        stmt = stmt.where(Ticket.customer_id == filters.customer_id)
    if filters.assignee_id is not None:
        stmt = stmt.where(Ticket.assignee_id == filters.assignee_id)
    if filters.unassigned:
        stmt = stmt.where(Ticket.assignee_id.is_(None))  # type: ignore[union-attr]
    total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = await session.scalars(
        stmt.order_by(col(Ticket.updated_at).desc(), col(Ticket.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


async def messages_of(
    session: AsyncSession, ticket_id: int, *, include_internal: bool = True
) -> list[Message]:
    stmt = select(Message).where(Message.ticket_id == ticket_id)
    if not include_internal:
        stmt = stmt.where(col(Message.is_public).is_(True))
    rows = await session.scalars(stmt.order_by(col(Message.created_at), col(Message.id)))
    return list(rows)


async def ticket_by_number(session: AsyncSession, number: int) -> Ticket | None:
    return await session.scalar(select(Ticket).where(Ticket.number == number))


async def attachments_of(
    session: AsyncSession, message_ids: list[int]
) -> dict[int, list[Attachment]]:
    """The attachments of several messages in one query, by message id."""
    found: dict[int, list[Attachment]] = {}
    if not message_ids:
        return found
    rows = await session.scalars(
        select(Attachment)
        .where(col(Attachment.message_id).in_(message_ids))
        .order_by(col(Attachment.id))
    )
    for row in rows:
        found.setdefault(row.message_id, []).append(row)
    return found


async def collaborators_of(session: AsyncSession, ticket_id: int) -> list[TicketCollaborator]:
    """Who else is copied on the ticket (e-mail Cc), in the order they joined."""
    rows = await session.scalars(
        select(TicketCollaborator)
        .where(TicketCollaborator.ticket_id == ticket_id)
        .order_by(col(TicketCollaborator.id))
    )
    return list(rows)
