"""Admin: queues (teams) with how many people and how much open work each has."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.enums import Role
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.loading import counts_by
from servicedesk.staff import service as staff
from servicedesk.staff.models import Team, TeamMember
from servicedesk.tickets.models import Ticket
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.forms import error_context, read_form
from servicedesk.web.i18n import LANGUAGES
from servicedesk.web.templating import render_page
from servicedesk.web.tickets import OPEN_WORK

FIELDS = ("name", "language", "description", "default")


async def _render(
    request: Request, caller: Caller, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    async with db_of(request).read_session() as session:
        teams = list(await session.scalars(select(Team).order_by(col(Team.name))))
        members = await counts_by(
            session, select(col(TeamMember.team_id), func.count()).group_by(col(TeamMember.team_id))
        )
        open_work = await counts_by(
            session,
            select(col(Ticket.queue_id), func.count())
            .where(col(Ticket.status).in_(OPEN_WORK))
            .group_by(col(Ticket.queue_id)),
        )
    context = {
        "teams": teams,
        "members": members,
        "open_work": open_work,
        "languages": LANGUAGES,
        "created": request.query_params.get("created", ""),
        "values": {},
        "fields": {},
        "known_fields": FIELDS,
        "section": "admin",
        "admin_section": "queues",
        **(extra or {}),
    }
    return render_page(request, caller, "admin/queues.html", context, status_code=status_code)


@page_route(Role.admin)
async def queues_page(request: Request, caller: Caller) -> Response:
    return await _render(request, caller)


@page_route(Role.admin)
async def create_queue(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    try:
        name = " ".join(form.text("name", required=True, max_length=100).split())
        language = form.values.get("language", "he")
        if language not in LANGUAGES:
            form.errors["language"] = "unknown_choice"
        description = form.text("description", max_length=2000)
        form.check()
        async with db_of(request).unit_of_work(caller.actor) as uow:
            team = await staff.create_team(
                uow,
                name=name,
                language=language,
                description=description,
                default=form.flag("default"),
            )
    except (InvalidInput, Conflict) as exc:
        return await _render(request, caller, error_context(form, exc), exc.status_code)
    return RedirectResponse(f"/admin/queues?{urlencode({'created': team.name})}", status_code=303)
