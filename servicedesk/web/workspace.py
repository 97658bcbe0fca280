"""The agent's workspace: presence toggle, the offer waiting for an answer (with
its countdown), their own open work and their queues' waiting work with SLA
badges, and "next ticket". Each part is a fragment htmx re-fetches when /live
says something changed (static/app.js turns events into `live-*` DOM events)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from sqlmodel import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from servicedesk.access import sees_all_tickets
from servicedesk.channels.twilio_rest import rest_client
from servicedesk.channels.voice import bridge
from servicedesk.db import Database, utcnow
from servicedesk.enums import Channel, Role
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.loading import MAX_INT4
from servicedesk.routing import offers, presence, repository
from servicedesk.routing.dispatch import capacity_of
from servicedesk.routing.models import PresenceStatus
from servicedesk.staff.models import Team
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.forms import read_form
from servicedesk.web.templating import is_htmx, render
from servicedesk.web.ticket_page import render_ticket
from servicedesk.web.ticket_view import waiting_calls_of

WORKERS = (Role.admin, Role.supervisor, Role.agent)
# What the agent may choose; "on a call" is set by routing when they take a call.
CHOOSABLE = (PresenceStatus.available, PresenceStatus.away, PresenceStatus.offline)


async def _queues(request: Request, caller: Caller) -> list[int]:
    """The queues whose waiting work the agent sees: their teams; a supervisor or
    admin who is in none sees every queue."""
    if caller.actor.team_ids or not sees_all_tickets(caller.actor):
        return sorted(caller.actor.team_ids)
    async with db_of(request).read_session() as session:
        return [int(t) for t in await session.scalars(select(Team.id)) if t is not None]


async def _context(request: Request, caller: Caller, parts: set[str]) -> dict[str, object]:
    assert caller.user.id is not None
    now = utcnow()
    queues = await _queues(request, caller)
    context: dict[str, object] = {"me": caller.user, "section": "workspace", "now": now}
    async with db_of(request).unit_of_work(caller.actor) as uow:
        if "presence" in parts:
            context["presence"] = await repository.me(uow, caller.user.id, now)
            context["choosable"] = CHOOSABLE
        if "offers" in parts:
            context["offers"] = await repository.pending_offers(uow, caller.user.id, now)
        if "mine" in parts:
            context["mine"] = await repository.my_tickets(uow, caller.user.id)
        if "queue" in parts:
            context["counts"] = await repository.queue_counts(uow, queues)
            context["waiting"] = await repository.waiting_work(uow, queues)
    return context


ALL_PARTS = {"presence", "offers", "mine", "queue"}


@page_route(*WORKERS)
async def workspace_page(request: Request, caller: Caller) -> Response:
    context = await _context(request, caller, ALL_PARTS)
    notice = request.query_params.get("notice", "")
    context["notice"] = notice if notice in ("nothing_waiting", "offer_gone") else ""
    return render(request, "workspace/page.html", context, user_language=caller.user.language)


def _part(name: str) -> Callable[[Request], Awaitable[Response]]:
    @page_route(*WORKERS)
    async def part(request: Request, caller: Caller) -> Response:
        context = await _context(request, caller, {name})
        return render(
            request, f"workspace/_{name}.html", context, user_language=caller.user.language
        )

    part.__name__ = f"workspace_{name}"
    return part


presence_part = _part("presence")
offers_part = _part("offers")
mine_part = _part("mine")
queue_part = _part("queue")


@page_route(*WORKERS)
async def post_presence(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    status = form.choice("status", PresenceStatus)
    form.check()
    if status not in CHOOSABLE:
        raise InvalidInput("choose available, away or offline", fields={"status": "invalid"})
    assert caller.user.id is not None
    assert status is not None
    async with db_of(request).unit_of_work(caller.actor) as uow:
        await presence.set_status(uow, caller.user.id, status, utcnow(), reason="chosen")
    if is_htmx(request):
        context = await _context(request, caller, {"presence"})
        return render(
            request, "workspace/_presence.html", context, user_language=caller.user.language
        )
    return RedirectResponse("/workspace", status_code=303)


def _offer_id(request: Request) -> int:
    offer_id: int = request.path_params["id"]
    if offer_id > MAX_INT4:
        raise InvalidInput("no such offer", fields={"offer": "invalid"})
    return offer_id


def _go(request: Request, url: str) -> Response:
    """Where to next: htmx follows HX-Redirect, a plain form a 303."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@page_route(*WORKERS)
async def accept_offer(request: Request, caller: Caller) -> Response:
    offer_id = _offer_id(request)
    assert caller.user.id is not None
    db = db_of(request)
    try:
        async with db.unit_of_work(caller.actor) as uow:
            ticket = await offers.accept(uow, offer_id, caller.user.id, utcnow())
    except Conflict:
        return _go(request, "/workspace?notice=offer_gone")
    assert ticket.id is not None
    if ticket.channel == Channel.voice and await _caller_waiting(db, ticket.id):
        # A call: accepting it rings the agent's softphone (or phone) at once.
        try:
            await bridge.accept(
                request.app.state.voice,
                rest_client(request.app.state.settings),
                db,
                ticket.id,
                caller.user,
            )
        except (Conflict, InvalidInput, bridge.BridgeFailed) as exc:
            request.path_params["number"] = ticket.number
            return await render_ticket(
                request, caller, status_code=exc.status_code, call_error=str(exc)
            )
    return _go(request, f"/tickets/{ticket.number}")


async def _caller_waiting(db: Database, ticket_id: int) -> bool:
    async with db.read_session() as session:
        return bool(await waiting_calls_of(session, ticket_id))


@page_route(*WORKERS)
async def decline_offer(request: Request, caller: Caller) -> Response:
    offer_id = _offer_id(request)
    assert caller.user.id is not None
    # Already gone (timed out, taken): the offers part shows what is left.
    with contextlib.suppress(Conflict):
        async with db_of(request).unit_of_work(caller.actor) as uow:
            await offers.decline(uow, offer_id, caller.user.id, utcnow())
    if is_htmx(request):
        context = await _context(request, caller, {"offers"})
        return render(
            request, "workspace/_offers.html", context, user_language=caller.user.language
        )
    return RedirectResponse("/workspace", status_code=303)


@page_route(*WORKERS)
async def next_ticket(request: Request, caller: Caller) -> Response:
    assert caller.user.id is not None
    capacity = capacity_of(request.app.state.settings)
    async with db_of(request).unit_of_work(caller.actor) as uow:
        ticket = await offers.next_ticket(uow, caller.user.id, capacity, utcnow())
    if ticket is None:
        return _go(request, "/workspace?notice=nothing_waiting")
    return _go(request, f"/tickets/{ticket.number}")


def workspace_routes() -> list[Route]:
    return [
        Route("/workspace", workspace_page, methods=["GET"]),
        Route("/workspace/presence", presence_part, methods=["GET"]),
        Route("/workspace/presence", post_presence, methods=["POST"]),
        Route("/workspace/offers", offers_part, methods=["GET"]),
        Route("/workspace/mine", mine_part, methods=["GET"]),
        Route("/workspace/queue", queue_part, methods=["GET"]),
        Route("/workspace/next", next_ticket, methods=["POST"]),
        Route("/offers/{id:int}/accept", accept_offer, methods=["POST"]),
        Route("/offers/{id:int}/decline", decline_offer, methods=["POST"]),
    ]
