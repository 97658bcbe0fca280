"""Rows to response shapes, loading related rows in batches (never one query per row)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from servicedesk.api.schemas import (
    AssetOut,
    AttachmentOut,
    CustomerOut,
    IdentityOut,
    MessageOut,
    ProductOut,
    Ref,
    SlaClockOut,
    TicketAsset,
    TicketCustomer,
    TicketOut,
)
from servicedesk.customers.models import Customer
from servicedesk.customers.repository import identities_of
from servicedesk.enums import IdentityKind
from servicedesk.loading import by_id
from servicedesk.products.models import Asset, Product
from servicedesk.products.warranty import warranty_state
from servicedesk.sla_tracking.models import SlaClock
from servicedesk.staff.models import Team, User
from servicedesk.tickets.models import Attachment, Message, Ticket
from servicedesk.tickets.repository import attachments_of


async def customers_out(session: AsyncSession, customers: list[Customer]) -> list[CustomerOut]:
    ids = [c.id for c in customers if c.id is not None]
    idents = await identities_of(session, ids)
    out = []
    for c in customers:
        assert c.id is not None
        mine = idents[c.id]

        def first(kind: IdentityKind, mine: list = mine) -> str | None:  # type: ignore[type-arg]
            return next((i.value for i in mine if i.kind == kind), None)

        out.append(
            CustomerOut(
                id=c.id,
                name=c.name,
                tier=c.tier,
                preferred_language=c.preferred_language,
                organization_id=c.organization_id,
                email=first(IdentityKind.email),
                phone=first(IdentityKind.phone),
                identities=[
                    IdentityOut(kind=i.kind, value=i.value, primary=i.primary) for i in mine
                ],
                created_at=c.created_at,
                updated_at=c.updated_at,
            )
        )
    return out


def asset_out(asset: Asset, product: Product, today: date) -> AssetOut:
    assert asset.id is not None
    return AssetOut(
        id=asset.id,
        serial=asset.serial,
        product_sku=product.sku,
        product_name=product.name,
        customer_id=asset.customer_id,
        purchased_on=asset.purchased_on,
        warranty_ends_on=asset.warranty_ends_on,
        extended_until=asset.extended_until,
        warranty=warranty_state(asset.warranty_ends_on, asset.extended_until, today),
    )


async def assets_out(session: AsyncSession, assets: list[Asset], today: date) -> list[AssetOut]:
    product_ids = {a.product_id for a in assets}
    products = {
        p.id: p
        for p in await session.scalars(
            select(Product).where(Product.id.in_(product_ids))  # type: ignore[union-attr]
        )
    }
    return [asset_out(a, products[a.product_id], today) for a in assets]


def sla_clock_out(c: SlaClock) -> SlaClockOut:
    return SlaClockOut(
        metric=c.metric,
        cycle=c.cycle,
        target=int(c.target.total_seconds()),
        due_at=c.due_at,
        warn_at=c.warn_at,
        state=c.state,
        elapsed=int(c.elapsed.total_seconds()),
        breached_at=c.breached_at,
        stopped_at=c.stopped_at,
    )


def message_out(m: Message, files: Sequence[Attachment] = ()) -> MessageOut:
    assert m.id is not None
    return MessageOut(
        id=m.id,
        channel=m.channel,
        direction=m.direction.value,
        public=m.is_public,
        author_user_id=m.author_user_id,
        author_customer_id=m.author_customer_id,
        text=m.body_text,
        html=m.body_html,
        created_at=m.created_at,
        delivery_state=m.delivery_state,
        delivery_error=m.delivery_error,
        attachments=[
            AttachmentOut(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size)
            for a in files
            if a.id is not None
        ],
    )


async def tickets_out(
    session: AsyncSession,
    tickets: list[Ticket],
    today: date,
    messages: dict[int, list[Message]] | None = None,
    *,
    known: Sequence[Any] = (),
) -> list[TicketOut]:
    """`known`: rows the caller already holds (customer, asset, Team…), not re-read."""
    held: dict[tuple[type, int | None], Any] = {(type(r), r.id): r for r in known if r is not None}

    async def load(model: Any, ids: set[int | None]) -> dict[int, Any]:
        found = {i: held[(model, i)] for i in ids if i is not None and (model, i) in held}
        return found | await by_id(session, model, ids - found.keys())

    customers = await load(Customer, {t.customer_id for t in tickets})
    assets = await load(Asset, {t.asset_id for t in tickets})
    teams = await load(Team, {t.queue_id for t in tickets})
    users = await load(User, {t.assignee_id for t in tickets})
    files: dict[int, list[Attachment]] = {}
    if messages is not None:
        files = await attachments_of(
            session, [m.id for ms in messages.values() for m in ms if m.id is not None]
        )
    out = []
    for t in tickets:
        assert t.id is not None
        assert t.number is not None
        c = customers[t.customer_id]
        a = assets.get(t.asset_id) if t.asset_id else None
        q = teams.get(t.queue_id) if t.queue_id else None
        u = users.get(t.assignee_id) if t.assignee_id else None
        out.append(
            TicketOut(
                id=t.id,
                number=t.number,
                subject=t.subject,
                status=t.status,
                priority=t.priority,
                channel=t.channel,
                customer=TicketCustomer(id=c.id, name=c.name, tier=c.tier),
                asset=TicketAsset(
                    id=a.id,
                    serial=a.serial,
                    warranty=warranty_state(a.warranty_ends_on, a.extended_until, today),
                )
                if a
                else None,
                queue=Ref(id=q.id, name=q.name) if q else None,
                assignee=Ref(id=u.id, name=u.name) if u else None,
                version=t.version,
                created_at=t.created_at,
                updated_at=t.updated_at,
                first_responded_at=t.first_responded_at,
                solved_at=t.solved_at,
                closed_at=t.closed_at,
                messages=[message_out(m, files.get(m.id or 0, ())) for m in messages[t.id]]
                if messages is not None
                else None,
            )
        )
    return out


def product_out(p: Product) -> ProductOut:
    assert p.id is not None
    return ProductOut(
        id=p.id,
        sku=p.sku,
        name=p.name,
        category=p.category,
        price=p.price,
        warranty_months=p.warranty_months,
        attributes=p.attributes,
    )
