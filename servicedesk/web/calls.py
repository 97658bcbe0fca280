"""Taking a phone call from the ticket screen: the agent presses Answer on a caller
waiting in the queue, and the call rings their softphone or phone."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.access import STAFF
from servicedesk.channels.twilio_rest import rest_client
from servicedesk.channels.voice import bridge
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.templating import render_page
from servicedesk.web.ticket_page import _context, _view
from servicedesk.web.ticket_view import visible_ticket


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
        view = await _view(request, caller)
        return render_page(
            request,
            caller,
            "tickets/detail.html",
            _context(view, section="tickets", call_error=str(exc)),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/tickets/{number}", status_code=303)
