"""A Twilio text turned into the one normalised inbound type."""

from __future__ import annotations

from servicedesk.channels.message import InboundMessage, Party
from servicedesk.enums import Channel, IdentityKind
from servicedesk.errors import InvalidInput
from servicedesk.identities import normalise_phone
from telephony.parse import InboundSms

# Twilio joins at most 10 segments (1,600 characters); anything longer did not come
# from a handset. It is kept up to this, the rest cut off with a warning shown.
MAX_BODY = 5_000
SUBJECT_CHARS = 60


def to_inbound(sms: InboundSms, region: str) -> InboundMessage:
    sender = _phone(sms.from_number, region)
    body = sms.body.replace("\x00", "")
    warnings: list[str] = []
    if len(body) > MAX_BODY:
        warnings.append(
            f"The text was {len(body):,} characters long; the first {MAX_BODY:,} are kept."
        )
        body = body[:MAX_BODY]
    if sender is None:
        warnings.append(f"The sender {sms.from_number[:64]!r} is not a phone number we can answer.")
    meta = {
        "sms": {
            "from": sms.from_number,
            "to": sms.to_number,
            "media": [{"url": m.url, "content_type": m.content_type} for m in sms.media],
        }
    }
    return InboundMessage(
        channel=Channel.sms,
        provider_id=sms.message_sid,
        sender=sender,
        subject=subject_of(body, has_media=bool(sms.media)),
        body_text=body if body.strip() else ("(picture message)" if sms.media else "(empty text)"),
        full_text=body,
        to=(Party(IdentityKind.phone, sms.to_number),),
        warnings=tuple(warnings),
        meta=meta,
    )


def subject_of(body: str, *, has_media: bool = False) -> str:
    """A new ticket's subject: the text's first line, shortened on a word."""
    line = " ".join(body.split())
    if not line:
        return "Picture message" if has_media else "Text message"
    if len(line) <= SUBJECT_CHARS:
        return line
    cut = line[:SUBJECT_CHARS].rsplit(" ", 1)[0]
    return (cut or line[:SUBJECT_CHARS]) + "…"


def _phone(raw: str, region: str) -> Party | None:
    """A number we can text back; a short code or an alphanumeric sender is not one."""
    try:
        return Party(IdentityKind.phone, normalise_phone(raw, region))
    except InvalidInput:
        return None
