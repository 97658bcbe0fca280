"""Phone calls on the ticket screen: the agent presses Answer on a caller waiting in
the queue and the call rings their softphone or phone; a call's recording plays
through the desk."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.access import STAFF
from servicedesk.channels.twilio_rest import rest_client
from servicedesk.channels.voice import bridge
from servicedesk.channels.voice.models import PhoneCall
from servicedesk.errors import Conflict, InvalidInput, NotFound, ServiceError
from servicedesk.tickets.models import Ticket
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.ticket_page import render_ticket
from servicedesk.web.ticket_view import visible_ticket
from telephony.client import RestError


class RecordingUnavailable(ServiceError):
    status_code = 502
    code = "recording_unavailable"


@page_route(*STAFF)
async def answer_call(request: Request, caller: Caller) -> Response:
    number: int = request.path_params["number"]
    db = db_of(request)
    async with db.read_session() as session:
        ticket = await visible_ticket(session, caller.actor, number)
    assert ticket.id is not None
    try:
        await bridge.accept(
            request.app.state.voice,
            rest_client(request.app.state.settings),
            db,
            ticket.id,
            caller.user,
        )
    except (Conflict, InvalidInput, bridge.BridgeFailed) as exc:
        return await render_ticket(
            request, caller, status_code=exc.status_code, call_error=str(exc)
        )
    return RedirectResponse(f"/tickets/{number}", status_code=303)


@page_route(*STAFF)
async def call_recording(request: Request, caller: Caller) -> Response:
    """A call's recording, fetched from Twilio with the desk's credentials for someone
    who may see the call's ticket (Twilio's own link needs the account's password)."""
    sid: str = request.path_params["sid"]
    async with db_of(request).read_session() as session:
        call = await session.scalar(select(PhoneCall).where(col(PhoneCall.call_sid) == sid))
        ticket = await session.get(Ticket, call.ticket_id) if call and call.ticket_id else None
        if call is None or ticket is None or ticket.number is None or not call.recording_url:
            raise NotFound("no recording of that call")
        await visible_ticket(session, caller.actor, ticket.number)
    rest = rest_client(request.app.state.settings)
    if rest is None:
        raise RecordingUnavailable(
            "Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)"
        )
    try:
        audio = await rest.recording(call.recording_url)
    except RestError as exc:
        raise RecordingUnavailable(f"Twilio did not give the recording: {exc}") from exc
    return Response(
        audio,
        media_type="audio/mpeg",
        headers={
            "Cache-Control": "private, max-age=3600",
            "Content-Disposition": f'inline; filename="{sid}.mp3"',
        },
    )
