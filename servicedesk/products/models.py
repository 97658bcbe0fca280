"""What customers bought: products and the serial-numbered assets under warranty."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(sa_type=sa.String(64), unique=True)
    name: str = Field(sa_type=sa.String(200))
    category: str = Field(default="", sa_type=sa.String(100), index=True)
    price: Decimal | None = Field(default=None, sa_type=sa.Numeric(12, 2))
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    warranty_months: int = Field(default=12)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Asset(SQLModel, table=True):
    """One unit a customer owns; the warranty end is fixed at purchase time."""

    __tablename__ = "asset"

    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(sa_type=sa.String(100), unique=True)
    product_id: int = Field(foreign_key="product.id", index=True, ondelete="RESTRICT")
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    purchased_on: date
    warranty_ends_on: date
    extended_until: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
