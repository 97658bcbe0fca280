"""A phone call on its ticket: filed through intake (idempotent by CallSid) once it
reaches the queue or voicemail, or ends without either, and its message kept in step
with the call as Twilio's callbacks fill it in."""

from __future__ import annotations

import logging
from typing import Any

from servicedesk.channels.message import InboundMessage, Party
from servicedesk.channels.voice import calls
from servicedesk.channels.voice.models import CallOutcome, CallState, PhoneCall
from servicedesk.db import Actor, Database
from servicedesk.enums import Channel, IdentityKind
from servicedesk.identities import format_phone
from servicedesk.intake.service import ingest
from servicedesk.settings import Settings
from servicedesk.staff.models import User
from servicedesk.tickets.calls import update_call
from servicedesk.tickets.models import Message

log = logging.getLogger(__name__)

_SUBJECTS = {
    CallOutcome.missed: "Missed call",
    CallOutcome.abandoned: "Call abandoned in the queue",
    CallOutcome.voicemail: "Voicemail",
}


def is_due(call: PhoneCall) -> bool:
    """A call is filed once it is past the menu: someone must see it from then on."""
    return call.state != CallState.menu or call.outcome is not None


def meta_of(call: PhoneCall, agent_name: str | None = None) -> dict[str, Any]:
    voice: dict[str, Any] = {
        "call_sid": call.call_sid,
        "from": call.from_number,
        "to": call.to_number,
        "direction": call.direction,
        "state": call.state.value,
        "outcome": call.outcome.value if call.outcome else None,
        "language": call.language,
        "product_line": call.product_line,
        "asset_id": call.asset_id,
        "queue_id": call.queue_id,
        "started_at": call.started_at.isoformat(),
        "enqueued_at": call.enqueued_at.isoformat() if call.enqueued_at else None,
        "answered_at": call.answered_at.isoformat() if call.answered_at else None,
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "duration": call.duration_seconds,
        "agent_id": call.agent_user_id if call.answered_at else None,
        "agent_name": agent_name if call.answered_at else None,
        "recording_url": call.recording_url,
        "recording_seconds": call.recording_seconds,
        "transcript": call.transcript,
    }
    meta: dict[str, Any] = {"voice": voice}
    if call.outcome is not None:
        meta["outcome"] = call.outcome.value
    if call.outcome == CallOutcome.answered and call.answered_at is not None:
        meta["answered_at"] = call.answered_at.isoformat()
    return meta


def body_of(call: PhoneCall, agent_name: str | None = None) -> str:
    """The call in words, for the conversation, search and e-mail exports."""
    caller = format_phone(call.from_number)
    lines = [f"Phone call from {caller}."]
    if call.product_line:
        lines.append(f"Chose: {call.product_line}.")
    if call.outcome == CallOutcome.answered:
        lines.append(f"Answered by {agent_name or 'an agent'}.")
    elif call.outcome == CallOutcome.abandoned:
        lines.append("The caller hung up while waiting in the queue.")
    elif call.outcome == CallOutcome.missed:
        lines.append("Missed: the caller did not reach an agent.")
    elif call.outcome == CallOutcome.voicemail or call.state == CallState.voicemail:
        lines.append("The caller was asked to leave a voicemail.")
    elif call.state == CallState.queued:
        lines.append("Waiting in the queue.")
    if call.duration_seconds is not None:
        minutes, seconds = divmod(call.duration_seconds, 60)
        lines.append(f"Duration {minutes}:{seconds:02d}.")
    if call.recording_url:
        lines.append(f"Recording ({call.recording_seconds or 0} s): {call.recording_url}")
    if call.transcript:
        lines.append(f"Transcript: {call.transcript}")
    return "\n".join(lines)


def to_inbound(call: PhoneCall, region: str, caller_name: str = "") -> InboundMessage:
    number = calls.caller_number(call.from_number, region)
    sender = Party(IdentityKind.phone, number, caller_name) if number else None
    warnings = () if sender else (f"The caller's number was withheld ({call.from_number[:40]}).",)
    subject = _SUBJECTS.get(call.outcome, "Phone call") if call.outcome else "Phone call"
    if call.product_line and call.outcome is None:
        subject = f"Phone call: {call.product_line}"
    return InboundMessage(
        channel=Channel.voice,
        provider_id=call.call_sid,
        sender=sender,
        subject=subject,
        body_text=body_of(call),
        full_text=body_of(call),
        to=(Party(IdentityKind.phone, call.to_number),),
        language=call.language,
        sent_at=call.started_at,
        warnings=warnings,
        meta=meta_of(call),
        ticket_id=call.chosen_ticket_id,
        queue_id=call.queue_id,
        asset_id=call.asset_id,
    )


async def sync(db: Database, settings: Settings, call_sid: str, caller_name: str = "") -> None:
    """File the call if it is due and not filed yet, then bring its message up to date.
    Safe to repeat and to run from overlapping callbacks."""
    async with db.unit_of_work(Actor.system()) as uow:
        call = await calls.find(uow, call_sid)
        if call is None or not is_due(call):
            return
        inbound = (
            to_inbound(call, settings.default_region, caller_name)
            if call.message_id is None
            else None
        )
    if inbound is not None:
        result = await ingest(db, inbound, settings)
        async with db.unit_of_work(Actor.system()) as uow:
            call = await calls.find(uow, call_sid)
            assert call is not None
            if call.message_id is None and result.message_id is not None:
                call.message_id = result.message_id
                call.ticket_id = result.ticket_id
                uow.session.add(call)
        log.info("call %s filed on ticket %s (%s)", call_sid, result.ticket_number, result.outcome)
    await refresh(db, call_sid)


async def refresh(db: Database, call_sid: str) -> None:
    """The call's message as the call now stands."""
    async with db.unit_of_work(Actor.system()) as uow:
        # The message first: overlapping callbacks queue here, and each then reads
        # the call as the one before it left it.
        message_row = await calls.message_of(uow, call_sid)
        if message_row is None:
            return
        message = await uow.session.get(Message, message_row, with_for_update=True)
        call = await calls.find(uow, call_sid)
        if message is None or call is None:
            return
        agent = await uow.session.get(User, call.agent_user_id) if call.agent_user_id else None
        agent_name = agent.name if agent else None
        # What intake added (warnings, the ticket a follow-up follows) stays.
        meta = {**message.meta, **meta_of(call, agent_name)}
        body = body_of(call, agent_name)
        if message.meta == meta and message.body_text == body:
            return
        newly_answered = (
            call.outcome == CallOutcome.answered and message.meta.get("outcome") != "answered"
        )
        await update_call(
            uow,
            message_row,
            body_text=body,
            meta=meta,
            answered_at=call.answered_at if newly_answered else None,
            agent_id=call.agent_user_id if newly_answered else None,
        )
