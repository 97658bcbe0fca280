"""All writes on customers and their identities."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select

from servicedesk.audit.service import entry, record, snapshot
from servicedesk.customers.models import Customer, CustomerIdentity, Organization
from servicedesk.customers.statements import (
    CREATE_CUSTOMER_WITH_IDENTITY,
    CUSTOMER_BY_IDENTITY,
    CUSTOMER_COLUMNS,
    DELETE_CUSTOMER,
)
from servicedesk.db import UnitOfWork, adopt, utcnow
from servicedesk.enums import IdentityKind, OrganizationKind, Tier
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.events import CustomerChanged
from servicedesk.identities import normalise_email, normalise_phone

AUDITED = ("name", "tier", "preferred_language", "organization_id")


@dataclass(frozen=True)
class IdentityInput:
    kind: IdentityKind
    value: str  # normalised


def identities_from(
    *, email: str | None, phone: str | None, region: str, social: str | None = None
) -> list[IdentityInput]:
    """Normalise whatever contact details were given (raises InvalidInput per field)."""
    found: list[IdentityInput] = []
    errors: dict[str, str] = {}
    for kind, raw in ((IdentityKind.email, email), (IdentityKind.phone, phone)):
        if raw is None or not raw.strip():
            continue
        try:
            value = (
                normalise_email(raw) if kind == IdentityKind.email else normalise_phone(raw, region)
            )
        except InvalidInput as exc:
            errors.update(exc.fields)
            continue
        found.append(IdentityInput(kind, value))
    if social and social.strip():
        found.append(IdentityInput(IdentityKind.social, social.strip().lower()))
    if errors:
        raise InvalidInput("invalid contact details", fields=errors)
    return found


async def _claim_identity(
    uow: UnitOfWork, customer_id: int, ident: IdentityInput, primary: bool
) -> bool:
    """Insert an identity unless it exists; False if another customer holds it.

    ON CONFLICT waits for a concurrent inserter to finish, so two simultaneous
    first contacts from one address end up on one customer."""
    inserted = await uow.session.scalar(
        insert(CustomerIdentity)
        .values(
            customer_id=customer_id,
            kind=ident.kind.value,
            value=ident.value,
            primary=primary,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["kind", "value"])
        .returning(col(CustomerIdentity.id))
    )
    if inserted is not None:
        return True
    owner = await uow.session.scalar(
        select(CustomerIdentity.customer_id).where(
            CustomerIdentity.kind == ident.kind, CustomerIdentity.value == ident.value
        )
    )
    return owner == customer_id


def _taken(uow: UnitOfWork, ident: IdentityInput, owner_id: int | None) -> Conflict:
    """Staff learn which customer holds the identity (to open it); partners only
    that it is taken, so they cannot probe other organisations' customers."""
    where = f"customer {owner_id}" if uow.actor.role != "partner" else "another customer"
    return Conflict(
        f"{ident.value} already belongs to {where}",
        fields={ident.kind.value: "belongs to another customer"},
    )


async def _check_organization(uow: UnitOfWork, organization_id: int | None) -> None:
    if organization_id is None:
        return
    if await uow.session.get(Organization, organization_id) is None:
        raise InvalidInput("no such organisation", fields={"organization_id": "unknown"})


async def create_customer(
    uow: UnitOfWork,
    *,
    name: str,
    identities: list[IdentityInput],
    tier: Tier = Tier.standard,
    preferred_language: str = "he",
    organization_id: int | None = None,
) -> Customer:
    await _check_organization(uow, organization_id)
    for ident in identities:
        taken = await find_by_identity(uow, ident)
        if taken is not None:
            raise _taken(uow, ident, taken.id)
    customer = await _insert_customer(uow, name, tier, preferred_language, organization_id)
    assert customer.id is not None
    for index, ident in enumerate(identities):
        if not await _claim_identity(uow, customer.id, ident, primary=index == 0):
            raise Conflict(
                f"{ident.value} already belongs to another customer",
                fields={ident.kind.value: "belongs to another customer"},
            )
    await _announce_created(uow, customer)
    return customer


async def _insert_customer(
    uow: UnitOfWork, name: str, tier: Tier, language: str, organization_id: int | None
) -> Customer:
    customer = Customer(
        name=name.strip()[:200],
        tier=tier,
        preferred_language=language,
        organization_id=organization_id,
    )
    uow.session.add(customer)
    await uow.session.flush()
    return customer


async def _announce_created(uow: UnitOfWork, customer: Customer) -> None:
    """Audit and announce a new customer, once it is sure to stay (its identities claimed)."""
    assert customer.id is not None
    record(uow, "customer.created", "customer", customer.id, after=snapshot(customer, AUDITED))
    await uow.emit(CustomerChanged(customer_id=customer.id))


