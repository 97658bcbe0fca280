"""Twilio's voice webhook fields turned into typed events.

As in `parse`, a field Twilio always sends that is missing or malformed raises
`BadWebhook`; what a caller typed or said is never an error here: it is passed on
as text for the menu to judge, cut to a safe length."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from telephony.parse import ACCOUNT_SID, ADDRESS, BadWebhook, required

CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
RECORDING_SID = re.compile(r"^RE[0-9a-fA-F]{32}$")
MAX_DIGITS = 32  # longer is not a serial number or a ticket number anyone types
MAX_SPEECH = 500

CALL_STATES = (
    "queued",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
)
ENDED_STATES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
QUEUE_RESULTS = (
    "bridged",
    "bridging-in-process",
    "queue-full",
    "error",
    "hangup",
    "redirected",
    "redirected-from-bridged",
    "leave",
    "system-error",
    "system-shutdown",
)
DIAL_STATES = ("completed", "answered", "busy", "no-answer", "failed", "canceled")


@dataclass(frozen=True)
class Call:
    """The fields every voice webhook carries about the call."""

    call_sid: str
    account_sid: str
    from_number: str
    to_number: str
    direction: str = "inbound"
    caller_name: str = ""


@dataclass(frozen=True)
class Gathered:
    """What the caller pressed or said at a `<Gather>` (both empty: nothing)."""

    call_sid: str
    digits: str
    speech: str
    confidence: float | None = None


@dataclass(frozen=True)
class CallStatus:
    call_sid: str
    status: str
    duration: int | None = None  # seconds, once the call has ended
    parent_call_sid: str | None = None  # set on an agent's leg we dialled


@dataclass(frozen=True)
class QueueWait:
    """A `<Enqueue waitUrl>` request: where the caller is in the queue."""

    call_sid: str
    position: int
    queue_seconds: int
    average_seconds: int
    size: int


@dataclass(frozen=True)
class QueueLeft:
    """The `<Enqueue action>` request: why the caller left the queue."""

    call_sid: str
    result: str
    queue_seconds: int


@dataclass(frozen=True)
class Dialled:
    """The `<Dial action>` request: how the leg to the agent ended."""

    call_sid: str
    status: str
    duration: int


@dataclass(frozen=True)
class Recording:
    call_sid: str
    recording_sid: str
    url: str
    duration: int


@dataclass(frozen=True)
class Transcription:
    call_sid: str
    recording_sid: str | None
    completed: bool
    text: str


def call(form: Mapping[str, str]) -> Call:
    """`POST /twilio/voice`: a call to one of our numbers."""
    direction = form.get("Direction", "inbound") or "inbound"
    return Call(
        call_sid=required(form, "CallSid", CALL_SID),
        account_sid=required(form, "AccountSid", ACCOUNT_SID),
        from_number=required(form, "From", ADDRESS),
        to_number=required(form, "To", ADDRESS),
        direction=direction[:16],
        caller_name=_clean(form.get("CallerName", ""), 100),
    )


def gathered(form: Mapping[str, str]) -> Gathered:
    digits = form.get("Digits", "")
    if len(digits) > MAX_DIGITS or not re.fullmatch(r"[0-9*#]*", digits):
        digits = "?"  # keys no menu offers: the menu says so and asks again
    confidence = _float(form.get("Confidence"))
    return Gathered(
        required(form, "CallSid", CALL_SID),
        digits,
        _clean(form.get("SpeechResult", ""), MAX_SPEECH),
        confidence,
    )


def call_status(form: Mapping[str, str]) -> CallStatus:
    status = form.get("CallStatus", "")
    if status not in CALL_STATES:
        raise BadWebhook("CallStatus", f"unknown state {status[:40]!r}")
    parent = form.get("ParentCallSid") or None
    if parent is not None and not CALL_SID.match(parent):
        raise BadWebhook("ParentCallSid", "malformed")
    return CallStatus(
        required(form, "CallSid", CALL_SID),
        status,
        _seconds(form, "CallDuration", required=False),
        parent,
    )


def queue_wait(form: Mapping[str, str]) -> QueueWait:
    return QueueWait(
        required(form, "CallSid", CALL_SID),
        position=_seconds(form, "QueuePosition", required=True) or 0,
        queue_seconds=_seconds(form, "QueueTime", required=False) or 0,
        average_seconds=_seconds(form, "AvgQueueTime", required=False) or 0,
        size=_seconds(form, "CurrentQueueSize", required=False) or 0,
    )


def queue_left(form: Mapping[str, str]) -> QueueLeft:
    result = form.get("QueueResult", "")
    if result not in QUEUE_RESULTS:
        raise BadWebhook("QueueResult", f"unknown result {result[:40]!r}")
    return QueueLeft(
        required(form, "CallSid", CALL_SID),
        result,
        _seconds(form, "QueueTime", required=False) or 0,
    )


def dialled(form: Mapping[str, str]) -> Dialled:
    status = form.get("DialCallStatus", "")
    if status not in DIAL_STATES:
        raise BadWebhook("DialCallStatus", f"unknown state {status[:40]!r}")
    return Dialled(
        required(form, "CallSid", CALL_SID),
        status,
        _seconds(form, "DialCallDuration", required=False) or 0,
    )


def recording(form: Mapping[str, str]) -> Recording:
    url = form.get("RecordingUrl", "")
    if not url.startswith("https://") or len(url) > 500:
        raise BadWebhook("RecordingUrl", "missing or not https")
    return Recording(
        required(form, "CallSid", CALL_SID),
        required(form, "RecordingSid", RECORDING_SID),
        url,
        _seconds(form, "RecordingDuration", required=False) or 0,
    )


def transcription(form: Mapping[str, str]) -> Transcription:
    status = form.get("TranscriptionStatus", "")
    if status not in ("completed", "failed"):
        raise BadWebhook("TranscriptionStatus", f"unknown state {status[:40]!r}")
    recording_sid = form.get("RecordingSid") or None
    if recording_sid is not None and not RECORDING_SID.match(recording_sid):
        raise BadWebhook("RecordingSid", "malformed")
    return Transcription(
        required(form, "CallSid", CALL_SID),
        recording_sid,
        status == "completed",
        _clean(form.get("TranscriptionText", ""), 20_000) if status == "completed" else "",
    )


def _seconds(form: Mapping[str, str], field: str, *, required: bool) -> int | None:
    raw = form.get(field, "")
    if not raw:
        if required:
            raise BadWebhook(field, "missing")
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:  # "²".isdigit() too
        raise BadWebhook(field, "must be a whole number")
    return int(raw)


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def _clean(text: str, limit: int) -> str:
    """Control characters out, whitespace collapsed, cut to `limit`."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())[:limit]
