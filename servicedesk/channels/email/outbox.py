"""The transactional outbox for outbound e-mail.

An in-transaction subscriber on `MessageAdded`: a public e-mail message waiting
for delivery gets its RFC 5322 Message-ID and its send job in the SAME
transaction as the message itself. The job row is written with procrastinate's
own SQL function on our connection, so it commits or rolls back with the
message: no job for a message that never existed, no message without its job
after a crash between COMMIT and an enqueue."""

from __future__ import annotations

from email.utils import make_msgid, parseaddr
from typing import Any

from servicedesk.db import UnitOfWork
from servicedesk.deferral import defer
from servicedesk.enums import Channel
from servicedesk.events import EventBus, MessageAdded
from servicedesk.settings import Settings
from servicedesk.tickets.models import Message

QUEUE = "email"
SEND_TASK = "email:send"  # registered by `servicedesk.jobs` from channels/email/send.py
FALLBACK_DOMAIN = "servicedesk.example"


def ticket_lock(ticket_id: int) -> str:
    """procrastinate runs one job per lock at a time, oldest first: a ticket's replies
    leave in the order they were written, and a reply waiting for a retry holds back
    the later ones rather than being overtaken."""
    return f"ticket:{ticket_id}"


def message_id_domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    domain = address.rpartition("@")[2].strip().strip(".")
    return domain.lower() if address.count("@") == 1 and domain else FALLBACK_DOMAIN


def new_message_id(domain: str) -> str:
    """A fresh Message-ID, stored without its angle brackets (as inbound ids are)."""
    return make_msgid(domain=domain).strip("<>")


async def defer_send(uow: UnitOfWork, *, message_id: int, ticket_id: int) -> int:
    """Write the send job in this transaction; returns procrastinate's job id."""
    return await defer(
        uow,
        queue=QUEUE,
        task=SEND_TASK,
        args={"message_id": message_id},
        lock=ticket_lock(ticket_id),
    )


def subscribe_outbox(bus: EventBus, settings: Settings) -> None:
    domain = message_id_domain(settings.mail_from)

    async def on_message_added(uow: UnitOfWork, event: Any) -> None:
        assert isinstance(event, MessageAdded)
        if not (event.needs_delivery and event.channel == Channel.email.value):
            return
        # The service that emitted the event holds the row: no query here.
        message = await uow.session.get(Message, event.message_id)
        assert message is not None
        if message.provider_id is None:
            # The customer's reply names it in In-Reply-To, which threads it back here.
            message.provider_id = new_message_id(domain)
            uow.session.add(message)
        await defer_send(uow, message_id=event.message_id, ticket_id=event.ticket_id)

    bus.subscribe(MessageAdded, on_message_added)
