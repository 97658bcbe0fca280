"""Raw RFC 5322 bytes in, one `InboundMessage` out; never raises.

What could not be read becomes a human-readable English warning on the
message. No database, no clock: the same bytes always give the same message
(so `provider_id` recognises a redelivery even without a Message-ID)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from functools import lru_cache

from servicedesk.channels.email import headers as h
from servicedesk.channels.email.charsets import clean, decode_bytes, one_line
from servicedesk.channels.email.quotes import is_forward_subject, strip_quotes
from servicedesk.channels.email.walk import Walked, Walker, body_html, body_text
from servicedesk.channels.message import InboundMessage, Party
from servicedesk.enums import Channel, IdentityKind
from servicedesk.errors import InvalidInput
from servicedesk.identities import normalise_email

__all__ = ["UNREADABLE_SUBJECT", "parse_email"]

UNREADABLE_SUBJECT = "(unreadable message)"
MAX_TEXT_CHARS = 1_000_000
MAX_HTML_CHARS = 2_000_000
MAX_UNREADABLE_BYTES = 100_000
MAX_RECIPIENTS = 100
MAX_REFERENCES = 50
MAX_SUBJECT_CHARS = 998
MAX_NAME_CHARS = 200
MAX_DISPLAY_CHARS = 2000
FORWARD_LINE = "---------- Forwarded message ----------"

_PARSER = BytesParser(policy=policy.default)
_LENIENT = BytesParser(policy=policy.compat32)
_WANTED = (
    "from sender return-path reply-to to cc subject date message-id in-reply-to references"
    " content-language auto-submitted precedence list-id list-unsubscribe list-post"
    " x-autoreply x-autorespond x-auto-response-suppress"
).split()
_BULK = frozenset({"bulk", "list", "junk", "auto_reply", "auto-reply"})
_SUPPRESS = frozenset({"all", "oof", "autoreply"})
_DAEMONS = frozenset({"mailer-daemon", "postmaster"})
_DISPLAY = (("From", "from"), ("To", "to"), ("Cc", "cc"), ("Date", "date"))


def parse_email(raw: bytes, *, max_attachment_bytes: int) -> InboundMessage:
    """The message in `raw`. Never raises: what cannot be read is in `warnings`,
    and bytes that are not a message at all come back as an "(unreadable
    message)" whose body is the bytes as text."""
    try:
        return _parse(raw, max_attachment_bytes)
    except Exception as exc:  # the contract: every input gives a message
        return _unreadable(raw, f"The message could not be read ({type(exc).__name__}).")


def hashed_id(raw: bytes) -> str:
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@servicedesk.invalid"


def _unreadable(raw: bytes, warning: str) -> InboundMessage:
    try:
        data = bytes(raw[:MAX_UNREADABLE_BYTES])
        text = clean(decode_bytes(data, None)[0].replace("\r\n", "\n").replace("\r", "\n"))
        provider_id = hashed_id(bytes(raw))
    except Exception:
        text, provider_id = "", hashed_id(b"")
    if len(raw) > MAX_UNREADABLE_BYTES:
        text += "\n[…]"
    return InboundMessage(
        channel=Channel.email,
        provider_id=provider_id,
        sender=None,
        subject=UNREADABLE_SUBJECT,
        body_text=text,
        full_text=text,
        warnings=(warning,),
        raw=raw,
    )


def _parse(raw: bytes, max_attachment_bytes: int) -> InboundMessage:
    if not raw or raw.isspace():
        return _unreadable(raw, "The message is empty.")
    warnings: list[str] = []
    message: Message
    try:
        message = _PARSER.parsebytes(raw)
    except Exception:  # policy.default still trips over some malformed parameters
        message = _LENIENT.parsebytes(raw)
        warnings.append("Some headers are malformed; the message was read leniently.")
    fields = h.collect(message, _WANTED)
    if not any(True for _ in message.raw_items()):
        return _unreadable(raw, "The message has no headers; it is shown as plain text.")

    def first(name: str) -> str:
        values = fields.get(name)
        return values[0] if values else ""

    sender, sender_address = _sender(fields, warnings)
    provider_id = _provider_id(first("message-id"), raw, warnings)
    reply_to = _parties(fields.get("reply-to", []), warnings, "Reply-To")[:1]
    to = _parties(fields.get("to", []), warnings, "To")
    cc = _parties(fields.get("cc", []), warnings, "Cc")
    sent_at = _date(first("date"), warnings)
    subject = one_line(clean(h.decode(first("subject"))), MAX_SUBJECT_CHARS)
    walked = _walk(message, max_attachment_bytes, warnings)
    full_text, body = _texts(walked, subject, warnings)
    html = body_html(walked.segments)
    if html is not None and len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        warnings.append("The HTML of the message was too long and was cut short.")
    warnings.extend(walked.warnings)
    return InboundMessage(
        channel=Channel.email,
        provider_id=provider_id,
        sender=sender,
        subject=subject,
        body_text=body,
        full_text=full_text,
        body_html=html,
        reply_to=reply_to[0] if reply_to else None,
        to=to,
        cc=cc,
        in_reply_to=tuple(h.message_ids(first("in-reply-to"))[-MAX_REFERENCES:]),
        references=_references(fields.get("references", [])),
        attachments=tuple(walked.attachments),
        auto_submitted=_auto_submitted(fields, sender_address, walked),
        bounce=walked.bounce,
        language=_language(first("content-language")),
        sent_at=sent_at,
        warnings=tuple(dict.fromkeys(clean(w) for w in warnings)),
        raw=raw,
        headers=_display(fields, subject),
    )


