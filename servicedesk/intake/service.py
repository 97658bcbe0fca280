"""Intake: one normalised message in, committed on a ticket out.

record once (unique provider id) → filters (own mail, bounce, auto-reply, loop)
→ resolve the customer → thread → ticket service, all in one unit of work, so a
transport's "accepted" is only ever said after commit."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import asyncpg
from sqlalchemy import exc as sa_exc

from servicedesk.channels.message import InboundMessage, Party
from servicedesk.customers import service as customers
from servicedesk.customers.models import Customer
from servicedesk.customers.service import IdentityInput
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.enums import Direction, IdentityKind, TicketStatus
from servicedesk.intake import bounces, threading
from servicedesk.intake.acknowledge import acknowledge
from servicedesk.intake.filters import desk_addresses, may_auto_reply
from servicedesk.products.models import Asset
from servicedesk.settings import Settings
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.attachments import NewAttachment, attach, store_blob
from servicedesk.tickets.models import Message, Ticket

log = logging.getLogger(__name__)

Outcome = Literal["created", "appended", "duplicate", "bounce", "ignored"]

# Mail with no usable sender still becomes a ticket, filed under this customer.
UNKNOWN_SENDER = IdentityInput(IdentityKind.email, "unknown-sender@servicedesk.invalid")
_HEBREW = re.compile(r"[\u0590-\u05FF]")
_RETRIES = 3  # serialisation failures and deadlocks are retried whole

_KNOWN = DriverSQL(
    """
    SELECT m.id, m.ticket_id, t.number FROM message m JOIN ticket t ON t.id = m.ticket_id
    WHERE m.channel = :channel AND m.provider_id = :provider_id
    """
)
_CLEAR_BOUNCE = DriverSQL(
    """
    UPDATE customer_identity SET bounced_at = NULL, bounce_reason = ''
    WHERE kind = :kind AND value = :value AND bounced_at IS NOT NULL
    """
)
_IS_BOUNCING = DriverSQL(
    """
    SELECT 1 AS yes FROM customer_identity
    WHERE kind = :kind AND value = :value AND bounced_at IS NOT NULL
    """
)


class TemporaryFailure(Exception):
    """The message could not be stored now (database unreachable); try again later."""


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    ticket_id: int | None  # None only when nothing was filed (our own mail, an unknown bounce)
    ticket_number: int | None = None
    message_id: int | None = None
    reason: str = ""


# A channel's own check, run in the message's transaction once it is known not to be
# a redelivery (a web chat refuses lines after it ended); it raises to file nothing.
Guard = Callable[[UnitOfWork], Awaitable[None]]


async def ingest(
    db: Database, message: InboundMessage, settings: Settings, *, guard: Guard | None = None
) -> IntakeResult:
    """File `message`; returns after commit. Raises TemporaryFailure when the
    database cannot take it now, so the transport answers "try again later"."""
    for attempt in range(_RETRIES):
        try:
            async with db.unit_of_work(Actor.system()) as uow:
                return await _ingest(uow, message, settings, guard)
        except sa_exc.IntegrityError:
            # A concurrent delivery of the same message won the unique key.
            known = await _known(db, message)
            if known is not None:
                return known
            raise
        except sa_exc.DBAPIError as exc:
            if _is_retryable(exc) and attempt < _RETRIES - 1:
                continue
            if _is_temporary(exc):
                raise TemporaryFailure(str(exc.orig or exc)) from exc
            raise
        except (TimeoutError, OSError, asyncpg.PostgresConnectionError) as exc:
            raise TemporaryFailure(str(exc)) from exc
    raise TemporaryFailure("the database kept refusing the transaction")  # pragma: no cover


def _is_retryable(exc: sa_exc.DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40001", "40P01")  # serialization_failure, deadlock_detected


def _is_temporary(exc: sa_exc.DBAPIError) -> bool:
    if exc.connection_invalidated or isinstance(
        exc, sa_exc.OperationalError | sa_exc.InterfaceError
    ):
        return True
    code = str(getattr(exc.orig, "sqlstate", "") or "")
    # connection exceptions, insufficient resources, operator intervention, retryable
    return code[:2] in ("08", "53", "57", "40")


async def _known(db: Database, message: InboundMessage) -> IntakeResult | None:
    async with db.unit_of_work(Actor.system()) as uow:
        return await _duplicate(uow, message)


async def _duplicate(uow: UnitOfWork, message: InboundMessage) -> IntakeResult | None:
    row = await uow.fetchrow(
        _KNOWN, {"channel": message.channel.value, "provider_id": message.provider_id}
    )
    if row is None:
        return None
    return IntakeResult(
        "duplicate",
        row["ticket_id"],
        row["number"],
        row["id"],
        reason="this message was received before",
    )


async def _ingest(
    uow: UnitOfWork, message: InboundMessage, settings: Settings, guard: Guard | None = None
) -> IntakeResult:
    known = await _duplicate(uow, message)
    if known is not None:
        return known
    if guard is not None:
        await guard(uow)
    own = desk_addresses(settings)
    if message.sender is not None and message.sender.value in own:
        log.warning("ignored %s: it is from the desk's own address", message.provider_id)
        return IntakeResult("ignored", None, reason="from the desk's own address")
    if message.bounce is not None:
        return await _file_bounce(uow, message)

    author = message.sender or message.reply_to
    customer = await _customer(uow, author, message)
    if author is not None:
        await uow.fetchrow(_CLEAR_BOUNCE, {"kind": author.kind.value, "value": author.value})
    ticket_id = message.ticket_id or await threading.by_references(uow, message)
    if ticket_id is None:
        ticket_id = await threading.by_tag(uow, message.subject)
    if ticket_id is None and message.channel in threading.CONVERSATIONS and author is not None:
        assert customer.id is not None
        ticket_id = await threading.by_conversation(uow, customer.id, utcnow())
    ticket = await uow.session.get(Ticket, ticket_id) if ticket_id is not None else None
    new = await _new_message(uow, message, customer)

    if ticket is not None and ticket.status != TicketStatus.closed:
        stored = await tickets.add_message(uow, ticket, new)
        outcome: Outcome = "appended"
    else:
        if ticket is not None:  # a closed ticket is not reopened: a follow-up is opened
            new.meta["follow_up_of"] = ticket.number
        ticket, stored = await tickets.create_ticket(
            uow,
            subject=_subject(message),
            customer=customer,
            first=new,
            asset=await _own_asset(uow, message.asset_id, customer),
            queue_id=message.queue_id,
        )
        outcome = "created"
    assert ticket.id is not None
    assert stored.id is not None
    files = _attachments(message)
    ids = await attach(uow, stored.id, files)
    _link_inline_images(stored, files, ids)
    if message.body_html:
        stored.body_html = _REMOTE_SRC.sub(r"data-remote-src=\1", stored.body_html)
    await _keep_collaborators(uow, ticket.id, message, customer_address=author, own=own)
    if outcome == "created":
        await _maybe_acknowledge(uow, ticket, customer, message, own, settings)
    return IntakeResult(outcome, ticket.id, ticket.number, stored.id)


async def _own_asset(uow: UnitOfWork, asset_id: int | None, customer: Customer) -> Asset | None:
    """The unit the channel named, if it is this customer's."""
    if asset_id is None:
        return None
    asset = await uow.session.get(Asset, asset_id)
    return asset if asset is not None and asset.customer_id == customer.id else None


