"""Twilio's webhooks: `/twilio/*`. Each request is signature-checked before its form
is read for anything else (403, nothing changed), parsed into a typed event (400 on
a malformed one), and answered only after what it carries is committed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from servicedesk.channels.sms import optout, status
from servicedesk.channels.sms.inbound import to_inbound
from servicedesk.db import Actor, Database
from servicedesk.intake.service import TemporaryFailure, ingest, language_of
from servicedesk.settings import Settings
from servicedesk.web.voice import voice_routes
from telephony import parse, signature, twiml

log = logging.getLogger(__name__)

Handler = Callable[[Request, dict[str, str]], Awaitable[Response]]

DEFAULT_HELP = {
    "he": "שירות הלקוחות: השיבו להודעה זו ונציג יחזור אליכם. להפסקת הודעות שלחו הסר.",
    "en": "Customer service: reply to this text and an agent will get back to you. "
    "Text STOP to stop messages.",
}


def twilio_routes() -> list[Route]:
    """Mounted at /twilio."""
    return [
        Route("/sms", _signed(sms_received), methods=["POST"]),
        Route("/sms/status", _signed(sms_status), methods=["POST"]),
        *voice_routes(_signed),
    ]


def _signed(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        settings: Settings = request.app.state.settings
        form = {key: str(value) for key, value in (await request.form()).items()}
        url = signature.public_url(settings.public_base_url, request.url.path, request.url.query)
        token = str(settings.twilio_auth_token) if settings.twilio_auth_token else ""
        if not token:
            log.error("refused a Twilio webhook: TWILIO_AUTH_TOKEN is not set")
        if not signature.is_valid(token, url, form, request.headers.get(signature.HEADER)):
            log.warning("refused %s: bad or missing %s", request.url.path, signature.HEADER)
            return PlainTextResponse("invalid Twilio signature", status_code=403)
        try:
            return await handler(request, form)
        except parse.BadWebhook as exc:
            log.warning("refused %s: %s", request.url.path, exc)
            return PlainTextResponse(f"bad request: {exc}", status_code=400)
        except TemporaryFailure as exc:
            log.warning("%s not stored, asking Twilio to retry: %s", request.url.path, exc)
            return PlainTextResponse("temporarily unavailable", status_code=503)

    return endpoint


def _xml(document: str) -> Response:
    return Response(document, media_type=twiml.CONTENT_TYPE)


async def sms_received(request: Request, form: dict[str, str]) -> Response:
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    sms = parse.inbound_sms(form)
    message = to_inbound(sms, settings.default_region)
    if sms.opt_out is not None and message.sender is not None:
        async with db.unit_of_work(Actor.system()) as uow:
            await optout.apply_keyword(uow, message.sender.value, sms.opt_out, sms.message_sid)
        if sms.opt_out == "help":
            help_text = settings.sms_help_text or DEFAULT_HELP[language_of(message)]
            return _xml(twiml.reply(help_text))
        return _xml(twiml.nothing())  # Twilio confirms STOP and START itself
    result = await ingest(db, message, settings)
    log.info("sms %s: %s ticket %s", sms.message_sid, result.outcome, result.ticket_number)
    return _xml(twiml.nothing())


async def sms_status(request: Request, form: dict[str, str]) -> Response:
    await status.file_report(request.app.state.db, parse.sms_status(form))
    return _xml(twiml.nothing())
