"""Twilio's voice webhooks, `/twilio/voice/*` (mounted with the SMS ones, signed the
same way). Steps that answer the caller always answer valid TwiML: when a step fails
the caller hears an apology and can leave a voicemail, never Twilio's error tone."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from servicedesk.channels.voice import flow
from servicedesk.channels.voice.flow import VoiceDesk
from telephony import parse, twiml, voice

log = logging.getLogger(__name__)

Step = Callable[[VoiceDesk, dict[str, str]], Awaitable[str]]


def _xml(document: str) -> Response:
    return Response(document, media_type=twiml.CONTENT_TYPE)


def _spoken(step: Step) -> Callable[[Request, dict[str, str]], Awaitable[Response]]:
    """A step the caller is waiting on: its TwiML, or an apology and voicemail."""

    async def handler(request: Request, form: dict[str, str]) -> Response:
        desk: VoiceDesk = request.app.state.voice
        try:
            return _xml(await step(desk, form))
        except parse.BadWebhook:
            raise  # not from Twilio: 400
        except Exception:
            log.exception("voice step %s failed; the caller is offered voicemail", request.url.path)
            return _xml(desk.apology())

    return handler


def _callback(step: Step) -> Callable[[Request, dict[str, str]], Awaitable[Response]]:
    """A report about the call (nobody is listening): errors go up, so a database
    outage answers 503 and Twilio's retry (where configured) is not lost."""

    async def handler(request: Request, form: dict[str, str]) -> Response:
        return _xml(await step(request.app.state.voice, form))

    return handler


async def _incoming(desk: VoiceDesk, form: dict[str, str]) -> str:
    return await flow.incoming(desk, voice.call(form))


async def _menu(desk: VoiceDesk, form: dict[str, str]) -> str:
    return await flow.menu_choice(desk, voice.gathered(form))


async def _serial(desk: VoiceDesk, form: dict[str, str]) -> str:
    return await flow.serial_entered(desk, voice.gathered(form))


async def _wait(desk: VoiceDesk, form: dict[str, str]) -> str:
    return await flow.waiting(desk, voice.queue_wait(form))


async def _queued(desk: VoiceDesk, form: dict[str, str]) -> str:
    return await flow.queue_left(desk, voice.queue_left(form))


async def _dialled(desk: VoiceDesk, form: dict[str, str]) -> str:
    return await flow.dialled(desk, voice.dialled(form))


async def _recording(desk: VoiceDesk, form: dict[str, str]) -> str:
    return await flow.recorded(desk, voice.call(form), voice.recording(form))


async def _agent_status(desk: VoiceDesk, form: dict[str, str]) -> str:
    return await flow.agent_leg(desk, voice.call_status(form))


async def _status(desk: VoiceDesk, form: dict[str, str]) -> str:
    status = voice.call_status(form)
    if status.parent_call_sid is not None:  # an agent's leg reported on the number's callback
        return await flow.agent_leg(desk, status)
    await flow.ended(desk, voice.call(form), status)
    return twiml.empty()


async def _transcription(desk: VoiceDesk, form: dict[str, str]) -> str:
    await flow.transcribed(desk, voice.transcription(form))
    return twiml.empty()


def voice_routes(
    signed: Callable[
        [Callable[[Request, dict[str, str]], Awaitable[Response]]],
        Callable[[Request], Awaitable[Response]],
    ],
) -> list[Route]:
    def post(path: str, handler: Callable[[Request, dict[str, str]], Awaitable[Response]]) -> Route:
        return Route(path, signed(handler), methods=["POST"])

    return [
        post("/voice", _spoken(_incoming)),
        post("/voice/menu", _spoken(_menu)),
        post("/voice/serial", _spoken(_serial)),
        post("/voice/wait", _spoken(_wait)),
        post("/voice/queued", _spoken(_queued)),
        post("/voice/dialled", _spoken(_dialled)),
        post("/voice/recording", _spoken(_recording)),
        post("/voice/agent-status", _callback(_agent_status)),
        post("/voice/status", _callback(_status)),
        post("/voice/transcription", _callback(_transcription)),
    ]