async def find_by_identity(uow: UnitOfWork, ident: IdentityInput) -> Customer | None:
    found = await uow.fetchrow(
        CUSTOMER_BY_IDENTITY, {"kind": ident.kind.value, "value": ident.value}
    )
    if found is None:
        return None
    values = {name: found[name] for name in CUSTOMER_COLUMNS}
    values["tier"] = Tier(values["tier"])
    return adopt(uow.session, Customer, values)


async def resolve_customer(
    uow: UnitOfWork,
    ident: IdentityInput,
    *,
    name: str | None = None,
    organization_id: int | None = None,
    language: str = "he",
) -> tuple[Customer, bool]:
    """The customer behind an identity, created on first contact. Safe under races."""
    existing = await find_by_identity(uow, ident)
    if existing is not None:
        return existing, False
    now = utcnow()
    values: dict[str, Any] = {
        "name": ((name or "").strip() or ident.value)[:200],
        "tier": Tier.standard,
        "preferred_language": language,
        "organization_id": organization_id,
        "created_at": now,
        "updated_at": now,
    }
    audit = entry(
        uow,
        "customer.created",
        "customer",
        None,
        after={name: values[name] for name in AUDITED},
    )
    row = await uow.fetchrow(
        CREATE_CUSTOMER_WITH_IDENTITY,
        {
            "name": values["name"],
            "tier": Tier.standard.value,
            "language": values["preferred_language"],
            "organization_id": organization_id,
            "now": now,
            "kind": ident.kind.value,
            "value": ident.value,
            "actor_kind": audit["actor_kind"],
            "actor_user_id": audit["actor_user_id"],
            "audit_after": json.dumps(audit["after"], ensure_ascii=False),
            "request_id": audit["request_id"],
        },
    )
    assert row is not None
    if row["identity_id"] is not None:
        customer = adopt(uow.session, Customer, {"id": row["id"], **values})
        await uow.emit(CustomerChanged(customer_id=row["id"]))  # audited by the statement
        return customer, True
    # Lost a race with a concurrent first contact: use the winner's customer.
    await uow.fetchrow(DELETE_CUSTOMER, {"id": row["id"]})
    winner = await find_by_identity(uow, ident)
    assert winner is not None
    return winner, False


async def update_customer(
    uow: UnitOfWork,
    customer: Customer,
    *,
    name: str | None = None,
    tier: Tier | None = None,
    preferred_language: str | None = None,
    organization_id: int | None = None,
    set_organization: bool = False,
    identities: list[IdentityInput] | None = None,
) -> Customer:
    """Change fields; new identities are added and become primary for their kind."""
    assert customer.id is not None
    before = snapshot(customer, AUDITED)
    if name is not None:
        if not name.strip():
            raise InvalidInput("name is empty", fields={"name": "must not be empty"})
        customer.name = name.strip()[:200]
    if tier is not None:
        customer.tier = tier
    if preferred_language is not None:
        customer.preferred_language = preferred_language
    if set_organization:
        await _check_organization(uow, organization_id)
        customer.organization_id = organization_id
    for ident in identities or []:
        owner = await find_by_identity(uow, ident)
        if owner is not None and owner.id != customer.id:
            raise _taken(uow, ident, owner.id)
        await _make_primary(uow, customer.id, ident)
    customer.updated_at = utcnow()
    uow.session.add(customer)
    await uow.session.flush()
    after = snapshot(customer, AUDITED)
    added = [f"{i.kind.value}:{i.value}" for i in identities or []]
    if before != after or added:
        record(
            uow,
            "customer.updated",
            "customer",
            customer.id,
            before=before,
            after={**after, "identities_added": added} if added else after,
        )
    await uow.emit(CustomerChanged(customer_id=customer.id))
    return customer


async def _make_primary(uow: UnitOfWork, customer_id: int, ident: IdentityInput) -> None:
    rows = await uow.session.scalars(
        select(CustomerIdentity).where(
            CustomerIdentity.customer_id == customer_id, CustomerIdentity.kind == ident.kind
        )
    )
    found = False
    for row in rows:
        row.primary = row.value == ident.value
        found = found or row.primary
        uow.session.add(row)
    if not found:
        await uow.session.flush()
        await _claim_identity(uow, customer_id, ident, primary=True)


async def ensure_organization(
    uow: UnitOfWork, name: str, kind: OrganizationKind = OrganizationKind.customer
) -> Organization:
    org = await uow.session.scalar(select(Organization).where(Organization.name == name))
    if org is not None:
        return org
    org = Organization(name=name, kind=kind)
    uow.session.add(org)
    await uow.session.flush()
    assert org.id is not None
    record(
        uow,
        "organization.created",
        "organization",
        org.id,
        after={"name": name, "kind": kind.value},
    )
    return org