async def _customer(uow: UnitOfWork, author: Party | None, message: InboundMessage) -> Customer:
    if author is None:
        customer, _ = await customers.resolve_customer(uow, UNKNOWN_SENDER, name="Unknown sender")
        return customer
    customer, _ = await customers.resolve_customer(
        uow,
        IdentityInput(author.kind, author.value),
        name=author.name or None,
        language=language_of(message),
    )
    return customer


def language_of(message: InboundMessage) -> str:
    """A new customer's language: what their mail client says, else their script."""
    if message.language in ("he", "en"):
        return message.language
    sample = f"{message.subject} {message.body_text[:500]}"
    return "he" if _HEBREW.search(sample) else "en"


def _subject(message: InboundMessage) -> str:
    subject = threading.TAG.sub("", message.subject).strip()
    return subject or "(no subject)"


async def _new_message(
    uow: UnitOfWork, message: InboundMessage, customer: Customer
) -> tickets.NewMessage:
    meta: dict[str, Any] = {"email": _envelope(message)} if message.channel.value == "email" else {}
    meta.update(message.meta)
    if message.full_text.strip() and message.full_text.strip() != message.body_text.strip():
        meta["full_text"] = message.full_text
    if message.raw is not None:
        meta["raw_sha256"] = await store_blob(uow, message.raw)
    warnings = list(message.warnings)
    if message.sender is None:
        warnings.append("The message names no sender we can answer.")
    if warnings:
        meta["warnings"] = warnings
    if message.auto_submitted:
        meta["auto_submitted"] = True
    if message.body_html:
        meta["html"] = True  # the timeline offers the formatted original
    body = message.body_text if message.body_text.strip() else message.full_text
    return tickets.NewMessage(
        channel=message.channel,
        direction=Direction.inbound,
        body_text=body if body.strip() else "(no text)",
        body_html=message.body_html,
        author_customer_id=customer.id,
        provider_id=message.provider_id,
        meta=meta,
    )


