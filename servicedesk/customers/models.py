"""Customers, their organisations and every identity they reach us by."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow
from servicedesk.enums import IdentityKind, OrganizationKind, Tier, checked


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200), unique=True)
    kind: OrganizationKind = Field(
        default=OrganizationKind.customer, sa_type=checked(OrganizationKind, "kind")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200))
    tier: Tier = Field(default=Tier.standard, sa_type=checked(Tier, "tier"))
    preferred_language: str = Field(default="he", sa_type=sa.String(8))
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class CustomerIdentity(SQLModel, table=True):
    """One way to reach a customer; `value` is normalised so lookups are exact."""

    __tablename__ = "customer_identity"
    __table_args__ = (sa.UniqueConstraint("kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    kind: IdentityKind = Field(sa_type=checked(IdentityKind, "kind"))
    value: str = Field(sa_type=sa.String(320))
    primary: bool = Field(default=False)
    # Set when mail to this address bounced for good; cleared when they write again.
    bounced_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    bounce_reason: str = Field(
        default="", sa_type=sa.String(1000), sa_column_kwargs={"server_default": ""}
    )
    # Phone numbers: set when they texted STOP (no SMS is sent them), cleared on START.
    opted_out_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
