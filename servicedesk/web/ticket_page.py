"""The ticket screen: header, conversation, reply form and properties.

Each part is also served alone so htmx can refresh it when a Socket.IO push
says the ticket changed; forms answer with the parts they changed."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.access import STAFF, can_see_ticket
from servicedesk.customers.models import Customer
from servicedesk.enums import Priority, Role, TicketStatus
from servicedesk.errors import Conflict, Forbidden, InvalidInput, ServiceError
from servicedesk.loading import MAX_INT4
from servicedesk.settings import local_today
from servicedesk.tickets import service as tickets
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.forms import Form, error_context, read_form
from servicedesk.web.templating import is_htmx, render_page
from servicedesk.web.ticket_view import TicketView, load_view, visible_ticket

STATUS_AFTER_REPLY = (TicketStatus.pending, TicketStatus.on_hold, TicketStatus.solved)
MAX_REPLY = 100_000


def _number(request: Request) -> int:
    number: int = request.path_params["number"]
    return number


async def _view(request: Request, caller: Caller) -> TicketView:
    today = local_today(request.app.state.settings)
    async with db_of(request).read_session() as session:
        return await load_view(session, caller.actor, _number(request), today)


def _context(view: TicketView, **extra: Any) -> dict[str, Any]:
    return {
        "v": view,
        "ticket": view.ticket,
        "statuses": list(TicketStatus),
        "priorities": list(Priority),
        "after_reply": STATUS_AFTER_REPLY,
        "values": {},
        **extra,
    }


async def render_ticket(
    request: Request, caller: Caller, *, status_code: int = 200, **extra: Any
) -> Response:
    """The whole ticket screen, with whatever a refused action has to say."""
    view = await _view(request, caller)
    return render_page(
        request,
        caller,
        "tickets/detail.html",
        _context(view, section="tickets", **extra),
        status_code=status_code,
    )


@page_route()
async def ticket_page(request: Request, caller: Caller) -> Response:
    return await render_ticket(request, caller)


@page_route()
async def conversation_part(request: Request, caller: Caller) -> Response:
    view = await _view(request, caller)
    return render_page(request, caller, "tickets/_conversation.html", _context(view))


@page_route()
async def header_part(request: Request, caller: Caller) -> Response:
    view = await _view(request, caller)
    return render_page(request, caller, "tickets/_header.html", _context(view))


@page_route(*STAFF)
async def properties_part(request: Request, caller: Caller) -> Response:
    view = await _view(request, caller)
    return render_page(request, caller, "tickets/_properties.html", _context(view))


def _back_to(number: int) -> Response:
    return RedirectResponse(f"/tickets/{number}", status_code=303)


async def _refused(
    request: Request,
    caller: Caller,
    exc: ServiceError,
    part: str,
    target: str,
    extra: dict[str, Any],
) -> Response:
    """A refused form comes back with its errors and values: as the form alone, in
    place (htmx), or as the whole screen (a plain form post)."""
    view = await _view(request, caller)
    if not is_htmx(request):
        return render_page(
            request,
            caller,
            "tickets/detail.html",
            _context(view, **extra),
            status_code=exc.status_code,
        )
    return render_page(
        request,
        caller,
        part,
        _context(view, **extra),
        status_code=exc.status_code,
        headers={"HX-Retarget": target, "HX-Reswap": "outerHTML"},
    )


def _reply_input(form: Form, caller: Caller) -> tuple[str, bool, TicketStatus | None]:
    body = form.values.get("body", "")
    if len(body) > MAX_REPLY:
        form.errors["body"] = "too_long"
    public = form.values.get("kind", "public") != "internal"
    then: TicketStatus | None = None
    if caller.user.role == Role.partner:
        if not public:
            raise Forbidden("partners cannot write internal notes")
    elif form.values.get("then_status"):
        then = form.choice("then_status", TicketStatus)
        if then is not None and then not in STATUS_AFTER_REPLY:
            form.errors["then_status"] = "unknown_choice"
    form.check()
    return body, public, then


@page_route()
async def post_reply(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    try:
        body, public, then = _reply_input(form, caller)
        async with db_of(request).unit_of_work(caller.actor) as uow:
            ticket = await visible_ticket(uow.session, caller.actor, _number(request))
            await tickets.add_reply(uow, ticket, author=caller.user, body=body, public=public)
            if then is not None:
                await tickets.update_ticket(uow, ticket, tickets.TicketChanges(status=then))
    except (InvalidInput, Conflict) as exc:
        extra = {**error_context(form, exc), "reply_error": True}
        return await _refused(
            request, caller, exc, "tickets/_reply_form.html", "#reply-form", extra
        )
    if not is_htmx(request):
        return _back_to(_number(request))
    view = await _view(request, caller)
    return render_page(request, caller, "tickets/_after_reply.html", _context(view))


def _changes(form: Form, caller: Caller) -> tickets.TicketChanges:
    status = form.choice("status", TicketStatus)
    priority = form.choice("priority", Priority)
    queue_id = form.integer("queue_id", minimum=1, maximum=MAX_INT4)
    assignee_id = form.integer("assignee_id", minimum=1, maximum=MAX_INT4)
    if form.flag("take"):
        assignee_id = caller.user.id
    version = form.integer("version", minimum=1, maximum=MAX_INT4)
    if version is None:
        form.errors.setdefault("version", "required")
    form.check()
    return tickets.TicketChanges(
        status=status,
        priority=priority,
        queue_id=queue_id,
        set_queue=queue_id is not None,
        assignee_id=assignee_id,
        set_assignee=True,
        expected_version=version,
    )


@page_route(*STAFF)
async def post_properties(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    try:
        changes = _changes(form, caller)
        async with db_of(request).unit_of_work(caller.actor) as uow:
            ticket = await visible_ticket(uow.session, caller.actor, _number(request))
            await tickets.update_ticket(uow, ticket, changes)
            customer = await uow.session.get(Customer, ticket.customer_id)
            still_visible = can_see_ticket(
                caller.actor, ticket, customer.organization_id if customer else None
            )
    except (InvalidInput, Conflict) as exc:
        extra = error_context(form, exc)
        if isinstance(exc, Conflict):
            extra["values"] = {}  # show what the ticket is now, not the stale choices
        part = "tickets/_properties.html"
        return await _refused(request, caller, exc, part, "#ticket-properties", extra)
    if not still_visible:
        # Moved out of the caller's queues: back to the list rather than a 403.
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": "/tickets"})
        return RedirectResponse("/tickets", status_code=303)
    if not is_htmx(request):
        return _back_to(_number(request))
    view = await _view(request, caller)
    return render_page(
        request, caller, "tickets/_after_properties.html", _context(view, saved=True)
    )
