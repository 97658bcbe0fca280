"""The one normalised inbound type every channel produces.

Nothing after `servicedesk.channels` sees MIME parts, Twilio form fields or
Socket.IO frames: intake works on `InboundMessage` alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from servicedesk.enums import Channel, IdentityKind


@dataclass(frozen=True)
class Party:
    """Someone on the message: an identity as the channel gave it, normalised."""

    kind: IdentityKind
    value: str  # normalised: lower-case e-mail address, E.164 number
    name: str = ""


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None  # for inline parts referenced as cid: from HTML
    inline: bool = False


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464) about mail we sent."""

    original_message_id: str | None  # the Message-ID of the message that bounced
    recipients: tuple[str, ...]  # the addresses that failed (lower-case)
    permanent: bool  # 5.x.x rather than a 4.x.x delay notice
    diagnostic: str = ""


@dataclass(frozen=True)
class InboundMessage:
    channel: Channel
    # The provider's id, unique per channel: Message-ID (without <>), CallSid…
    # Mail without a usable Message-ID gets one derived from its raw bytes, so
    # a redelivery of the same bytes is still recognised.
    provider_id: str
    sender: Party | None  # None when the message names nobody we can answer
    subject: str = ""
    body_text: str = ""  # the new text, quoted history removed
    full_text: str = ""  # the whole text as sent, quoted history included
    body_html: str | None = None  # untrusted; sanitised by the ticket service
    reply_to: Party | None = None
    to: tuple[Party, ...] = ()
    cc: tuple[Party, ...] = ()
    in_reply_to: tuple[str, ...] = ()  # message ids, without <>
    references: tuple[str, ...] = ()
    attachments: tuple[InboundAttachment, ...] = ()
    # RFC 3834 and list mail: never answer it automatically.
    auto_submitted: bool = False
    bounce: Bounce | None = None
    language: str | None = None  # Content-Language, if the sender's client set one
    sent_at: datetime | None = None
    warnings: tuple[str, ...] = ()  # what could not be read; shown on the ticket
    raw: bytes | None = None  # the source as received, kept for "show original"
    headers: tuple[tuple[str, str], ...] = field(default=())  # a few, for display
    # What the channel knows beyond text (numbers, media links, call details), kept on
    # the message as it is: JSON-ready values only.
    meta: Mapping[str, Any] = field(default_factory=dict)
    # What the channel already established (a caller chose these in the phone menu):
    # the ticket this continues, and for a new ticket its queue and the unit it is about.
    ticket_id: int | None = None
    queue_id: int | None = None
    asset_id: int | None = None

    @property
    def answer_to(self) -> Party | None:
        """Where a reply goes: Reply-To when given, else the sender."""
        return self.reply_to or self.sender
