"""What the widget sends, checked, and turned into the one normalised inbound type.

Everything here is untrusted: names, addresses and lines are kept as plain text
(never markup), control characters are dropped, and every limit is named in the
error so the widget can say what to fix."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from servicedesk.channels.message import InboundMessage, Party
from servicedesk.enums import Channel, IdentityKind
from servicedesk.errors import InvalidInput
from servicedesk.identities import normalise_email

MAX_NAME = 100
MAX_QUEUE = 100
SUBJECT_CHARS = 60
LANGUAGES = ("he", "en")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The widget makes one per line (crypto.randomUUID): a resend carries the same.
_CLIENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class ChatStart:
    name: str
    email: str  # normalised
    text: str  # the first line
    language: str
    client_id: str  # of the first line
    queue: str | None  # the queue the embedding page asks for, by name


@dataclass(frozen=True)
class ChatLine:
    client_id: str
    text: str


def read_start(data: Any, max_chars: int) -> ChatStart:
    fields = _mapping(data)
    errors: dict[str, str] = {}
    name = _clean(fields.get("name"), keep_newlines=False)
    name = " ".join(name.split())
    if not name:
        errors["name"] = "required"
    elif len(name) > MAX_NAME:
        errors["name"] = "too_long"
    email = ""
    raw_email = fields.get("email")
    if not isinstance(raw_email, str) or not raw_email.strip():
        errors["email"] = "required"
    else:
        try:
            email = normalise_email(raw_email[:320])
        except InvalidInput:
            errors["email"] = "invalid"
    text = _text(fields.get("text"), max_chars, errors)
    client_id = _client_id(fields.get("id"), errors)
    language = fields.get("language")
    queue = _clean(fields.get("queue"), keep_newlines=False).strip()
    if errors:
        raise InvalidInput("the chat cannot start: " + _describe(errors), fields=errors)
    return ChatStart(
        name=name,
        email=email,
        text=text,
        language=language if language in LANGUAGES else "he",
        client_id=client_id,
        queue=queue[:MAX_QUEUE] or None,
    )


def read_line(data: Any, max_chars: int) -> ChatLine:
    fields = _mapping(data)
    errors: dict[str, str] = {}
    text = _text(fields.get("text"), max_chars, errors)
    client_id = _client_id(fields.get("id"), errors)
    if errors:
        raise InvalidInput("the message was not sent: " + _describe(errors), fields=errors)
    return ChatLine(client_id, text)


def start_provider_id(client_id: str) -> str:
    return f"chat:start:{client_id}"


def line_provider_id(chat_id: int, client_id: str) -> str:
    """Scoped to the chat: another chat cannot collide with (or find) this line."""
    return f"chat:{chat_id}:{client_id}"


def start_message(start: ChatStart) -> InboundMessage:
    return InboundMessage(
        channel=Channel.chat,
        provider_id=start_provider_id(start.client_id),
        sender=Party(IdentityKind.email, start.email, start.name),
        subject=subject_of(start.text),
        body_text=start.text,
        full_text=start.text,
        language=start.language,
        meta={"chat": {"name": start.name}},
    )


def line_message(
    *, chat_id: int, name: str, email: str, first_provider_id: str, line: ChatLine
) -> InboundMessage:
    """A later line: it answers the chat's first line, which threads it onto the chat's
    ticket whatever other tickets the customer has open."""
    return InboundMessage(
        channel=Channel.chat,
        provider_id=line_provider_id(chat_id, line.client_id),
        sender=Party(IdentityKind.email, email, name),
        subject="",
        body_text=line.text,
        full_text=line.text,
        in_reply_to=(first_provider_id,),
    )


def subject_of(text: str) -> str:
    """A new ticket's subject: the first line, shortened on a word."""
    line = " ".join(text.split())
    if len(line) <= SUBJECT_CHARS:
        return line or "Chat"
    cut = line[:SUBJECT_CHARS].rsplit(" ", 1)[0]
    return (cut or line[:SUBJECT_CHARS]) + "…"


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidInput("send an object", fields={"data": "invalid"})
    return data


def _clean(value: Any, *, keep_newlines: bool) -> str:
    """Text without control characters: NUL, escapes and lone surrogates go, and so do
    bidi embeddings, overrides and isolates (they could make a line read as something
    else; every place that shows it sets its direction itself). Newlines and tabs stay
    in lines; in a name they become spaces."""
    if not isinstance(value, str):
        return ""
    kept = []
    for ch in value:
        if ch in "\n\t":
            kept.append(ch if keep_newlines else " ")
        elif unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BIDI_CONTROLS:
            kept.append(ch)
    return "".join(kept).replace("\r", "")


def _text(value: Any, max_chars: int, errors: dict[str, str]) -> str:
    text = _clean(value, keep_newlines=True).strip()
    if not text:
        errors["text"] = "required"
    elif len(text) > max_chars:
        errors["text"] = "too_long"
    return text


def _client_id(value: Any, errors: dict[str, str]) -> str:
    if isinstance(value, str) and _CLIENT_ID.match(value.lower()):
        return value.lower()
    errors["id"] = "invalid"
    return ""


def _describe(errors: dict[str, str]) -> str:
    return ", ".join(f"{name} {problem.replace('_', ' ')}" for name, problem in errors.items())
