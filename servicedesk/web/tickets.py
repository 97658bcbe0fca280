"""Ticket screens: the queue list (live-refreshed fragment)."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from servicedesk.access import sees_all_tickets
from servicedesk.customers.models import Customer
from servicedesk.enums import TicketStatus
from servicedesk.loading import MAX_INT4, by_id
from servicedesk.staff.models import Team, User
from servicedesk.tickets.repository import TicketFilters, list_tickets
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.templating import render

OPEN_WORK = [TicketStatus.new, TicketStatus.open, TicketStatus.pending, TicketStatus.on_hold]
PAGE_SIZE = 50


def _filters(request: Request) -> tuple[TicketFilters, str, int | None]:
    status = request.query_params.get("status", "open_work")
    statuses = OPEN_WORK if status == "open_work" else None
    if status in TicketStatus.__members__:
        statuses = [TicketStatus(status)]
    queue_raw = request.query_params.get("queue", "")
    queue_id = int(queue_raw) if queue_raw.isdigit() and int(queue_raw) <= MAX_INT4 else None
    return TicketFilters(status=statuses, queue_id=queue_id), status, queue_id


async def _table_context(request: Request, caller: Caller) -> dict[str, object]:
    filters, status, queue_id = _filters(request)
    async with db_of(request).read_session() as session:
        rows, total = await list_tickets(session, caller.actor, filters, limit=PAGE_SIZE)
        customers = await by_id(session, Customer, (t.customer_id for t in rows))
        teams_stmt = select(Team).order_by(Team.name)
        if not sees_all_tickets(caller.actor):
            teams_stmt = teams_stmt.where(Team.id.in_(sorted(caller.actor.team_ids)))  # type: ignore[union-attr]
        teams = list(await session.scalars(teams_stmt))
        users = await by_id(session, User, (t.assignee_id for t in rows))
    return {
        "tickets": rows,
        "total": total,
        "customers": customers,
        "teams": teams,
        "team_names": {t.id: t.name for t in teams},
        "users": users,
        "status": status,
        "queue_id": queue_id,
        "statuses": list(TicketStatus),
    }


@page_route()
async def ticket_list(request: Request, caller: Caller) -> Response:
    context = await _table_context(request, caller)
    template = "tickets/_table.html" if "hx-request" in request.headers else "tickets/list.html"
    return render(
        request,
        template,
        {"me": caller.user, "section": "tickets", **context},
        user_language=caller.user.language,
    )