def _envelope(message: InboundMessage) -> dict[str, Any]:
    def show(party: Party) -> str:
        return f"{party.name} <{party.value}>" if party.name else party.value

    envelope: dict[str, Any] = {
        "from": show(message.sender) if message.sender else "",
        "to": [show(p) for p in message.to],
        "cc": [show(p) for p in message.cc],
        "subject": message.subject,
    }
    if message.reply_to is not None:
        envelope["reply_to"] = message.reply_to.value
    if message.sent_at is not None:
        envelope["date"] = message.sent_at.isoformat()
    return envelope


_CID_SRC = re.compile(r'src="cid:([^"]+)"', re.IGNORECASE)
# Remote images in mail are tracking pixels as often as not: an agent opening the
# ticket must not tell the sender so. They are kept, not loaded.
_REMOTE_SRC = re.compile(r'\bsrc=("https?://[^"]*")', re.IGNORECASE)


def _link_inline_images(stored: Message, files: list[NewAttachment], ids: list[int]) -> None:
    """Point the HTML's `cid:` images at their stored parts (served inline, images only)."""
    by_cid = {f.content_id: i for f, i in zip(files, ids, strict=True) if f.content_id}
    if not by_cid or "cid:" not in stored.body_html:
        return

    def link(match: re.Match[str]) -> str:
        found = by_cid.get(html.unescape(match.group(1)))
        return f'src="/attachments/{found}/inline"' if found else 'src=""'

    stored.body_html = _CID_SRC.sub(link, stored.body_html)


def _attachments(message: InboundMessage) -> list[NewAttachment]:
    return [
        NewAttachment(a.filename, a.content_type, a.data, a.content_id, a.inline)
        for a in message.attachments
    ]


async def _keep_collaborators(
    uow: UnitOfWork,
    ticket_id: int,
    message: InboundMessage,
    *,
    customer_address: Party | None,
    own: frozenset[str],
) -> None:
    """Everyone else on the message (Cc, and To besides the desk) stays in the loop."""
    skip = set(own)
    if customer_address is not None:
        skip.add(customer_address.value)
    people: dict[str, str] = {}
    for party in (*message.cc, *message.to):
        if party.kind == IdentityKind.email and party.value not in skip:
            people.setdefault(party.value, party.name)
    await tickets.add_collaborators(uow, ticket_id, list(people.items()))


async def _maybe_acknowledge(
    uow: UnitOfWork,
    ticket: Ticket,
    customer: Customer,
    message: InboundMessage,
    own: frozenset[str],
    settings: Settings,
) -> None:
    """RFC 3834: never answer automatic mail; never feed a loop; never write to an
    address that bounces or to ourselves."""
    if message.channel in threading.CONVERSATIONS:
        return  # answered live (a chat sends its own transcript when it goes to e-mail)
    to = message.answer_to
    if message.auto_submitted or to is None or to.kind != IdentityKind.email or to.value in own:
        return
    bouncing = await uow.fetchrow(_IS_BOUNCING, {"kind": to.kind.value, "value": to.value})
    if bouncing is not None:
        return
    if not await may_auto_reply(uow, to.value, settings):
        log.warning(
            "not acknowledging ticket %s: %s is over its auto-reply limit", ticket.number, to.value
        )
        return
    await acknowledge(uow, ticket, customer, to.value)


async def _file_bounce(uow: UnitOfWork, message: InboundMessage) -> IntakeResult:
    found = await bounces.file_bounce(uow, message)
    if found is None:
        return IntakeResult("ignored", None, reason="a bounce of a message we do not know")
    ticket_id, number, message_id = found
    return IntakeResult("bounce", ticket_id, number, message_id)
