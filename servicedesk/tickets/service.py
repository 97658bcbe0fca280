"""All writes on tickets and their messages. Emits events; never pushes or sends itself."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert

from servicedesk.audit.service import entry, record, snapshot
from servicedesk.customers.models import Customer
from servicedesk.db import UnitOfWork, adopt, utcnow
from servicedesk.enums import Channel, DeliveryState, Direction, Priority, Role, TicketStatus
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.events import MessageAdded, TicketCreated, TicketUpdated
from servicedesk.html import sanitise, text_to_html
from servicedesk.products.models import Asset
from servicedesk.staff.models import Team, User
from servicedesk.tickets.attachments import NewAttachment, attach
from servicedesk.tickets.calls import reply_channel_after_call
from servicedesk.tickets.models import Message, Ticket, TicketCollaborator
from servicedesk.tickets.statements import CREATE_TICKET

# Channels whose public outbound messages someone must carry to the customer
# (an outbound job, after commit); on the others the customer reads them on the web.
DELIVERED_CHANNELS = frozenset({Channel.email, Channel.sms, Channel.chat})
QUEUE_NAMES = "queue_names"  # (id, name) of queues seen while opening tickets, for presenters
TICKET_FIELDS = ("status", "priority", "queue_id", "assignee_id", "asset_id", "subject")
MAX_SUBJECT = 300


@dataclass
class NewMessage:
    channel: Channel
    direction: Direction
    body_text: str
    body_html: str | None = None  # untrusted; sanitised here
    public: bool = True
    author_user_id: int | None = None
    author_customer_id: int | None = None
    provider_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


async def create_ticket(
    uow: UnitOfWork,
    *,
    subject: str,
    customer: Customer,
    first: NewMessage,
    priority: Priority = Priority.normal,
    asset: Asset | None = None,
    queue_id: int | None = None,
) -> tuple[Ticket, Message]:
    subject = " ".join(subject.split())[:MAX_SUBJECT]
    if not subject:
        raise InvalidInput("subject is empty", fields={"subject": "must not be empty"})
    assert customer.id is not None
    if asset is not None and asset.customer_id != customer.id:
        raise InvalidInput(
            "the asset belongs to another customer", fields={"asset_serial": "not this customer's"}
        )
    now = utcnow()
    text = first.body_text.strip()
    html = sanitise(first.body_html) if first.body_html else text_to_html(text)
    audit = entry(
        uow,
        "ticket.created",
        "ticket",
        None,
        after={
            "status": TicketStatus.new,
            "priority": priority,
            "assignee_id": None,
            "asset_id": asset.id if asset else None,
            "subject": subject,
        },
    )
    row = await uow.fetchrow(
        CREATE_TICKET,
        {
            "subject": subject,
            "priority": priority.value,
            "channel": first.channel.value,
            "customer_id": customer.id,
            "asset_id": asset.id if asset else None,
            "queue_id": queue_id,
            "now": now,
            "direction": first.direction.value,
            "public": first.public,
            "author_user_id": first.author_user_id,
            "author_customer_id": first.author_customer_id,
            "body_text": text,
            "body_html": html,
            "provider_id": first.provider_id,
            "meta": json.dumps(first.meta, ensure_ascii=False),
            "actor_kind": audit["actor_kind"],
            "actor_user_id": audit["actor_user_id"],
            "audit_after": json.dumps(audit["after"], ensure_ascii=False),
            "request_id": audit["request_id"],
        },
    )
    assert row is not None
    ticket = adopt(
        uow.session,
        Ticket,
        {
            "id": row["id"],
            "number": row["number"],
            "subject": subject,
            "status": TicketStatus.new,
            "priority": priority,
            "channel": first.channel,
            "customer_id": customer.id,
            "asset_id": asset.id if asset else None,
            "queue_id": row["queue_id"],
            "assignee_id": None,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "first_responded_at": None,
            "solved_at": None,
            "closed_at": None,
            "sla_policy": None,
            "sla_due_at": None,
        },
    )
    message = adopt(
        uow.session,
        Message,
        {
            "id": row["message_id"],
            "ticket_id": row["id"],
            "channel": first.channel,
            "direction": first.direction,
            "is_public": first.public,
            "author_user_id": first.author_user_id,
            "author_customer_id": first.author_customer_id,
            "body_text": text,
            "body_html": html,
            "provider_id": first.provider_id,
            "meta": first.meta,
            "delivery_state": None,
            "delivery_error": "",
            "delivery_updated_at": None,
            "created_at": now,
        },
    )
    uow.pending.setdefault(QUEUE_NAMES, []).append((row["queue_id"], row["queue_name"]))
    assert ticket.id is not None
    await uow.emit(
        TicketCreated(
            ticket_id=ticket.id,
            queue_id=ticket.queue_id,
            customer_id=customer.id,
            version=ticket.version,
            organization_id=customer.organization_id,
        )
    )
    await uow.emit(_message_added(ticket, message, customer.organization_id))
    return ticket, message


def _message(ticket_id: int, new: NewMessage, now: Any) -> Message:
    text = new.body_text.strip()
    html = sanitise(new.body_html) if new.body_html else text_to_html(text)
    return Message(
        ticket_id=ticket_id,
        channel=new.channel,
        direction=new.direction,
        is_public=new.public,
        author_user_id=new.author_user_id,
        author_customer_id=new.author_customer_id,
        body_text=text,
        body_html=html,
        provider_id=new.provider_id,
        meta=new.meta,
        created_at=now,
    )


def _message_added(ticket: Ticket, message: Message, org_id: int | None) -> MessageAdded:
    assert ticket.id is not None
    assert message.id is not None
    return MessageAdded(
        ticket_id=ticket.id,
        message_id=message.id,
        queue_id=ticket.queue_id,
        version=ticket.version,
        public=message.is_public,
        direction=message.direction.value,
        organization_id=org_id,
        assignee_id=ticket.assignee_id,
        channel=message.channel.value,
        needs_delivery=message.delivery_state == DeliveryState.queued,
    )


@dataclass
class TicketChanges:
    status: TicketStatus | None = None
    priority: Priority | None = None
    queue_id: int | None = None
    assignee_id: int | None = None
    set_queue: bool = False
    set_assignee: bool = False
    expected_version: int | None = None


async def update_ticket(uow: UnitOfWork, ticket: Ticket, changes: TicketChanges) -> Ticket:
    """Change status, priority, queue or assignee; every change is audited."""
    assert ticket.id is not None
    if changes.expected_version is not None and changes.expected_version != ticket.version:
        raise Conflict(
            "the ticket changed since you loaded it", fields={"version": str(ticket.version)}
        )
    before = snapshot(ticket, TICKET_FIELDS)
    previous_queue = ticket.queue_id
    errors: dict[str, str] = {}
    if changes.set_queue and changes.queue_id is not None:
        if await uow.session.get(Team, changes.queue_id) is None:
            errors["queue"] = "no such queue"
    if changes.set_assignee and changes.assignee_id is not None:
        assignee = await uow.session.get(User, changes.assignee_id)
        if assignee is None or not assignee.is_active or assignee.role == Role.partner:
            errors["assignee"] = "not an active agent"
    if errors:
        raise InvalidInput("invalid ticket change", fields=errors)
    now = utcnow()
    if changes.status is not None and changes.status != ticket.status:
        _apply_status(ticket, changes.status, now)
    if changes.priority is not None:
        ticket.priority = changes.priority
    if changes.set_queue:
        ticket.queue_id = changes.queue_id
    if changes.set_assignee:
        ticket.assignee_id = changes.assignee_id
        if ticket.assignee_id is not None and ticket.status == TicketStatus.new:
            _apply_status(ticket, TicketStatus.open, now)
    after = snapshot(ticket, TICKET_FIELDS)
    changed = tuple(k for k in TICKET_FIELDS if before[k] != after[k])
    if not changed:
        return ticket
    ticket.version += 1
    ticket.updated_at = now
    uow.session.add(ticket)
    await uow.session.flush()
    record(
        uow,
        "ticket.updated",
        "ticket",
        ticket.id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    await uow.emit(
        TicketUpdated(
            ticket_id=ticket.id,
            queue_id=ticket.queue_id,
            version=ticket.version,
            changed=changed,
            previous_queue_id=previous_queue,
            organization_id=await _org_of(uow, ticket),
            assignee_id=ticket.assignee_id,
        )
    )
    return ticket


async def change_channel(uow: UnitOfWork, ticket: Ticket, channel: Channel) -> Ticket:
    """The channel the ticket's public replies go out on (a web chat that ended goes on
    by e-mail); audited, and a new version so the screens show it."""
    assert ticket.id is not None
    if ticket.channel == channel:
        return ticket
    before = ticket.channel
    ticket.channel = channel
    ticket.version += 1
    ticket.updated_at = utcnow()
    uow.session.add(ticket)
    await uow.session.flush()
    record(
        uow,
        "ticket.updated",
        "ticket",
        ticket.id,
        before={"channel": before},
        after={"channel": channel},
    )
    await uow.emit(
        TicketUpdated(
            ticket_id=ticket.id,
            queue_id=ticket.queue_id,
            version=ticket.version,
            changed=("channel",),
            organization_id=await _org_of(uow, ticket),
            assignee_id=ticket.assignee_id,
        )
    )
    return ticket


def _apply_status(ticket: Ticket, status: TicketStatus, now: Any) -> None:
    if ticket.status == TicketStatus.closed and status != TicketStatus.closed:
        raise InvalidInput(
            "a closed ticket cannot be reopened; open a follow-up ticket",
            fields={"status": "ticket is closed"},
        )
    ticket.status = status
    if status == TicketStatus.solved:
        ticket.solved_at = now
    elif status == TicketStatus.closed:
        ticket.closed_at = now
        ticket.solved_at = ticket.solved_at or now
    else:
        ticket.solved_at = None


async def add_reply(
    uow: UnitOfWork,
    ticket: Ticket,
    *,
    author: User,
    body: str,
    public: bool,
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """An agent's public reply (goes out on the ticket's channel) or internal note."""
    assert ticket.id is not None
    assert author.id is not None
    if not body.strip():
        raise InvalidInput("reply is empty", fields={"body": "must not be empty"})
    if ticket.status == TicketStatus.closed:
        raise InvalidInput("the ticket is closed", fields={"status": "closed"})
    now = utcnow()
    channel = ticket.channel if public else Channel.note
    if public and channel in (Channel.api, Channel.iot, Channel.note):
        # Nobody reads replies on an API or a device: they are shown on the web.
        channel = Channel.web
    if public and channel == Channel.voice:
        channel = await reply_channel_after_call(uow, ticket)
    message = _message(
        ticket.id,
        NewMessage(
            channel=channel,
            direction=Direction.outbound,
            body_text=body,
            public=public,
            author_user_id=author.id,
        ),
        now,
    )
    if public and channel in DELIVERED_CHANNELS:
        _queue_delivery(message, now)
    uow.session.add(message)
    previous = ticket.status
    if public and ticket.first_responded_at is None and author.role != Role.partner:
        ticket.first_responded_at = now
    if public and ticket.status == TicketStatus.new:
        ticket.status = TicketStatus.open
    if public and ticket.status in (TicketStatus.solved,):
        ticket.status = TicketStatus.open
        ticket.solved_at = None
    await _file_message(
        uow, ticket, message, previous, now, {"public": public, "channel": channel.value}
    )
    assert message.id is not None
    await attach(uow, message.id, list(attachments))
    await uow.emit(_message_added(ticket, message, await _org_of(uow, ticket)))
    return message


async def _org_of(uow: UnitOfWork, ticket: Ticket) -> int | None:
    customer = await uow.session.get(Customer, ticket.customer_id)
    return customer.organization_id if customer else None


# What a customer's message does to the ticket's status: waiting on them, or
# solved, means someone must look again; on hold (waiting on a third party) stays.
_REOPENED_BY_CUSTOMER = (TicketStatus.pending, TicketStatus.solved)


async def add_message(
    uow: UnitOfWork,
    ticket: Ticket,
    new: NewMessage,
    *,
    deliver: bool = False,
) -> Message:
    """A message that is not an agent's reply: a customer's follow-up on any channel,
    or the desk's automatic answer (`deliver`: an outbound job carries it)."""
    assert ticket.id is not None
    # A closed ticket takes nothing more, except the desk's own automatic answer that
    # an outbound job carries (the transcript of a chat that ended with the ticket).
    if ticket.status == TicketStatus.closed and new.public and not deliver:
        raise InvalidInput("the ticket is closed", fields={"status": "closed"})
    now = utcnow()
    message = _message(ticket.id, new, now)
    if deliver:
        _queue_delivery(message, now)
    uow.session.add(message)
    previous = ticket.status
    customer_wrote = new.direction == Direction.inbound and new.public
    if customer_wrote and ticket.status in _REOPENED_BY_CUSTOMER:
        ticket.status = TicketStatus.open
        ticket.solved_at = None
    await _file_message(
        uow,
        ticket,
        message,
        previous,
        now,
        {
            "public": message.is_public,
            "channel": message.channel.value,
            "direction": message.direction.value,
        },
    )
    await uow.emit(_message_added(ticket, message, await _org_of(uow, ticket)))
    return message


