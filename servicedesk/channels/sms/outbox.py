"""The transactional outbox for outbound texts: a public SMS reply gets its send job
in the same transaction as the message (as e-mail does, `channels/email/outbox.py`)."""

from __future__ import annotations

from typing import Any

from servicedesk.channels.email.outbox import ticket_lock
from servicedesk.db import UnitOfWork
from servicedesk.deferral import defer
from servicedesk.enums import Channel
from servicedesk.events import EventBus, MessageAdded

QUEUE = "sms"
SEND_TASK = "sms:send"  # registered by `servicedesk.jobs` from channels/sms/send.py


def subscribe_sms_outbox(bus: EventBus) -> None:
    async def on_message_added(uow: UnitOfWork, event: Any) -> None:
        assert isinstance(event, MessageAdded)
        if event.needs_delivery and event.channel == Channel.sms.value:
            await defer(
                uow,
                queue=QUEUE,
                task=SEND_TASK,
                args={"message_id": event.message_id},
                lock=ticket_lock(event.ticket_id),  # a ticket's texts leave in order
            )

    bus.subscribe(MessageAdded, on_message_added)
