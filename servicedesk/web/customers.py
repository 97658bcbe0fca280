"""Customer screens: search (staff) and the whole customer on one page."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import Response

from servicedesk.access import STAFF, can_see_customer, ticket_scope
from servicedesk.customers.models import Customer, Organization
from servicedesk.customers.repository import (
    TimelineEntry,
    identities_of,
    list_customers,
    timeline,
)
from servicedesk.customers.service import IdentityInput
from servicedesk.db import Actor
from servicedesk.enums import IdentityKind, Role
from servicedesk.errors import Forbidden, InvalidInput, NotFound
from servicedesk.identities import normalise_email, normalise_phone
from servicedesk.loading import MAX_INT4, by_id
from servicedesk.products.models import Asset, Product
from servicedesk.products.warranty import warranty_state
from servicedesk.settings import local_today
from servicedesk.staff.models import Team, User
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.repository import TicketFilters, list_tickets
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.templating import is_htmx, render_page

PAGE_SIZE = 50
_PHONE_LIKE = re.compile(r"\+?[\d\s().-]{6,}")


def search_terms(q: str, region: str) -> tuple[IdentityInput | None, str | None]:
    """An exact identity when `q` is an e-mail address or phone number, else a name."""
    if not q:
        return None, None
    try:
        if "@" in q:
            return IdentityInput(IdentityKind.email, normalise_email(q)), None
        if _PHONE_LIKE.fullmatch(q) and sum(c.isdigit() for c in q) >= 6:
            return IdentityInput(IdentityKind.phone, normalise_phone(q, region)), None
    except InvalidInput:
        return None, q  # not a usable address or number: search it as part of a name
    return None, q


@page_route(*STAFF)
async def customer_list(request: Request, caller: Caller) -> Response:
    q = request.query_params.get("q", "").strip()[:200]
    identity, name = search_terms(q, request.app.state.settings.default_region)
    async with db_of(request).read_session() as session:
        rows, total = await list_customers(
            session, caller.actor, identity=identity, query=name, limit=PAGE_SIZE
        )
        ids = [c.id for c in rows if c.id is not None]
        contacts = await identities_of(session, ids)
        orgs = await by_id(session, Organization, (c.organization_id for c in rows))
    context = {
        "q": q,
        "by_identity": identity is not None,
        "customers": rows,
        "total": total,
        "contacts": contacts,
        "orgs": orgs,
        "section": "customers",
    }
    template = "customers/_results.html" if is_htmx(request) else "customers/list.html"
    return render_page(request, caller, template, context)


async def _visible_timeline(
    session: AsyncSession, actor: Actor, customer_id: int
) -> tuple[list[TimelineEntry], int, set[int]]:
    entries, total = await timeline(session, customer_id, limit=PAGE_SIZE)
    if actor.role == Role.partner:
        # Internal notes are not theirs to see, nor how many there are.
        entries = [e for e in entries if e.public]
        total = len(entries)
    ticket_ids = {e.ticket_id for e in entries}
    stmt = select(col(Ticket.id)).where(col(Ticket.id).in_(ticket_ids))
    scope = ticket_scope(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    openable = {i for i in await session.scalars(stmt) if i is not None} if ticket_ids else set()
    return entries, total, openable


async def _assets(session: AsyncSession, customer_id: int, today: date) -> list[dict[str, Any]]:
    assets = list(
        await session.scalars(
            select(Asset)
            .where(col(Asset.customer_id) == customer_id)
            .order_by(col(Asset.purchased_on).desc(), col(Asset.id))
        )
    )
    products = await by_id(session, Product, (a.product_id for a in assets))
    return [
        {
            "asset": a,
            "product": products.get(a.product_id),
            "warranty": warranty_state(a.warranty_ends_on, a.extended_until, today),
        }
        for a in assets
    ]


async def _visible_customer(session: AsyncSession, actor: Actor, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id) if customer_id <= MAX_INT4 else None
    if customer is None or customer.id is None:
        raise NotFound("no such customer")
    if not can_see_customer(actor, customer):
        raise Forbidden("this customer is not yours to see")
    return customer


@page_route()
async def customer_summary(request: Request, caller: Caller) -> Response:
    """The customer beside a ticket (the agent's ticket view): products with their
    warranty state and the cross-channel timeline; a fragment htmx loads."""
    today = local_today(request.app.state.settings)
    async with db_of(request).read_session() as session:
        customer = await _visible_customer(session, caller.actor, request.path_params["id"])
        assert customer.id is not None
        assets = await _assets(session, customer.id, today)
        entries, timeline_total, openable = await _visible_timeline(
            session, caller.actor, customer.id
        )
    return render_page(
        request,
        caller,
        "customers/_summary.html",
        {
            "customer": customer,
            "assets": assets,
            "timeline": entries,
            "timeline_total": timeline_total,
            "openable": openable,
        },
    )


@page_route()
async def customer_page(request: Request, caller: Caller) -> Response:
    customer_id: int = request.path_params["id"]
    today = local_today(request.app.state.settings)
    async with db_of(request).read_session() as session:
        customer = await _visible_customer(session, caller.actor, customer_id)
        assert customer.id is not None
        organization = (
            await session.get(Organization, customer.organization_id)
            if customer.organization_id is not None
            else None
        )
        contacts = (await identities_of(session, [customer.id]))[customer.id]
        assets = await _assets(session, customer.id, today)
        rows, ticket_total = await list_tickets(
            session, caller.actor, TicketFilters(customer_id=customer.id), limit=PAGE_SIZE
        )
        teams = await by_id(session, Team, (t.queue_id for t in rows))
        users = await by_id(session, User, (t.assignee_id for t in rows))
        entries, timeline_total, openable = await _visible_timeline(
            session, caller.actor, customer.id
        )
    return render_page(
        request,
        caller,
        "customers/detail.html",
        {
            "customer": customer,
            "organization": organization,
            "contacts": contacts,
            "assets": assets,
            "tickets": rows,
            "ticket_total": ticket_total,
            "team_names": {i: t.name for i, t in teams.items()},
            "users": users,
            "timeline": entries,
            "timeline_total": timeline_total,
            "openable": openable,
            "section": "customers",
        },
    )
