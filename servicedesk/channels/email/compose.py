"""The e-mail for a stored outbound message: addresses, threading headers, a plain
text body with an HTML alternative (right to left for Hebrew), a localised
footer and the message's attachments.

`load_outgoing` reads everything in a few queries; `compose` is pure, so the same
stored message always makes the same mail (a retry resends identical headers)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, parseaddr
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from servicedesk.customers.models import Customer, CustomerIdentity
from servicedesk.enums import Channel, Direction, IdentityKind
from servicedesk.settings import Settings
from servicedesk.tickets.models import Attachment, Blob, Message, Ticket, TicketCollaborator

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "email"
RTL = frozenset({"he", "ar"})
FOOTER_LANGUAGES = frozenset({"he", "en"})
MAX_REFERENCES = 20
# "Re:", "RE :", "Fwd:", "AW:", "תשובה:" … stacked at the start of a subject.
_PREFIXES = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|sv|tr|השב|תשובה)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_TAG = re.compile(r"\[#\d{1,18}\]\s*")


class Undeliverable(Exception):
    """Nothing can be sent for this message as it stands (no address to send to)."""


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None
    inline: bool = False


@dataclass
class Outgoing:
    """A stored outbound message with everything its e-mail needs."""

    message: Message
    ticket: Ticket
    customer: Customer
    customer_emails: list[str]  # primary first
    collaborators: list[tuple[str, str]]  # (address, name)
    earlier: list[Message]  # the ticket's public e-mail messages before this one, oldest first
    files: list[StoredFile] = field(default_factory=list)


@dataclass(frozen=True)
class Composed:
    email: EmailMessage
    sender: str  # the envelope sender (MAIL FROM), where bounces go
    recipients: list[str]  # To and Cc


async def load_outgoing(session: AsyncSession, message_id: int) -> Outgoing | None:
    message = await session.get(Message, message_id)
    if message is None:
        return None
    ticket = await session.get(Ticket, message.ticket_id)
    assert ticket is not None
    customer = await session.get(Customer, ticket.customer_id)
    assert customer is not None
    emails = await session.scalars(
        select(CustomerIdentity.value)
        .where(
            col(CustomerIdentity.customer_id) == customer.id,
            col(CustomerIdentity.kind) == IdentityKind.email,
        )
        .order_by(col(CustomerIdentity.primary).desc(), col(CustomerIdentity.id))
    )
    collaborators = await session.execute(
        select(col(TicketCollaborator.address), col(TicketCollaborator.name))
        .where(col(TicketCollaborator.ticket_id) == ticket.id)
        .order_by(col(TicketCollaborator.id))
    )
    earlier = await session.scalars(
        select(Message)
        .where(
            col(Message.ticket_id) == ticket.id,
            col(Message.id) != message.id,
            col(Message.channel) == Channel.email,
            col(Message.is_public).is_(True),
            col(Message.created_at) <= message.created_at,
        )
        .order_by(col(Message.created_at), col(Message.id))
    )
    files = await session.execute(
        select(Attachment, col(Blob.data))
        .join(Blob, col(Blob.sha256) == col(Attachment.sha256))
        .where(col(Attachment.message_id) == message.id)
        .order_by(col(Attachment.id))
    )
    return Outgoing(
        message=message,
        ticket=ticket,
        customer=customer,
        customer_emails=list(emails),
        collaborators=[(address, name) for address, name in collaborators.all()],
        earlier=list(earlier),
        files=[
            StoredFile(a.filename, a.content_type, data, a.content_id, a.inline)
            for a, data in files.all()
        ],
    )


def compose(out: Outgoing, settings: Settings) -> Composed:
    message, ticket, customer = out.message, out.ticket, out.customer
    assert ticket.number is not None
    if not message.provider_id:
        raise Undeliverable("the message has no Message-ID (it was not queued by the outbox)")
    own = {_address(a) for a in (settings.mail_from, *settings.mail_addresses)} - {""}
    inbound = [m for m in out.earlier if m.direction == Direction.inbound]
    to = _recipient(message, inbound, out.customer_emails, own)
    to_header = _header_address(to, customer.name) if to else None
    if to is None or to_header is None:
        raise Undeliverable("the customer has no e-mail address to send to")
    automatic = bool((message.meta or {}).get("auto"))
    # RFC 3834: an automatic answer goes to the one who wrote, nobody else.
    cc = [] if automatic else _copied(out.collaborators, skip=own | {to})
    language = (customer.preferred_language or "en").strip() or "en"
    base_language = language.split("-")[0].lower()  # he-IL reads like he
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = to_header
    if cc:
        email["Cc"] = [header for _, header in cc]
    answered = _answered(inbound)
    email["Subject"] = subject(ticket.subject, ticket.number, reply=answered is not None)
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = f"<{message.provider_id}>"
    if answered is not None:
        email["In-Reply-To"] = f"<{answered}>"
    references = _references(out.earlier)
    if references:
        email["References"] = " ".join(f"<{r}>" for r in references)
    if automatic:
        # RFC 3834: an automatic answer; and please, no out-of-office replies to it.
        email["Auto-Submitted"] = "auto-replied"
        email["X-Auto-Response-Suppress"] = "All"
    footer_language = _footer_language(base_language)
    footer = _render("footer.txt", language=footer_language, number=ticket.number)
    email.set_content(_render("message.txt", body=message.body_text.strip(), footer=footer))
    email.add_alternative(
        _render(
            "message.html",
            body=message.body_html,
            footer=footer,
            language=language,
            direction="rtl" if base_language in RTL else "ltr",
            footer_direction="rtl" if footer_language in RTL else "ltr",
            title=email["Subject"],
        ),
        subtype="html",
    )
    _attach(email, out.files)
    # Last: building the body moves Content-* headers of the top level into its parts.
    email["Content-Language"] = language
    return Composed(
        email=email,
        sender=_address(settings.mail_from),
        recipients=[to, *(address for address, _ in cc)],
    )


def subject(ticket_subject: str, number: int, *, reply: bool) -> str:
    """`[#N] subject`, with "Re: " when it answers something; never a doubled tag or
    a stack of "Re: Re:"."""
    base = _PREFIXES.sub("", ticket_subject)
    base = _TAG.sub("", base).strip()
    tagged = f"[#{number}] {base}".strip()
    return f"Re: {tagged}" if reply else tagged


def _recipient(
    message: Message, inbound: list[Message], known: list[str], own: set[str]
) -> str | None:
    """Where this message goes: the address it was written for (the acknowledgement
    names it), else the Reply-To of the customer's latest e-mail, else their primary
    e-mail address; never one of the desk's own (that would be a mail loop)."""
    candidates: list[Any] = [(message.meta or {}).get("to")]
    for earlier in reversed(inbound):
        envelope = (earlier.meta or {}).get("email")
        if isinstance(envelope, dict) and envelope.get("reply_to"):
            candidates.append(envelope["reply_to"])
            break
    candidates.extend(known)
    for candidate in candidates:
        address = _address(candidate)
        if address and address not in own:
            return address
    return None


