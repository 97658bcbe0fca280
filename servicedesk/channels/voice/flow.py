"""The phone call, step by step: each of Twilio's voice webhooks moves the call's row
on and answers the TwiML for what the caller hears next. The one synchronous path
in the desk, since Twilio waits for the answer: every step commits first, files the
call on its ticket when it is due, and only then answers."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from servicedesk.channels.voice import calls, filing, prompts
from servicedesk.channels.voice.models import CallOutcome, CallState, PhoneCall
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.routing import offers
from servicedesk.settings import Settings, local_today
from servicedesk.sla_tracking.hours import hours_for
from servicedesk.sla_tracking.service import PolicyRegistry
from sla.policy import TicketFacts
from telephony import twiml, voice
from telephony.menu import LANGUAGES, Menu, choose, other_language

log = logging.getLogger(__name__)

MAX_MENU_ERRORS = 3  # then the caller goes to the default queue: nobody is stuck in a menu


class UnknownCall(LookupError):
    """A callback for a call whose first webhook never reached us."""


@dataclass(frozen=True)
class VoiceDesk:
    db: Database
    settings: Settings
    menu: Menu
    registry: PolicyRegistry

    def url(self, step: str) -> str:
        return f"{self.settings.public_base_url}/twilio/voice/{step}"

    @property
    def urls(self) -> twiml.Urls:
        return twiml.Urls(
            gather=self.url("menu"),
            enqueue_action=self.url("queued"),
            wait=self.url("wait"),
            record_action=self.url("recording"),
            transcription=self.url("transcription"),
            dial_action=self.url("dialled"),
            agent_status=self.url("agent-status"),
        )

    def voicemail(self, language: str, *first: str) -> str:
        sentences = [*first, prompts.text("leave_message", language)]
        return twiml.voicemail(
            sentences, language, self.urls, max_seconds=self.settings.voice_record_seconds
        )

    def apology(self) -> str:
        """What a caller hears when a step failed: sorry, and leave a message."""
        language = self.settings.voice_language
        return self.voicemail(language, prompts.text("sorry", language))


async def incoming(desk: VoiceDesk, call: voice.Call) -> str:
    """`/twilio/voice`: greet the caller (by name when we know the number) and offer the menu."""
    number = calls.caller_number(call.from_number, desk.settings.default_region)
    async with desk.db.unit_of_work(Actor.system()) as uow:
        caller = await calls.identify(uow, number)
        language = caller.language if caller.language in LANGUAGES else desk.settings.voice_language
        row = await calls.begin(uow, call, caller, language)
        if row.state != CallState.menu:  # Twilio repeated the webhook: carry on where it is
            return _resume(desk, row)
    return _menu(desk, row.language, caller, first=True)


async def menu_choice(desk: VoiceDesk, gathered: voice.Gathered) -> str:
    """`/twilio/voice/menu`: what the caller pressed or said."""
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await _call(uow, gathered.call_sid)
        if row.state != CallState.menu:
            return _resume(desk, row)
        caller = await calls.identify(
            uow, calls.caller_number(row.from_number, desk.settings.default_region)
        )
        chosen = choose(
            desk.menu,
            gathered.digits,
            gathered.speech,
            row.language,
            has_ticket=caller.open_ticket_id is not None,
        )
        if chosen.kind in ("nothing", "invalid"):
            row.menu_errors += 1
            if row.menu_errors < MAX_MENU_ERRORS:
                uow.session.add(row)
                problem = "not_heard" if chosen.kind == "nothing" else "not_option"
                return _menu(desk, row.language, caller, first=False, before=problem)
            answer = await _to_queue(
                desk, uow, row, await calls.queue_named(uow, None), caller.tier
            )
        elif chosen.kind == "language":
            row.language = other_language(row.language)
            uow.session.add(row)
            return _menu(desk, row.language, caller, first=False)
        elif chosen.kind == "serial":
            return _ask_serial(desk, row.language)
        elif chosen.kind == "ticket":
            assert caller.open_ticket_id is not None
            row.chosen_ticket_id = caller.open_ticket_id
            queue = await calls.queue_of_ticket(uow, caller.open_ticket_id)
            answer = await _to_queue(
                desk, uow, row, queue or await calls.queue_named(uow, None), caller.tier
            )
        elif chosen.kind == "option":
            assert chosen.option is not None
            row.product_line = chosen.option.product_category or chosen.option.label_for("en")
            queue = await calls.queue_named(uow, chosen.option.queue_for(row.language))
            answer = await _to_queue(desk, uow, row, queue, caller.tier)
        else:  # "agent"
            answer = await _to_queue(
                desk, uow, row, await calls.queue_named(uow, None), caller.tier
            )
    await filing.sync(desk.db, desk.settings, gathered.call_sid)
    return answer


async def serial_entered(desk: VoiceDesk, gathered: voice.Gathered) -> str:
    """`/twilio/voice/serial`: the digits of a serial number, keyed or said."""
    digits = re.sub(r"[^0-9]", "", gathered.digits or gathered.speech)[:32]
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await _call(uow, gathered.call_sid)
        if row.state != CallState.menu:
            return _resume(desk, row)
        caller = await calls.identify(
            uow, calls.caller_number(row.from_number, desk.settings.default_region)
        )
        found = await calls.asset_by_digits(uow, row.customer_id, digits)
        if found is None and row.menu_errors + 1 < MAX_MENU_ERRORS:
            row.menu_errors += 1
            uow.session.add(row)
            return _ask_serial(desk, row.language, prompts.text("serial_unknown", row.language))
        row.serial_given = digits or None
        before: list[str] = []
        queue_name = None
        if found is not None:
            row.asset_id = found.id
            row.product_line = found.category
            before.append(prompts.text("serial_found", row.language, product=found.name))
            option = next(
                (o for o in desk.menu.options if o.product_category == found.category), None
            )
            queue_name = option.queue_for(row.language) if option else None
        queue = await calls.queue_named(uow, queue_name)
        answer = await _to_queue(desk, uow, row, queue, caller.tier, before=before)
    await filing.sync(desk.db, desk.settings, gathered.call_sid)
    return answer


async def waiting(desk: VoiceDesk, wait: voice.QueueWait) -> str:
    """`/twilio/voice/wait`, called again and again while the caller is queued: their
    place and expected wait, or out of the queue once they have waited too long."""
    if wait.queue_seconds >= desk.settings.voice_max_wait_seconds:
        return twiml.leave_queue()
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await calls.find(uow, wait.call_sid, lock=False)
        language = row.language if row is not None else desk.settings.voice_language
        if row is not None and row.queue_id is not None:
            seconds = await calls.expected_wait_seconds(uow, row.queue_id, wait.position, utcnow())
        else:
            seconds = calls.expected_wait(wait.position, calls.DEFAULT_HANDLE_SECONDS, 1)
    if wait.position <= 1:
        sentences = [prompts.text("position_next", language)]
    else:
        minutes = max(1, math.ceil(seconds / 60))
        sentences = [prompts.text("position", language, position=wait.position, minutes=minutes)]
    return twiml.waiting(
        sentences,
        language,
        hold_music=desk.settings.voice_hold_music_url,
        pause=desk.settings.voice_wait_pause_seconds,
    )


async def queue_left(desk: VoiceDesk, left: voice.QueueLeft) -> str:
    """`/twilio/voice/queued`: the caller is out of the queue, and why."""
    if left.result in (
        "bridged",
        "bridging-in-process",
        "redirected",
        "redirected-from-bridged",
        "hangup",
    ):
        return twiml.empty()  # talking to an agent, moved on, or gone (the status callback says)
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await _call(uow, left.call_sid)
        if row.state in (CallState.queued, CallState.connecting):
            row.state = CallState.voicemail
            row.agent_user_id = None
            uow.session.add(row)
        language = row.language
    await filing.sync(desk.db, desk.settings, left.call_sid)
    return desk.voicemail(language, prompts.text("nobody", language))


async def agent_leg(desk: VoiceDesk, status: voice.CallStatus) -> str:
    """`/twilio/voice/agent-status`: the leg to the agent; answered is what counts."""
    if status.parent_call_sid is None or status.status != "in-progress":
        return twiml.empty()
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await _call(uow, status.parent_call_sid)
        if row.answered_at is None and row.state in (CallState.connecting, CallState.queued):
            row.state = CallState.talking
            row.answered_at = utcnow()
            row.outcome = CallOutcome.answered
            uow.session.add(row)
    await filing.sync(desk.db, desk.settings, status.parent_call_sid)
    return twiml.empty()


async def dialled(desk: VoiceDesk, result: voice.Dialled) -> str:
    """`/twilio/voice/dialled`: the agent's leg ended. Talked: the call is over.
    Not answered: the caller goes back to the queue, first in line for the next agent."""
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await _call(uow, result.call_sid)
        if result.status in ("completed", "answered") and result.duration > 0:
            if row.answered_at is None:
                row.answered_at = utcnow()
                row.outcome = CallOutcome.answered
                row.state = CallState.talking
                uow.session.add(row)
            if row.agent_user_id is not None:  # off the phone: routing may offer again
                await offers.call_over(uow, row.agent_user_id, utcnow())
            answer = twiml.empty()
        elif row.state in (CallState.connecting, CallState.queued):
            if row.agent_user_id is not None and row.ticket_id is not None:
                await offers.call_not_answered(uow, row.agent_user_id, row.ticket_id, utcnow())
            row.state = CallState.queued
            row.agent_user_id = None
            uow.session.add(row)
            answer = twiml.enqueue(
                _queue_name(row),
                row.language,
                desk.urls,
                before=[prompts.text("retry_agent", row.language)],
            )
        else:
            answer = twiml.empty()
    await filing.sync(desk.db, desk.settings, result.call_sid)
    return answer


async def ended(desk: VoiceDesk, call: voice.Call, status: voice.CallStatus) -> None:
    """`/twilio/voice/status`: how the call ended decides its outcome; a call that
    ended in the menu is filed now, as a missed call, so nobody is forgotten."""
    if status.status not in voice.ENDED_STATES:
        return
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await calls.find(uow, status.call_sid)
        if row is None:  # our first answer never reached Twilio: keep the call all the same
            caller = await calls.identify(
                uow, calls.caller_number(call.from_number, desk.settings.default_region)
            )
            row = await calls.begin(
                uow, call, caller, caller.language or desk.settings.voice_language
            )
        if row.state != CallState.ended:
            row.state = CallState.ended
            row.ended_at = utcnow()
            row.outcome = row.outcome or _outcome(row)
        if status.duration is not None:
            row.duration_seconds = status.duration
        uow.session.add(row)
    await filing.sync(desk.db, desk.settings, status.call_sid)


async def recorded(desk: VoiceDesk, call: voice.Call, recording: voice.Recording) -> str:
    """`/twilio/voice/recording`: the voicemail is in."""
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await calls.find(uow, recording.call_sid)
        if row is None:
            caller = await calls.identify(
                uow, calls.caller_number(call.from_number, desk.settings.default_region)
            )
            row = await calls.begin(
                uow, call, caller, caller.language or desk.settings.voice_language
            )
        row.recording_sid = recording.recording_sid
        row.recording_url = recording.url
        row.recording_seconds = recording.duration
        if row.outcome != CallOutcome.answered:
            row.outcome = CallOutcome.voicemail
            if row.state != CallState.ended:
                row.state = CallState.voicemail
        uow.session.add(row)
        language = row.language
    await filing.sync(desk.db, desk.settings, recording.call_sid)
    return twiml.goodbye([prompts.text("thanks", language)], language)


async def transcribed(desk: VoiceDesk, transcription: voice.Transcription) -> None:
    """`/twilio/voice/transcription`: the voicemail in words, when Twilio managed."""
    async with desk.db.unit_of_work(Actor.system()) as uow:
        row = await _call(uow, transcription.call_sid)
        if transcription.completed:
            row.transcript = transcription.text
        else:
            log.info("call %s: Twilio could not transcribe the voicemail", transcription.call_sid)
        uow.session.add(row)
    await filing.sync(desk.db, desk.settings, transcription.call_sid)


def _outcome(row: PhoneCall) -> CallOutcome:
    if row.answered_at is not None:
        return CallOutcome.answered
    if row.recording_url:
        return CallOutcome.voicemail
    if row.enqueued_at is not None and row.state != CallState.voicemail:
        return CallOutcome.abandoned
    return CallOutcome.missed


async def _call(uow: UnitOfWork, call_sid: str) -> PhoneCall:
    row = await calls.find(uow, call_sid)
    if row is None:
        raise UnknownCall(call_sid)
    return row


def _menu(
    desk: VoiceDesk, language: str, caller: calls.Caller, *, first: bool, before: str | None = None
) -> str:
    sentences = prompts.menu_sentences(
        desk.menu,
        language,
        name=caller.name,
        ticket_number=caller.open_ticket_number,
        first=first,
    )
    if before is not None:
        sentences.insert(0, prompts.text(before, language))
    return twiml.menu(
        sentences, language, desk.url("menu"), hints=prompts.hints(desk.menu, language)
    )


def _ask_serial(desk: VoiceDesk, language: str, *before: str) -> str:
    sentences = [*before, prompts.text("ask_serial", language)]
    return twiml.menu(sentences, language, desk.url("serial"), digits=0, timeout=10)


def _queue_name(row: PhoneCall) -> str:
    """The Twilio queue for one of our queues (created by Twilio on first use)."""
    return f"queue-{row.queue_id}" if row.queue_id is not None else "queue-default"


async def _to_queue(
    desk: VoiceDesk,
    uow: UnitOfWork,
    row: PhoneCall,
    queue: calls.Queue,
    tier: str,
    *,
    before: list[str] | None = None,
) -> str:
    """Into the queue if it is open and staffed, else to voicemail."""
    now = utcnow()
    row.queue_id = queue.id
    facts = TicketFacts(
        warranty=await calls.warranty_of(uow, row.asset_id, local_today(desk.settings)),
        tier=tier,
        priority="normal",
        channel="voice",
        product_category=row.product_line,
        queue=queue.name,
    )
    hours = await hours_for(uow, desk.registry, facts, now)
    said = list(before or ())
    if not hours.open:
        row.state = CallState.voicemail
        uow.session.add(row)
        zone = ZoneInfo(desk.settings.time_zone)
        return desk.voicemail(
            row.language, *said, prompts.opening(row.language, hours.opens_at, zone)
        )
    if await calls.staffed(uow, queue.id) == 0:
        row.state = CallState.voicemail
        uow.session.add(row)
        return desk.voicemail(row.language, *said, prompts.text("nobody", row.language))
    row.state = CallState.queued
    row.enqueued_at = now
    uow.session.add(row)
    said.append(prompts.text("connecting", row.language))
    return twiml.enqueue(_queue_name(row), row.language, desk.urls, before=said)


def _resume(desk: VoiceDesk, row: PhoneCall) -> str:
    """The answer for a step Twilio repeated, from where the call already is."""
    if row.state == CallState.queued:
        return twiml.enqueue(_queue_name(row), row.language, desk.urls)
    if row.state == CallState.voicemail:
        return desk.voicemail(row.language)
    return twiml.empty()
