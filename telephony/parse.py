"""Twilio's webhook form fields turned into typed events, checked on the way.

A field Twilio always sends that is missing or malformed raises `BadWebhook`
naming it (the route answers 400); optional fields default. Nothing here knows
what a ticket is."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

MESSAGE_SID = re.compile(r"^(SM|MM|SMS)[0-9a-fA-F]{32}$")
ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
# An address Twilio reports: E.164, a short code, an alphanumeric sender, or a
# "client:", "whatsapp:" or "sip:" identity. Anything longer or with controls is refused.
ADDRESS = re.compile(r"^[^\x00-\x1f\x7f]{1,128}$")
MAX_MEDIA = 10  # Twilio's own limit per MMS

# Carrier-standard opt-out words (Twilio's Advanced Opt-Out defaults) and the Hebrew
# "הסר" Israeli law requires to be honoured in commercial messages.
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE", "הסר", "הסרה"}
)
START_WORDS = frozenset({"START", "YES", "UNSTOP", "OPTIN"})
HELP_WORDS = frozenset({"HELP", "INFO", "עזרה"})

# Delivery states Twilio reports for an outbound message, in the order they happen.
SMS_STATES = (
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "read",
    "receiving",
    "received",
    "canceled",
)


class BadWebhook(ValueError):
    """A webhook that Twilio would not send: a required field is missing or malformed."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True)
class InboundSms:
    message_sid: str
    account_sid: str
    from_number: str
    to_number: str
    body: str
    media: tuple[Media, ...] = ()
    opt_out: str | None = None  # "stop", "start" or "help" when the text is a keyword


@dataclass(frozen=True)
class SmsStatus:
    message_sid: str
    status: str
    error_code: str | None = None


def inbound_sms(form: Mapping[str, str]) -> InboundSms:
    """`POST /twilio/sms`: a text (or MMS) a customer sent to one of our numbers."""
    body = form.get("Body", "")
    return InboundSms(
        message_sid=required(form, "MessageSid", MESSAGE_SID),
        account_sid=required(form, "AccountSid", ACCOUNT_SID),
        from_number=required(form, "From", ADDRESS),
        to_number=required(form, "To", ADDRESS),
        body=body,
        media=_media(form),
        opt_out=keyword(body, form.get("OptOutType")),
    )


def sms_status(form: Mapping[str, str]) -> SmsStatus:
    """`POST /twilio/sms/status`: where an outbound message has got to."""
    status = form.get("MessageStatus") or form.get("SmsStatus") or ""
    if status not in SMS_STATES:
        raise BadWebhook("MessageStatus", f"unknown state {status[:40]!r}")
    code = form.get("ErrorCode") or None
    if code is not None and not (code.isascii() and code.isdigit()):
        raise BadWebhook("ErrorCode", "must be a number")
    return SmsStatus(required(form, "MessageSid", MESSAGE_SID), status, code)


def keyword(body: str, opt_out_type: str | None = None) -> str | None:
    """ "stop", "start" or "help" when the text is an opt-out keyword (alone, any
    case, surrounding punctuation ignored), else None. Twilio's own verdict
    (`OptOutType`, sent when Advanced Opt-Out is on) wins."""
    if opt_out_type and opt_out_type.lower() in ("stop", "start", "help"):
        return opt_out_type.lower()
    word = body.strip().strip(".!?,;:'\"").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


def required(form: Mapping[str, str], field: str, pattern: re.Pattern[str]) -> str:
    """The field, which must be present and match `pattern`."""
    value = form.get(field)
    if not value:
        raise BadWebhook(field, "missing")
    if not pattern.match(value):
        raise BadWebhook(field, "malformed")
    return value


def _media(form: Mapping[str, str]) -> tuple[Media, ...]:
    raw = form.get("NumMedia", "0") or "0"
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_MEDIA:
        raise BadWebhook("NumMedia", f"must be a number from 0 to {MAX_MEDIA}")
    found = []
    for n in range(int(raw)):
        url = form.get(f"MediaUrl{n}", "")
        if not url.startswith("https://"):
            raise BadWebhook(f"MediaUrl{n}", "missing or not https")
        found.append(Media(url, form.get(f"MediaContentType{n}", "application/octet-stream")))
    return tuple(found)
