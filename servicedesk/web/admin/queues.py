"""Admin: queues (teams) with how many people and how much open work each has
(admins), and each queue's routing settings (supervisors and admins)."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.enums import Role, Tier
from servicedesk.errors import Conflict, InvalidInput, NotFound
from servicedesk.loading import MAX_INT4, counts_by
from servicedesk.routing import settings as routing_settings
from servicedesk.routing.models import AgentCapacity, WorkClass
from servicedesk.routing.settings import QueueRouting
from servicedesk.staff import service as staff
from servicedesk.staff.models import Team, TeamMember
from servicedesk.tickets.models import Ticket
from servicedesk.web.admin.routing import ROUTING_ROLES, desk_defaults, read_capacity
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.forms import Form, error_context, read_form
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


# ---- a queue's routing settings (supervisors and admins) ---------------------

ROUTING_FIELDS = (
    *(f.name for f in fields(QueueRouting)),
    *(f"capacity_{wc.value}" for wc in WorkClass),
)


async def _queue(request: Request, team_id: int) -> tuple[Team, list[Team], dict[str, int]]:
    """The queue (404 if none), the other queues (overflow choices), its capacity."""
    async with db_of(request).read_session() as session:
        team = await session.get(Team, team_id) if team_id <= MAX_INT4 else None
        if team is None:
            raise NotFound("no such queue")
        others = list(
            await session.scalars(
                select(Team).where(col(Team.id) != team_id).order_by(col(Team.name))
            )
        )
        rows = await session.execute(
            select(col(AgentCapacity.work_class), col(AgentCapacity.slots)).where(
                col(AgentCapacity.team_id) == team_id
            )
        )
        capacity = {WorkClass(wc).value: slots for wc, slots in rows.all()}
    return team, others, capacity


def _values(routing: QueueRouting, capacity: dict[str, int]) -> tuple[dict[str, str], list[str]]:
    """The form's values for the settings in force, and the tiers ticked."""
    after = routing.overflow_after
    overflow = routing.overflow_team_id
    values = {
        "offer_timeout_seconds": str(routing.offer_timeout_seconds),
        "email_mode": routing.email_mode,
        "overflow_team_id": "" if overflow is None else str(overflow),
        # Whole minutes (a wait set in seconds elsewhere shows rounded, at least 1).
        "overflow_after": "" if after is None else str(max(1, round(after.total_seconds() / 60))),
        "service_level_percent": str(routing.service_level_percent),
        "service_level_seconds": str(routing.service_level_seconds),
        **{f"capacity_{wc}": str(slots) for wc, slots in capacity.items()},
    }
    return values, [t.value for t in routing.boost_tiers]


async def _render_routing(
    request: Request,
    caller: Caller,
    team_id: int,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    team, others, capacity = await _queue(request, team_id)
    values, tiers = _values(QueueRouting.of(team), capacity)
    context = {
        "team": team,
        "others": others,
        "tiers": [t.value for t in Tier],
        "email_modes": routing_settings.EMAIL_MODES,
        "work_classes": [wc.value for wc in WorkClass],
        "max_slots": {wc.value: n for wc, n in routing_settings.MAX_SLOTS.items()},
        "defaults": desk_defaults(request),
        "bounds": {
            "offer_timeout_seconds": routing_settings.OFFER_TIMEOUT_SECONDS,
            "overflow_after": routing_settings.OVERFLOW_AFTER_MINUTES,
            "service_level_percent": routing_settings.SERVICE_LEVEL_PERCENT,
            "service_level_seconds": routing_settings.SERVICE_LEVEL_SECONDS,
        },
        "values": values,
        "lists": {"boost_tiers": tiers},
        "fields": {},
        "known_fields": ROUTING_FIELDS,
        "section": "admin",
        "admin_section": "routing",
        **(extra or {}),
    }
    return render_page(
        request, caller, "admin/queue_routing.html", context, status_code=status_code
    )


def _bounded(form: Form, name: str, bounds: tuple[int, int], fallback: int) -> int:
    value = form.integer(name, minimum=bounds[0], maximum=bounds[1])
    if value is None and name not in form.errors:
        form.errors[name] = "required"
    return fallback if value is None else value


def _read_routing(form: Form, current: QueueRouting) -> QueueRouting:
    """The submitted settings; a field that does not read keeps its current value
    (its error is in `form.errors`), so the rules below judge only the rest."""
    s = routing_settings
    email_mode = form.values.get("email_mode", "")
    if email_mode not in s.EMAIL_MODES:
        form.errors["email_mode"] = "unknown_choice"
        email_mode = current.email_mode
    tiers: list[Tier] = []
    for raw in form.lists.get("boost_tiers", []):
        if raw in s.TIERS:
            tiers.append(Tier(raw))
        else:
            form.errors["boost_tiers"] = "unknown_choice"
    overflow = form.integer("overflow_team_id", minimum=1, maximum=MAX_INT4)
    minutes = form.integer(
        "overflow_after", minimum=s.OVERFLOW_AFTER_MINUTES[0], maximum=s.OVERFLOW_AFTER_MINUTES[1]
    )
    return QueueRouting(
        offer_timeout_seconds=_bounded(
            form, "offer_timeout_seconds", s.OFFER_TIMEOUT_SECONDS, current.offer_timeout_seconds
        ),
        email_mode=email_mode,
        boost_tiers=tuple(tiers),
        overflow_team_id=overflow,
        # A wait without a queue to overflow to means nothing: it is dropped.
        overflow_after=(
            timedelta(minutes=minutes) if overflow is not None and minutes is not None else None
        ),
        service_level_percent=_bounded(
            form, "service_level_percent", s.SERVICE_LEVEL_PERCENT, current.service_level_percent
        ),
        service_level_seconds=_bounded(
            form, "service_level_seconds", s.SERVICE_LEVEL_SECONDS, current.service_level_seconds
        ),
    )


@page_route(*ROUTING_ROLES)
async def queue_routing_page(request: Request, caller: Caller) -> Response:
    return await _render_routing(request, caller, request.path_params["id"])


@page_route(*ROUTING_ROLES)
async def save_queue_routing(request: Request, caller: Caller) -> Response:
    team_id: int = request.path_params["id"]
    team, others, _ = await _queue(request, team_id)
    form = await read_form(request)
    try:
        routing = _read_routing(form, QueueRouting.of(team))
        slots = read_capacity(form)
        # Every problem at once: the rules of the settings judge what did read.
        for name, problem in routing_settings.queue_problems(routing, team_id).items():
            form.errors.setdefault(name, problem)
        if routing.overflow_team_id not in {None, team_id, *(o.id for o in others)}:
            form.errors.setdefault("overflow_team_id", "unknown_choice")
        form.check()
        async with db_of(request).unit_of_work(caller.actor) as uow:
            await routing_settings.set_queue_routing(uow, team_id, routing)
            await routing_settings.set_capacity(uow, slots, team_id=team_id)
    except InvalidInput as exc:
        return await _render_routing(request, caller, team_id, error_context(form, exc), 422)
    return RedirectResponse(f"/admin/routing?{urlencode({'saved': team.name})}", status_code=303)
