"""/api/v1 endpoints. Each: authenticate, validate, one unit of work, present."""

from __future__ import annotations

import base64
import binascii
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from servicedesk import access
from servicedesk.api import present
from servicedesk.api.schemas import (
    MAX_ID,
    AssetIn,
    AttachmentIn,
    Collaborator,
    CustomerIn,
    CustomerPatch,
    Page,
    ProductIn,
    ReplyIn,
    TicketIn,
    TicketPatch,
    TimelineOut,
)
from servicedesk.channels.email.filenames import safe_filename
from servicedesk.customers import repository as customers_repo
from servicedesk.customers import service as customers
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, as_loaded
from servicedesk.enums import Direction, Role, TicketStatus
from servicedesk.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicedesk.products import service as products
from servicedesk.products.models import Asset, Product
from servicedesk.settings import Settings, local_today
from servicedesk.sla_tracking import repository as sla_repo
from servicedesk.staff.models import Team
from servicedesk.tickets import repository as tickets_repo
from servicedesk.tickets import service as tickets
from servicedesk.tickets.attachments import NewAttachment
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.repository import attachments_of
from servicedesk.web.auth import Caller, api_route, reading, work

M = TypeVar("M", bound=BaseModel)
MAX_LIMIT = 200


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def json(data: Any, status_code: int = 200) -> JSONResponse:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return JSONResponse(data, status_code=status_code)


async def body_as(request: Request, model: type[M]) -> M:
    raw = await request.body()
    if not raw.strip():
        raise InvalidInput("a JSON body is required", fields={"body": "empty"})
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "body"
            fields.setdefault(where, err["msg"])
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise ServiceError("the body is not valid JSON", fields=fields) from exc
        raise InvalidInput("invalid input", fields=fields) from exc


def _str_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is not None and "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character", fields={name: "invalid character"})
    return value


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a number", fields={name: "not a number"}) from None
    if abs(number) > MAX_ID:  # past every id column; PostgreSQL would refuse it
        raise InvalidInput(f"{name} is out of range", fields={name: f"at most {MAX_ID}"})
    return number


def _paging(request: Request) -> tuple[int, int]:
    limit = _int_param(request, "limit")
    offset = _int_param(request, "offset")
    limit = 50 if limit is None else limit
    offset = 0 if offset is None else offset
    errors: dict[str, str] = {}
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = f"1..{MAX_LIMIT}"
    if offset < 0:
        errors["offset"] = "0 or more"
    if errors:
        raise InvalidInput("bad paging", fields=errors)
    return limit, offset


def _path_id(request: Request, name: str = "id") -> int:
    raw = request.path_params[name]
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise NotFound("no such record") from None
    if value <= 0 or value > MAX_ID:
        raise NotFound("no such record")
    return value


# ---- customers ---------------------------------------------------------------