def _queue_delivery(message: Message, now: Any) -> None:
    """Outbound on a channel someone must carry: a job takes it after commit."""
    message.delivery_state = DeliveryState.queued
    message.delivery_updated_at = now


async def _file_message(
    uow: UnitOfWork,
    ticket: Ticket,
    message: Message,
    previous: TicketStatus,
    now: Any,
    audit: dict[str, Any],
) -> None:
    """Write the message and the ticket it changed (a new version), and audit it
    with the status it caused, if any: the SLA clocks read status changes there."""
    assert ticket.id is not None
    ticket.version += 1
    ticket.updated_at = now
    uow.session.add(ticket)
    await uow.session.flush()
    assert message.id is not None
    after: dict[str, Any] = {"message_id": message.id, **audit}
    if ticket.status != previous:
        after["status"] = ticket.status.value
    record(uow, "message.created", "ticket", ticket.id, after=after)


async def add_collaborators(uow: UnitOfWork, ticket_id: int, people: list[tuple[str, str]]) -> int:
    """Keep (address, name) pairs copied on the ticket; returns how many were new."""
    if not people:
        return 0
    now = utcnow()
    result = await uow.execute(
        pg_insert(TicketCollaborator)
        .values(
            [
                {"ticket_id": ticket_id, "address": a[:320], "name": n[:200], "created_at": now}
                for a, n in people
            ]
        )
        .on_conflict_do_nothing(index_elements=["ticket_id", "address"])
        .returning(TicketCollaborator.__table__.c.id)  # type: ignore[attr-defined]
    )
    return len(result.all())
