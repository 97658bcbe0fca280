"""All writes on products and assets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import select

from servicedesk.audit.service import record, snapshot
from servicedesk.customers.models import Customer
from servicedesk.db import UnitOfWork
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.products.models import Asset, Product
from servicedesk.products.warranty import add_months

PRODUCT_FIELDS = ("sku", "name", "category", "price", "warranty_months")
ASSET_FIELDS = (
    "serial",
    "product_id",
    "customer_id",
    "purchased_on",
    "warranty_ends_on",
    "extended_until",
)


async def create_product(
    uow: UnitOfWork,
    *,
    sku: str,
    name: str,
    category: str = "",
    price: Decimal | None = None,
    warranty_months: int = 12,
    attributes: dict[str, Any] | None = None,
) -> Product:
    sku = sku.strip().upper()
    errors: dict[str, str] = {}
    if not sku:
        errors["sku"] = "must not be empty"
    if not name.strip():
        errors["name"] = "must not be empty"
    if price is not None and price < 0:
        errors["price"] = "must not be negative"
    if not 0 <= warranty_months <= 240:
        errors["warranty_months"] = "0 to 240"
    if errors:
        raise InvalidInput("invalid product", fields=errors)
    if await uow.session.scalar(select(Product.id).where(Product.sku == sku)) is not None:
        raise Conflict(f"product {sku} exists", fields={"sku": "taken"})
    product = Product(
        sku=sku,
        name=name.strip(),
        category=category.strip(),
        price=price,
        warranty_months=warranty_months,
        attributes=attributes or {},
    )
    uow.session.add(product)
    await uow.session.flush()
    assert product.id is not None
    record(uow, "product.created", "product", product.id, after=snapshot(product, PRODUCT_FIELDS))
    return product


async def product_by_sku(uow: UnitOfWork, sku: str) -> Product | None:
    return await uow.session.scalar(select(Product).where(Product.sku == sku.strip().upper()))


async def create_asset(
    uow: UnitOfWork,
    *,
    serial: str,
    product_sku: str,
    customer_id: int,
    purchased_on: date,
    extended_until: date | None = None,
) -> Asset:
    serial = serial.strip()
    product = await product_by_sku(uow, product_sku)
    errors: dict[str, str] = {}
    if product is None:
        errors["product_sku"] = "no such product"
    if await uow.session.get(Customer, customer_id) is None:
        errors["customer_id"] = "no such customer"
    if errors:
        raise InvalidInput("invalid asset", fields=errors)
    assert product is not None
    try:
        warranty_ends_on = add_months(purchased_on, product.warranty_months)
    except ValueError:  # past year 9999
        raise InvalidInput(
            "the warranty would end after the year 9999",
            fields={"purchased_on": "too far in the future"},
        ) from None
    if extended_until is not None and extended_until < warranty_ends_on:
        raise InvalidInput(
            "an extended warranty ends after the maker's warranty",
            fields={"extended_until": f"must be after {warranty_ends_on.isoformat()}"},
        )
    if await uow.session.scalar(select(Asset.id).where(Asset.serial == serial)) is not None:
        raise Conflict(f"asset {serial} exists", fields={"serial": "taken"})
    assert product.id is not None
    asset = Asset(
        serial=serial,
        product_id=product.id,
        customer_id=customer_id,
        purchased_on=purchased_on,
        warranty_ends_on=warranty_ends_on,
        extended_until=extended_until,
    )
    uow.session.add(asset)
    await uow.session.flush()
    assert asset.id is not None
    record(uow, "asset.created", "asset", asset.id, after=snapshot(asset, ASSET_FIELDS))
    return asset


async def asset_by_serial(uow: UnitOfWork, serial: str) -> Asset | None:
    return await uow.session.scalar(select(Asset).where(Asset.serial == serial.strip()))
