"""Admin: the product catalogue (warranty length is per product)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.enums import Role
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.loading import counts_by
from servicedesk.products import service as products
from servicedesk.products.models import Asset, Product
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.forms import error_context, read_form
from servicedesk.web.templating import render_page

FIELDS = ("sku", "name", "category", "price", "warranty_months")
MAX_PRICE = Decimal("9999999999.99")


async def _render(
    request: Request, caller: Caller, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    async with db_of(request).read_session() as session:
        rows = list(await session.scalars(select(Product).order_by(col(Product.sku))))
        counts = await counts_by(
            session, select(col(Asset.product_id), func.count()).group_by(col(Asset.product_id))
        )
    context = {
        "products": rows,
        "asset_counts": counts,
        "created": request.query_params.get("created", ""),
        "values": {"warranty_months": "12"},
        "fields": {},
        "known_fields": FIELDS,
        "section": "admin",
        "admin_section": "products",
        **(extra or {}),
    }
    return render_page(request, caller, "admin/products.html", context, status_code=status_code)


@page_route(Role.admin)
async def products_page(request: Request, caller: Caller) -> Response:
    return await _render(request, caller)


@page_route(Role.admin)
async def create_product(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    try:
        sku = form.text("sku", required=True, max_length=64)
        name = form.text("name", required=True, max_length=200)
        category = form.text("category", max_length=100)
        price = form.decimal("price", maximum=MAX_PRICE)
        months = form.integer("warranty_months", minimum=0, maximum=240)
        form.check()
        async with db_of(request).unit_of_work(caller.actor) as uow:
            product = await products.create_product(
                uow,
                sku=sku,
                name=name,
                category=category,
                price=price,
                warranty_months=12 if months is None else months,
            )
    except (InvalidInput, Conflict) as exc:
        return await _render(request, caller, error_context(form, exc), exc.status_code)
    return RedirectResponse(
        f"/admin/products?{urlencode({'created': product.sku})}", status_code=303
    )