def _answered(inbound: list[Message]) -> str | None:
    """The Message-ID of the customer's newest e-mail (not an out-of-office)."""
    for m in reversed(inbound):
        if _is_message_id(m.provider_id) and not (m.meta or {}).get("auto_submitted"):
            return m.provider_id
    return None


def _references(earlier: list[Message]) -> list[str]:
    ids = list(dict.fromkeys(m.provider_id for m in earlier if m.provider_id))
    ids = [i for i in ids if _is_message_id(i)]
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]  # the thread's root is kept (RFC 5322)
    return ids


def _is_message_id(value: str | None) -> bool:
    # Mail that came without a Message-ID is stored under an id we derived: not one
    # the customer's client knows.
    return bool(value) and "@" in (value or "") and " " not in (value or "")


def _address(value: Any) -> str:
    """The bare, lower-case address in `value` (a string or {"address": …}), or ""."""
    if isinstance(value, dict):
        value = value.get("address") or value.get("value") or value.get("email")
    if not isinstance(value, str):
        return ""
    address = parseaddr(value)[1].strip().lower()
    local, at, domain = address.rpartition("@")
    return address if at and local and domain.strip(".") else ""


def _header_address(address: str, name: str) -> Address | None:
    """The header form of an address, or None for one no header can carry."""
    local, _, domain = address.rpartition("@")
    try:
        return Address(display_name=" ".join(name.split()), username=local, domain=domain)
    except (ValueError, IndexError, TypeError):
        return None


def _copied(
    collaborators: Iterable[tuple[str, str]], *, skip: set[str]
) -> list[tuple[str, Address]]:
    """The collaborators to copy, once each, as (address, header form)."""
    copied = []
    for address, name in _dedupe(collaborators):
        header = _header_address(address, name) if address and address not in skip else None
        if header is not None:
            copied.append((address, header))
    return copied


def _dedupe(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for address, name in pairs:
        seen.setdefault(_address(address), name)
    return list(seen.items())


def _footer_language(language: str) -> str:
    return language if language in FOOTER_LANGUAGES else "en"


def _attach(email: EmailMessage, files: list[StoredFile]) -> None:
    html = email.get_body(("html",))
    for f in files:
        maintype, _, subtype = f.content_type.partition("/")
        if not subtype or "/" in subtype:
            maintype, subtype = "application", "octet-stream"
        if f.inline and f.content_id and isinstance(html, MIMEPart):
            # Pictures the HTML shows through cid: stay next to it (multipart/related).
            html.add_related(f.data, maintype, subtype, cid=f"<{f.content_id.strip('<>')}>")
        else:
            email.add_attachment(f.data, maintype, subtype, filename=f.filename)


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)
