"""TwiML documents the webhooks answer with, built with the `twilio` library (which
escapes every text and attribute)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

CONTENT_TYPE = "text/xml; charset=utf-8"

# Twilio's <Say> and speech recognition by language; Hebrew needs a neural voice.
VOICES = {
    "he": ("he-IL", "Google.he-IL-Standard-A"),
    "en": ("en-US", "Google.en-US-Standard-C"),
}


def nothing() -> str:
    """`<Response/>`: received, and no text goes back."""
    return str(MessagingResponse())


def reply(text: str) -> str:
    """A text back to whoever wrote (escaped by the library)."""
    response = MessagingResponse()
    response.message(text)
    return str(response)


@dataclass(frozen=True)
class Urls:
    """Where Twilio posts next; each a full public URL."""

    gather: str = ""
    enqueue_action: str = ""
    wait: str = ""
    record_action: str = ""
    transcription: str = ""
    dial_action: str = ""
    agent_status: str = ""


def _say(target: VoiceResponse | Gather, text: str, language: str) -> None:
    code, voice = VOICES.get(language, VOICES["en"])
    target.say(text, language=code, voice=voice)


def menu(
    sentences: Sequence[str],
    language: str,
    action: str,
    *,
    digits: int = 1,
    hints: Sequence[str] = (),
    timeout: int = 6,
) -> str:
    """Say `sentences` while listening for keys or words; Twilio posts what it got
    (or nothing) to `action`, so silence is handled there too."""
    response = VoiceResponse()
    code, _ = VOICES.get(language, VOICES["en"])
    gather = Gather(
        input="dtmf speech",
        action=action,
        method="POST",
        language=code,
        timeout=timeout,
        speech_timeout="auto",
        action_on_empty_result=True,
        num_digits=digits if digits == 1 else None,
        finish_on_key="#" if digits != 1 else None,
        hints=", ".join(hints)[:900] if hints else None,
    )
    for sentence in sentences:
        _say(gather, sentence, language)
    response.append(gather)
    return str(response)


def enqueue(queue: str, language: str, urls: Urls, *, before: Sequence[str] = ()) -> str:
    """Put the caller in `queue` (a Twilio queue name); the wait URL keeps them informed."""
    response = VoiceResponse()
    for sentence in before:
        _say(response, sentence, language)
    response.enqueue(
        queue,
        action=urls.enqueue_action,
        method="POST",
        wait_url=urls.wait,
        wait_url_method="POST",
    )
    return str(response)


def waiting(sentences: Sequence[str], language: str, *, hold_music: str | None, pause: int) -> str:
    """What a queued caller hears until the wait URL is called again."""
    response = VoiceResponse()
    for sentence in sentences:
        _say(response, sentence, language)
    if hold_music:
        response.play(hold_music)
    else:
        response.pause(length=pause)
    return str(response)


def leave_queue() -> str:
    """`<Leave/>`: out of the queue; Twilio then posts the Enqueue action."""
    response = VoiceResponse()
    response.leave()
    return str(response)


def voicemail(sentences: Sequence[str], language: str, urls: Urls, *, max_seconds: int) -> str:
    """Ask for a message and record it, with a transcription sent back later."""
    response = VoiceResponse()
    for sentence in sentences:
        _say(response, sentence, language)
    response.record(
        action=urls.record_action,
        method="POST",
        max_length=max_seconds,
        play_beep=True,
        finish_on_key="#",
        transcribe=True,
        transcribe_callback=urls.transcription,
    )
    response.hangup()  # nothing was recorded: Twilio goes on here rather than to the action
    return str(response)


def dial_agent(
    *, client: str | None, number: str | None, caller_id: str | None, urls: Urls, ring: int
) -> str:
    """Connect the call to an agent's Twilio Client identity or their phone."""
    response = VoiceResponse()
    dial = response.dial(action=urls.dial_action, method="POST", timeout=ring, caller_id=caller_id)
    events = "answered completed"
    if client is not None:
        dial.client(client, status_callback_event=events, status_callback=urls.agent_status)
    elif number is not None:
        dial.number(number, status_callback_event=events, status_callback=urls.agent_status)
    else:
        raise ValueError("dial_agent needs a client identity or a number")
    return str(response)


def goodbye(sentences: Sequence[str], language: str) -> str:
    response = VoiceResponse()
    for sentence in sentences:
        _say(response, sentence, language)
    response.hangup()
    return str(response)


def empty() -> str:
    """`<Response/>` for voice: nothing more to do on this call."""
    return str(VoiceResponse())
