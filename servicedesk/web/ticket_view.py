"""Everything the ticket screen shows, loaded in a handful of batched queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from servicedesk.access import STAFF, can_see_ticket, has_role
from servicedesk.channels.chat.models import Chat
from servicedesk.channels.chat.repository import latest_chat
from servicedesk.channels.voice.models import CallState, PhoneCall
from servicedesk.customers.models import Customer, CustomerIdentity, Organization
from servicedesk.customers.repository import identities_of
from servicedesk.db import Actor
from servicedesk.enums import Direction, IdentityKind, Role, WarrantyState
from servicedesk.errors import Forbidden, NotFound
from servicedesk.loading import MAX_INT8, by_id
from servicedesk.products.models import Asset, Product
from servicedesk.products.warranty import warranty_state
from servicedesk.sla_tracking.models import SlaClock
from servicedesk.sla_tracking.repository import clocks_of
from servicedesk.staff.models import Team, TeamMember, User
from servicedesk.tickets.models import Attachment, Message, Ticket, TicketCollaborator
from servicedesk.tickets.repository import (
    attachments_of,
    collaborators_of,
    messages_of,
    ticket_by_number,
)


@dataclass
class TicketView:
    ticket: Ticket
    customer: Customer
    staff_view: bool  # sees internal notes and may change properties
    organization: Organization | None = None
    contacts: list[CustomerIdentity] = field(default_factory=list)
    asset: Asset | None = None
    product: Product | None = None
    warranty: WarrantyState | None = None
    queue: Team | None = None
    assignee: User | None = None
    messages: list[Message] = field(default_factory=list)
    users: dict[int, User] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    attachments: dict[int, list[Attachment]] = field(default_factory=dict)
    collaborators: list[TicketCollaborator] = field(default_factory=list)
    clocks: list[SlaClock] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    queue_staff: list[User] = field(default_factory=list)
    other_staff: list[User] = field(default_factory=list)
    waiting_calls: list[PhoneCall] = field(default_factory=list)  # callers in the queue
    chat: Chat | None = None  # the ticket's newest web chat, live or ended
    chat_agent: User | None = None

    @property
    def number(self) -> int:
        assert self.ticket.number is not None
        return self.ticket.number

    def kind_of(self, message: Message) -> str:
        """`note` (internal), `in` (from the customer) or `out` (our reply)."""
        if not message.is_public:
            return "note"
        return "in" if message.direction == Direction.inbound else "out"

    def author_of(self, message: Message) -> str:
        if message.author_user_id in self.users:
            return self.users[message.author_user_id].name
        if message.author_customer_id in self.customers:
            return self.customers[message.author_customer_id].name
        if message.direction == Direction.inbound:
            return self.customer.name
        return ""

    def contact(self, kind: str) -> str | None:
        return next((i.value for i in self.contacts if i.kind == IdentityKind(kind)), None)


async def visible_ticket(session: AsyncSession, actor: Actor, number: int) -> Ticket:
    """The ticket with this number if the actor may see it (404 / 403 otherwise)."""
    ticket = await ticket_by_number(session, number) if 0 < number <= MAX_INT8 else None
    if ticket is None:
        raise NotFound("no such ticket")
    org_id = await session.scalar(
        select(col(Customer.organization_id)).where(col(Customer.id) == ticket.customer_id)
    )
    if not can_see_ticket(actor, ticket, org_id):
        raise Forbidden("this ticket is not in your queues")
    return ticket


async def load_view(session: AsyncSession, actor: Actor, number: int, today: date) -> TicketView:
    ticket = await visible_ticket(session, actor, number)
    assert ticket.id is not None
    customer = await session.get(Customer, ticket.customer_id)
    assert customer is not None
    assert customer.id is not None
    view = TicketView(ticket, customer, staff_view=has_role(actor, *STAFF))
    if customer.organization_id is not None:
        view.organization = await session.get(Organization, customer.organization_id)
    view.contacts = (await identities_of(session, [customer.id]))[customer.id]
    if ticket.asset_id is not None:
        view.asset = await session.get(Asset, ticket.asset_id)
    if view.asset is not None:
        view.product = await session.get(Product, view.asset.product_id)
        view.warranty = warranty_state(
            view.asset.warranty_ends_on, view.asset.extended_until, today
        )
    if ticket.queue_id is not None:
        view.queue = await session.get(Team, ticket.queue_id)
    view.messages = await messages_of(session, ticket.id, include_internal=view.staff_view)
    view.users = await by_id(
        session, User, [ticket.assignee_id, *(m.author_user_id for m in view.messages)]
    )
    view.assignee = view.users.get(ticket.assignee_id) if ticket.assignee_id else None
    view.customers = await by_id(session, Customer, (m.author_customer_id for m in view.messages))
    view.attachments = await attachments_of(session, [m.id for m in view.messages if m.id])
    view.collaborators = await collaborators_of(session, ticket.id)
    if view.staff_view:
        view.clocks = await clocks_of(session, ticket.id)
        view.waiting_calls = await waiting_calls_of(session, ticket.id)
        view.chat = await latest_chat(session, ticket.id)
        if view.chat is not None and view.chat.agent_user_id is not None:
            view.chat_agent = await session.get(User, view.chat.agent_user_id)
    if view.staff_view:
        await _load_choices(session, view)
    return view


async def waiting_calls_of(session: AsyncSession, ticket_id: int) -> list[PhoneCall]:
    """Callers on this ticket waiting for an agent, or being connected to one."""
    rows = await session.scalars(
        select(PhoneCall)
        .where(
            col(PhoneCall.ticket_id) == ticket_id,
            col(PhoneCall.state).in_((CallState.queued, CallState.connecting)),
        )
        .order_by(col(PhoneCall.enqueued_at))
    )
    return list(rows)


async def _load_choices(session: AsyncSession, view: TicketView) -> None:
    """Queues and the people a ticket can be given to, the queue's own people first."""
    view.teams = list(await session.scalars(select(Team).order_by(col(Team.name))))
    staff = await session.scalars(
        select(User)
        .where(col(User.is_active).is_(True), col(User.role) != Role.partner)
        .order_by(col(User.name))
    )
    members: set[int] = set()
    if view.ticket.queue_id is not None:
        members = set(
            await session.scalars(
                select(col(TeamMember.user_id)).where(
                    col(TeamMember.team_id) == view.ticket.queue_id
                )
            )
        )
    for user in staff:
        (view.queue_staff if user.id in members else view.other_staff).append(user)
    listed = {u.id for u in (*view.queue_staff, *view.other_staff)}
    if view.assignee is not None and view.assignee.id not in listed:
        # A deactivated assignee stays selectable so saving does not silently unassign.
        view.other_staff.insert(0, view.assignee)
