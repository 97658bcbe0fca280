"""The send job: one stored outbound text to Twilio's Messages API.

queued → sent when Twilio accepts it (its MessageSid becomes the message's provider
id, so the status callbacks find it) → delivered or failed as Twilio reports back
(`/twilio/sms/status`). A number that texted STOP, no number at all, or Twilio
refusing the message for good → failed with the reason shown on the ticket;
Twilio unreachable or busy → retried with back-off. A message no longer queued is
never sent again, so a job run twice sends one text."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procrastinate import Blueprint, JobContext

from servicedesk.channels.delivery import DeliveryDeferred, attempt, record_delivery
from servicedesk.channels.sms.optout import opted_out
from servicedesk.channels.sms.outbox import QUEUE
from servicedesk.channels.sms.status import mark_sent
from servicedesk.db import Actor, Database
from servicedesk.enums import DeliveryState
from servicedesk.settings import Settings
from servicedesk.sql import DriverSQL
from telephony.client import RestError, TwilioRest

if TYPE_CHECKING:
    from servicedesk.jobs import Backoff

log = logging.getLogger(__name__)

NAMESPACE = "sms"
STATUS_PATH = "/twilio/sms/status"
NOT_CONFIGURED = "Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_SMS_FROM)"
OPTED_OUT = "the customer texted STOP: no SMS may be sent to {number} until they text START"
NO_NUMBER = "the customer has no phone number to text"

_OUTGOING = DriverSQL(
    """
    SELECT m.id, m.ticket_id, m.body_text, m.delivery_state, t.customer_id
    FROM message m JOIN ticket t ON t.id = m.ticket_id
    WHERE m.id = :id
    """
)
# Answer on the number they last texted from, from the number they texted;
# else their primary phone, from our default number.
_LAST_TEXT = DriverSQL(
    """
    SELECT meta->'sms'->>'from' AS customer_number, meta->'sms'->>'to' AS our_number
    FROM message
    WHERE ticket_id = :ticket_id AND channel = 'sms' AND direction = 'in'
      AND meta->'sms'->>'from' LIKE '+%'
    ORDER BY created_at DESC, id DESC
    LIMIT 1
    """
)
_PHONE = DriverSQL(
    """
    SELECT value FROM customer_identity
    WHERE customer_id = :customer_id AND kind = 'phone'
    ORDER BY "primary" DESC, created_at
    LIMIT 1
    """
)


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    body: str
    to: str | None
    from_: str | None
    opted_out: bool


def sms_tasks(
    db: Database, settings: Settings, *, rest: TwilioRest | None, retry: Backoff
) -> Blueprint:
    tasks = Blueprint()

    @tasks.task(name="send", queue=QUEUE, retry=retry, pass_context=True)
    async def send(context: JobContext, message_id: int) -> str:
        last = retry.is_last(context.job.attempts)
        return await attempt(
            db,
            message_id,
            lambda: deliver_sms(db, settings, rest, message_id, last_attempt=last),
            last_attempt=last,
            describe=repr,
        )

    return tasks


async def load_outgoing(db: Database, settings: Settings, message_id: int) -> Outgoing | None:
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.fetchrow(_OUTGOING, {"id": message_id})
        if row is None or row["delivery_state"] != DeliveryState.queued.value:
            return None
        last = await uow.fetchrow(_LAST_TEXT, {"ticket_id": row["ticket_id"]})
        to = last["customer_number"] if last is not None else None
        from_ = (last["our_number"] if last is not None else None) or settings.twilio_sms_from
        if to is None:
            phone = await uow.fetchrow(_PHONE, {"customer_id": row["customer_id"]})
            to = phone["value"] if phone is not None else None
        stopped = to is not None and await opted_out(uow, to)
    return Outgoing(message_id, str(row["body_text"]), to, from_, stopped)


async def deliver_sms(
    db: Database,
    settings: Settings,
    rest: TwilioRest | None,
    message_id: int,
    *,
    last_attempt: bool = False,
) -> str:
    """One attempt; returns what happened (the job's result in procrastinate's log)."""
    outgoing = await load_outgoing(db, settings, message_id)
    if outgoing is None:
        return "not queued (deleted, or already sent)"
    reason = None
    if rest is None or not outgoing.from_:
        reason = NOT_CONFIGURED
    elif outgoing.to is None:
        reason = NO_NUMBER
    elif outgoing.opted_out:
        reason = OPTED_OUT.format(number=outgoing.to)
    if reason is not None:
        await record_delivery(db, message_id, DeliveryState.failed, reason)
        return "failed: " + reason
    assert rest is not None
    assert outgoing.to is not None
    assert outgoing.from_ is not None
    try:
        sent = await rest.send_sms(
            to=outgoing.to,
            from_=outgoing.from_,
            body=outgoing.body,
            status_callback=settings.public_base_url + STATUS_PATH,
        )
    except RestError as exc:
        if exc.permanent or last_attempt:
            await record_delivery(db, message_id, DeliveryState.failed, str(exc))
            return f"failed: {exc}"
        await record_delivery(db, message_id, DeliveryState.queued, str(exc))
        raise DeliveryDeferred(str(exc)) from exc
    await mark_sent(db, message_id, sent.sid)
    return f"sent as {sent.sid}"
