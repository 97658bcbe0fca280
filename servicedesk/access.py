"""Who may do what: every access rule, written once, used by the API, pages and Socket.IO."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import col, select

from servicedesk.customers.models import Customer
from servicedesk.db import Actor
from servicedesk.enums import Role
from servicedesk.errors import Forbidden
from servicedesk.tickets.models import Ticket

STAFF = frozenset({Role.admin, Role.supervisor, Role.agent})
ALL_ROLES = frozenset(Role)


def has_role(actor: Actor, *roles: Role) -> bool:
    return actor.kind == "system" or actor.role in {r.value for r in roles}


def require_role(actor: Actor, *roles: Role) -> None:
    if not has_role(actor, *roles):
        raise Forbidden("your role may not do this")


def sees_all_tickets(actor: Actor) -> bool:
    return has_role(actor, Role.admin, Role.supervisor)


def ticket_scope(actor: Actor) -> ColumnElement[bool] | None:
    """A WHERE clause limiting tickets to those the actor may see (None: all)."""
    if sees_all_tickets(actor):
        return None
    if actor.role == Role.agent:
        return or_(
            col(Ticket.queue_id).in_(sorted(actor.team_ids)),
            col(Ticket.assignee_id) == actor.user_id,
        )
    if actor.role == Role.partner and actor.organization_id is not None:
        own_customers = select(Customer.id).where(Customer.organization_id == actor.organization_id)
        scoped: ColumnElement[bool] = col(Ticket.customer_id).in_(own_customers)
        return scoped
    return false()


def customer_scope(actor: Actor) -> ColumnElement[bool] | None:
    """Staff see every customer (an agent needs the whole customer); partners their own."""
    if has_role(actor, *STAFF):
        return None
    if actor.role == Role.partner and actor.organization_id is not None:
        return Customer.organization_id == actor.organization_id  # type: ignore[return-value]
    return false()


def can_see_ticket(actor: Actor, ticket: Ticket, customer_org_id: int | None) -> bool:
    if sees_all_tickets(actor):
        return True
    if actor.role == Role.agent:
        return ticket.queue_id in actor.team_ids or ticket.assignee_id == actor.user_id
    if actor.role == Role.partner:
        return actor.organization_id is not None and customer_org_id == actor.organization_id
    return False


def can_see_customer(actor: Actor, customer: Customer) -> bool:
    if has_role(actor, *STAFF):
        return True
    return (
        actor.role == Role.partner
        and actor.organization_id is not None
        and customer.organization_id == actor.organization_id
    )
