"""Enumerations shared by models, API schemas and templates (stored as checked VARCHARs)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa


class Tier(StrEnum):
    standard = "standard"
    silver = "silver"
    gold = "gold"
    platinum = "platinum"


class OrganizationKind(StrEnum):
    customer = "customer"
    partner = "partner"


class IdentityKind(StrEnum):
    email = "email"
    phone = "phone"
    social = "social"


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    agent = "agent"
    partner = "partner"


class TicketStatus(StrEnum):
    new = "new"
    open = "open"
    pending = "pending"
    on_hold = "on_hold"
    solved = "solved"
    closed = "closed"


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class Channel(StrEnum):
    email = "email"
    voice = "voice"
    sms = "sms"
    chat = "chat"
    web = "web"
    api = "api"
    iot = "iot"
    note = "note"


class Direction(StrEnum):
    inbound = "in"
    outbound = "out"


class DeliveryState(StrEnum):
    """Where an outbound message is on its way to the customer."""

    queued = "queued"
    sent = "sent"  # handed to the relay or the provider
    delivered = "delivered"  # the provider confirmed it reached the handset (SMS)
    failed = "failed"  # gave up after the retries, or the relay refused it for good
    bounced = "bounced"  # accepted by the relay, then returned by the recipient's server


class WarrantyState(StrEnum):
    active = "active"
    extended = "extended"
    expired = "expired"


def checked(enum: type[StrEnum], name: str) -> Any:
    """A VARCHAR column type with a CHECK constraint listing the enum's values."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