async def _visible_customer(session: AsyncSession, actor: Actor, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("no such customer")
    if not access.can_see_customer(actor, customer):
        raise Forbidden("this customer is not yours to see")
    return customer


@api_route()
async def create_customer(request: Request, caller: Caller) -> Response:
    data = await body_as(request, CustomerIn)
    region = _settings(request).default_region
    idents = customers.identities_from(email=data.email, phone=data.phone, region=region)
    org_id = data.organization_id
    if caller.user.role == Role.partner:
        if org_id not in (None, caller.user.organization_id):
            raise Forbidden("partners create customers of their own organisation only")
        org_id = caller.user.organization_id
    async with work(caller) as uow:
        customer = await customers.create_customer(
            uow,
            name=data.name,
            identities=idents,
            tier=data.tier,
            preferred_language=data.preferred_language,
            organization_id=org_id,
        )
        (out,) = await present.customers_out(uow.session, [customer])
    return json(out, 201)


@api_route()
async def list_customers(request: Request, caller: Caller) -> Response:
    limit, offset = _paging(request)
    region = _settings(request).default_region
    email = (_str_param(request, "email") or "").strip() or None
    phone = None if email else _str_param(request, "phone")
    query = _str_param(request, "q")
    found = customers.identities_from(email=email, phone=phone, region=region)  # skips blanks
    ident = found[0] if found else None
    async with reading(caller) as session:
        rows, total = await customers_repo.list_customers(
            session, caller.actor, identity=ident, query=query, limit=limit, offset=offset
        )
        items = await present.customers_out(session, rows)
    return json(Page(items=items, total=total, limit=limit, offset=offset))


@api_route()
async def get_customer(request: Request, caller: Caller) -> Response:
    async with reading(caller) as session:
        customer = await _visible_customer(session, caller.actor, _path_id(request))
        (out,) = await present.customers_out(session, [customer])
    return json(out)


@api_route()
async def patch_customer(request: Request, caller: Caller) -> Response:
    data = await body_as(request, CustomerPatch)
    region = _settings(request).default_region
    idents = customers.identities_from(email=data.email, phone=data.phone, region=region)
    sent = data.model_fields_set
    if "organization_id" in sent and caller.user.role == Role.partner:
        raise Forbidden("partners cannot move customers between organisations")
    async with work(caller) as uow:
        customer = await _visible_customer(uow.session, caller.actor, _path_id(request))
        await customers.update_customer(
            uow,
            customer,
            name=data.name,
            tier=data.tier,
            preferred_language=data.preferred_language,
            organization_id=data.organization_id,
            set_organization="organization_id" in sent,
            identities=idents,
        )
        (out,) = await present.customers_out(uow.session, [customer])
    return json(out)


@api_route()
async def customer_timeline(request: Request, caller: Caller) -> Response:
    limit, offset = _paging(request)
    async with reading(caller) as session:
        customer = await _visible_customer(session, caller.actor, _path_id(request))
        assert customer.id is not None
        entries, total = await customers_repo.timeline(
            session,
            customer.id,
            limit=limit,
            offset=offset,
            include_internal=caller.user.role != Role.partner,
        )
    items = [
        TimelineOut(
            message_id=e.message_id,
            ticket_id=e.ticket_id,
            ticket_number=e.ticket_number,
            ticket_subject=e.ticket_subject,
            channel=e.channel,
            direction=e.direction.value,
            public=e.public,
            text=e.text,
            created_at=e.created_at,
        )
        for e in entries
    ]
    return json(Page(items=items, total=total, limit=limit, offset=offset))


# ---- products and assets -------------------------------------------------------


@api_route(Role.admin)
async def create_product(request: Request, caller: Caller) -> Response:
    data = await body_as(request, ProductIn)
    async with work(caller) as uow:
        product = await products.create_product(uow, **data.model_dump())
    return json(present.product_out(product), 201)


@api_route()
async def list_products(request: Request, caller: Caller) -> Response:
    limit, offset = _paging(request)
    stmt = select(Product)
    category = _str_param(request, "category")
    if category:
        stmt = stmt.where(Product.category == category)
    async with reading(caller) as session:
        total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = list(await session.scalars(stmt.order_by(Product.sku).limit(limit).offset(offset)))
    return json(
        Page(items=[present.product_out(p) for p in rows], total=total, limit=limit, offset=offset)
    )


@api_route()
async def create_asset(request: Request, caller: Caller) -> Response:
    data = await body_as(request, AssetIn)
    async with work(caller) as uow:
        customer = await uow.session.get(Customer, data.customer_id)
        if customer is not None and not access.can_see_customer(caller.actor, customer):
            raise Forbidden("this customer is not yours")
        asset = await products.create_asset(uow, **data.model_dump())
        (out,) = await present.assets_out(uow.session, [asset], local_today(_settings(request)))
    return json(out, 201)


@api_route()
async def list_assets(request: Request, caller: Caller) -> Response:
    limit, offset = _paging(request)
    customer_id = _int_param(request, "customer_id")
    serial = _str_param(request, "serial")
    stmt = select(Asset)
    scope = access.customer_scope(caller.actor)
    if scope is not None:
        stmt = stmt.join(Customer, col(Customer.id) == col(Asset.customer_id)).where(scope)
    if customer_id is not None:
        stmt = stmt.where(Asset.customer_id == customer_id)
    if serial:
        stmt = stmt.where(Asset.serial == serial.strip())
    async with reading(caller) as session:
        total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = list(await session.scalars(stmt.order_by(col(Asset.id)).limit(limit).offset(offset)))
        items = await present.assets_out(session, rows, local_today(_settings(request)))
    return json(Page(items=items, total=total, limit=limit, offset=offset))


# ---- tickets ---------------------------------------------------------------------


async def _visible_ticket(session: AsyncSession, actor: Actor, ticket_id: int) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("no such ticket")
    org = await session.scalar(
        select(Customer.organization_id).where(Customer.id == ticket.customer_id)
    )
    if not access.can_see_ticket(actor, ticket, org):
        raise Forbidden("this ticket is not in your queues")
    return ticket


async def _ticket_customer(uow: Any, caller: Caller, data: TicketIn, region: str) -> Customer:
    if data.customer_id is not None:
        customer = await uow.session.get(Customer, data.customer_id)
        if customer is None:
            raise InvalidInput("no such customer", fields={"customer_id": "unknown"})
    else:
        try:
            ident = customers.identities_from(
                email=data.customer_email, phone=data.customer_phone, region=region
            )[0]
        except InvalidInput as exc:  # name the fields as this request spells them
            raise InvalidInput(
                exc.message, fields={f"customer_{k}": v for k, v in exc.fields.items()}
            ) from exc
        org = caller.user.organization_id if caller.user.role == Role.partner else None
        customer, _ = await customers.resolve_customer(
            uow, ident, name=data.customer_name, organization_id=org
        )
    if not access.can_see_customer(caller.actor, customer):
        raise Forbidden("this customer is not yours")
    found: Customer = customer
    return found


@api_route()
async def create_ticket(request: Request, caller: Caller) -> Response:
    data = await body_as(request, TicketIn)
    if not data.customer_given():
        raise InvalidInput(
            "who is the customer?",
            fields={"customer_id": "give customer_id, customer_email or customer_phone"},
        )
    region = _settings(request).default_region
    today = local_today(_settings(request))
    async with work(caller) as uow:
        customer = await _ticket_customer(uow, caller, data, region)
        asset = None
        if data.asset_serial:
            asset = await products.asset_by_serial(uow, data.asset_serial)
            if asset is None:
                raise InvalidInput("no such asset", fields={"asset_serial": "unknown serial"})
        ticket, message = await tickets.create_ticket(
            uow,
            subject=data.subject,
            customer=customer,
            asset=asset,
            priority=data.priority,
            first=tickets.NewMessage(
                channel=data.channel,
                direction=Direction.inbound,
                body_text=data.body,
                body_html=data.body_html,
                author_customer_id=customer.id,
                meta={"via": "api", "by_user_id": caller.user.id},
            ),
        )
        queues = [
            as_loaded(Team, {"id": q, "name": name})
            for q, name in uow.pending.get(tickets.QUEUE_NAMES, [])
        ]
        (out,) = await present.tickets_out(
            uow.session,
            [ticket],
            today,
            {ticket.id: [message]},  # type: ignore[dict-item]
            known=[customer, asset, *queues],
        )
    return json(out, 201)


def _status_filter(request: Request) -> list[TicketStatus] | None:
    raw = request.query_params.get("status")
    if not raw:
        return None
    try:
        return [TicketStatus(s.strip()) for s in raw.split(",") if s.strip()]
    except ValueError:
        raise InvalidInput(
            "unknown status", fields={"status": ", ".join(s.value for s in TicketStatus)}
        ) from None


@api_route()
async def list_tickets(request: Request, caller: Caller) -> Response:
    limit, offset = _paging(request)
    filters = tickets_repo.TicketFilters(
        status=_status_filter(request),
        queue_id=_int_param(request, "queue"),
        customer_id=_int_param(request, "customer"),
        assignee_id=_int_param(request, "assignee"),
    )
    async with reading(caller) as session:
        rows, total = await tickets_repo.list_tickets(
            session, caller.actor, filters, limit=limit, offset=offset
        )
        items = await present.tickets_out(session, rows, local_today(_settings(request)))
    return json(Page(items=items, total=total, limit=limit, offset=offset))


@api_route()
async def get_ticket(request: Request, caller: Caller) -> Response:
    async with reading(caller) as session:
        ticket = await _visible_ticket(session, caller.actor, _path_id(request))
        assert ticket.id is not None
        messages = await tickets_repo.messages_of(
            session, ticket.id, include_internal=caller.user.role != Role.partner
        )
        (out,) = await present.tickets_out(
            session, [ticket], local_today(_settings(request)), {ticket.id: messages}
        )
        out.collaborators = [
            Collaborator(address=c.address, name=c.name)
            for c in await tickets_repo.collaborators_of(session, ticket.id)
        ]
        out.policy = ticket.sla_policy
        out.sla = [present.sla_clock_out(c) for c in await sla_repo.clocks_of(session, ticket.id)]
    return json(out)


@api_route(*access.STAFF)
async def patch_ticket(request: Request, caller: Caller) -> Response:
    data = await body_as(request, TicketPatch)
    sent = data.model_fields_set
    async with work(caller) as uow:
        ticket = await _visible_ticket(uow.session, caller.actor, _path_id(request))
        changes = tickets.TicketChanges(
            status=data.status,
            priority=data.priority,
            queue_id=data.queue_id,
            assignee_id=data.assignee_id,
            set_queue="queue_id" in sent,
            set_assignee="assignee_id" in sent,
            expected_version=data.version,
        )
        try:
            await tickets.update_ticket(uow, ticket, changes)
        except InvalidInput as exc:  # the service says "queue"; this body says "queue_id"
            renamed = {"queue": "queue_id", "assignee": "assignee_id"}
            raise InvalidInput(
                exc.message, fields={renamed.get(k, k): v for k, v in exc.fields.items()}
            ) from exc
        (out,) = await present.tickets_out(uow.session, [ticket], local_today(_settings(request)))
    return json(out)


@api_route()
async def create_reply(request: Request, caller: Caller) -> Response:
    data = await body_as(request, ReplyIn)
    if caller.user.role == Role.partner and not data.public:
        raise Forbidden("partners cannot write internal notes")
    files = _decoded_attachments(data.attachments, _settings(request).max_attachment_bytes)
    async with work(caller) as uow:
        ticket = await _visible_ticket(uow.session, caller.actor, _path_id(request))
        message = await tickets.add_reply(
            uow,
            ticket,
            author=caller.user,
            body=data.body,
            public=data.public,
            attachments=files,
        )
        assert message.id is not None
        stored = (await attachments_of(uow.session, [message.id])).get(message.id, [])
    return json(present.message_out(message, stored), 201)


def _decoded_attachments(items: list[AttachmentIn], limit: int) -> list[NewAttachment]:
    files: list[NewAttachment] = []
    errors: dict[str, str] = {}
    for n, item in enumerate(items):
        try:
            data = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            errors[f"attachments.{n}.content_base64"] = "not valid base64"
            continue
        if len(data) > limit:
            errors[f"attachments.{n}.content_base64"] = f"over the {limit}-byte limit"
            continue
        name = safe_filename(item.filename) or f"attachment-{n + 1}"
        files.append(NewAttachment(name, item.content_type.lower(), data))
    if errors:
        raise InvalidInput("invalid attachments", fields=errors)
    return files