def _walk(message: Message, max_attachment_bytes: int, warnings: list[str]) -> Walked:
    walker = Walker(max_attachment_bytes)
    try:
        return walker.walk(message)
    except Exception as exc:  # keep whatever was read before it failed
        warnings.append(f"The body of the message could not be read ({type(exc).__name__}).")
        return walker.out


def _texts(walked: Walked, subject: str, warnings: list[str]) -> tuple[str, str]:
    """(full_text, body_text): the forwarded sections are content, so both end with them."""
    outer = body_text(walked.segments, warnings)
    sections = [s for s in walked.forwarded if s.strip()]
    if len(outer) + sum(len(s) for s in sections) > MAX_TEXT_CHARS:
        warnings.append("The text of the message was too long and was cut short.")
        outer = outer[:MAX_TEXT_CHARS]
        sections = [s[: max(0, MAX_TEXT_CHARS - len(outer))] for s in sections]
    try:
        body = strip_quotes(outer, forwarded=is_forward_subject(subject)) if outer else ""
    except Exception:  # a body we cannot split is still a body
        body = outer
    full_text = "\n\n".join(t for t in (outer, *sections) if t)
    body = "\n\n".join(t for t in (body, *sections) if t)
    return full_text[:MAX_TEXT_CHARS], body[:MAX_TEXT_CHARS]


@lru_cache(maxsize=2048)
def _normalised(address: str) -> str | None:
    try:
        return normalise_email(address)
    except InvalidInput:
        return None


def _party(name: str, address: str) -> Party | None:
    value = _normalised(address[:400])
    if value is None:
        return None
    return Party(kind=IdentityKind.email, value=value, name=one_line(name, MAX_NAME_CHARS))


def _sender(fields: dict[str, list[str]], warnings: list[str]) -> tuple[Party | None, str]:
    """The From party (else Sender, else a non-null Return-Path) and its raw address."""
    for header in ("from", "sender", "return-path"):
        pairs = [p for value in fields.get(header, []) for p in h.addresses(value)]
        if not pairs:
            continue
        name, address = pairs[0]
        party = _party(name, address)
        if header != "from":
            warnings.append(f"The message has no From address; the {header.title()} was used.")
        if party is None:
            shown = one_line(h.decode(fields[header][0]), 100)
            warnings.append(f"The sender '{shown}' is not a valid e-mail address.")
        return party, address
    warnings.append("The message names no sender.")
    return None, ""


def _parties(values: list[str], warnings: list[str], header: str) -> tuple[Party, ...]:
    pairs = [p for value in values for p in h.addresses(value)]
    if len(pairs) > MAX_RECIPIENTS:
        warnings.append(f"{header} lists {len(pairs)} addresses; only the first were kept.")
        pairs = pairs[:MAX_RECIPIENTS]
    parties: dict[str, Party] = {}
    invalid = 0
    for name, address in pairs:
        party = _party(name, address)
        if party is None:
            invalid += 1
        elif party.value not in parties:
            parties[party.value] = party
    if invalid:
        word = "address" if invalid == 1 else "addresses"
        warnings.append(f"{invalid} invalid {word} in {header} skipped.")
    return tuple(parties.values())


def _provider_id(value: str, raw: bytes, warnings: list[str]) -> str:
    ids = h.message_ids(value, bare=True) if value.strip() else []
    if ids:
        return ids[0]
    if value.strip():
        warnings.append("The Message-ID could not be read; the message is known by its content.")
    return hashed_id(raw)


def _references(values: list[str]) -> tuple[str, ...]:
    ids = h.message_ids(" ".join(values))
    return tuple(ids[-MAX_REFERENCES:])


def _auto_submitted(fields: dict[str, list[str]], sender_address: str, walked: Walked) -> bool:
    def value(name: str) -> str:
        values = fields.get(name)
        return values[0].strip().lower() if values else ""

    auto = value("auto-submitted").split(";")[0].split("(")[0].strip()
    if "auto-submitted" in fields and auto != "no":
        return True
    if value("precedence") in _BULK:
        return True
    if any(n in fields for n in ("list-id", "list-unsubscribe", "list-post")):
        return True
    if "x-autoreply" in fields or "x-autorespond" in fields:
        return True
    suppress = {t.strip() for t in value("x-auto-response-suppress").split(",")}
    if suppress & _SUPPRESS:
        return True
    if "return-path" in fields and "".join(value("return-path").split()) == "<>":
        return True
    if sender_address.lower().rsplit("@", 1)[0] in _DAEMONS:
        return True
    return walked.report or walked.bounce is not None


def _language(value: str) -> str | None:
    tag = value.split(",")[0].split(";")[0].strip().split("-")[0].split("_")[0].lower()
    if not (2 <= len(tag) <= 8 and tag.isascii() and tag.isalpha()):
        return None
    return "he" if tag == "iw" else tag


def _date(value: str, warnings: list[str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        sent = parsedate_to_datetime(value.strip()[:200])
    except (TypeError, ValueError, IndexError, OverflowError):
        warnings.append(f"The date '{one_line(clean(value), 100)}' could not be read.")
        return None
    return sent if sent.tzinfo is not None else sent.replace(tzinfo=UTC)


def _display(fields: dict[str, list[str]], subject: str) -> tuple[tuple[str, str], ...]:
    shown = []
    for label, name in _DISPLAY:
        if name in fields:
            text = ", ".join(fields[name]) if name in ("to", "cc") else fields[name][0]
            shown.append((label, one_line(clean(h.decode(text)), MAX_DISPLAY_CHARS)))
    if "subject" in fields:
        shown.append(("Subject", subject))
    if "message-id" in fields:
        shown.append(("Message-ID", one_line(clean(fields["message-id"][0]), MAX_DISPLAY_CHARS)))
    return tuple(shown)
