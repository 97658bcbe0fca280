"""Admin → Routing (supervisors and admins): every queue's routing settings and
every agent's skills and capacity at a glance, each with a link to its form
(queues.py, users.py), and the skills the desk defines."""

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
from servicedesk.products.models import Product
from servicedesk.routing import settings as routing_settings
from servicedesk.routing.dispatch import capacity_of
from servicedesk.routing.models import AgentCapacity, WorkClass
from servicedesk.staff import service as staff
from servicedesk.staff.models import Skill, Team, TeamMember, User, UserSkill
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.forms import Form, error_context, read_form
from servicedesk.web.templating import render_page

ROUTING_ROLES = (Role.admin, Role.supervisor)
AGENT_ROLES = (Role.agent, Role.supervisor)  # whom routing offers work to
SKILL_FIELDS = ("name", "kind")
# Suggested language skills: the codes customers' preferred language is stored in.
LANGUAGE_SUGGESTIONS = ("he", "en", "ar", "ru")

Slots = dict[int, dict[str, int]]


async def _capacities(request: Request) -> tuple[Slots, Slots]:
    """The capacity rows, per queue and per agent: {owner id: {work class: slots}}."""
    by_team: Slots = {}
    by_user: Slots = {}
    async with db_of(request).read_session() as session:
        rows = await session.execute(
            select(
                col(AgentCapacity.team_id),
                col(AgentCapacity.user_id),
                col(AgentCapacity.work_class),
                col(AgentCapacity.slots),
            )
        )
        for team_id, user_id, work_class, slots in rows.all():
            # A row belongs to a team or to a user (a check constraint), never both.
            if team_id is not None:
                by_team.setdefault(team_id, {})[WorkClass(work_class).value] = slots
            elif user_id is not None:
                by_user.setdefault(user_id, {})[WorkClass(work_class).value] = slots
    return by_team, by_user


def desk_defaults(request: Request) -> dict[str, int]:
    """One call, CHAT_CAPACITY chats, EMAIL_CAPACITY written: where nothing is set."""
    defaults = capacity_of(request.app.state.settings)
    return {wc.value: defaults.slots(wc) for wc in WorkClass}


def read_capacity(form: Form) -> dict[WorkClass, int | None]:
    """`capacity_<work class>` fields: a number of slots, or empty for "not set here"
    (the next in line applies); a field not sent leaves that class as it is."""
    return {
        wc: form.integer(name, minimum=0, maximum=routing_settings.MAX_SLOTS[wc])
        for wc in WorkClass
        if (name := f"capacity_{wc.value}") in form.values
    }


async def _render(
    request: Request, caller: Caller, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    async with db_of(request).read_session() as session:
        teams = list(await session.scalars(select(Team).order_by(col(Team.name))))
        skills = list(
            await session.scalars(select(Skill).order_by(col(Skill.kind), col(Skill.name)))
        )
        agents = list(
            await session.scalars(
                select(User)
                .where(col(User.role).in_(AGENT_ROLES), col(User.is_active))
                .order_by(col(User.name))
            )
        )
        held = (
            await session.execute(
                select(col(UserSkill.user_id), col(UserSkill.skill_id), col(UserSkill.level))
            )
        ).all()
        memberships = (
            await session.execute(select(col(TeamMember.user_id), col(TeamMember.team_id)))
        ).all()
        holders = await counts_by(
            session, select(col(UserSkill.skill_id), func.count()).group_by(col(UserSkill.skill_id))
        )
        categories = list(
            await session.scalars(
                select(col(Product.category))
                .where(col(Product.category) != "")
                .distinct()
                .order_by(col(Product.category))
            )
        )
    team_capacity, user_capacity = await _capacities(request)
    skill_names = {s.id: s.name for s in skills}
    skills_of: dict[int, list[tuple[str, int]]] = {}
    for user_id, skill_id, level in held:
        skills_of.setdefault(user_id, []).append((skill_names.get(skill_id, ""), level))
    team_names = {t.id: t.name for t in teams}
    queues_of: dict[int, list[str]] = {}
    for user_id, team_id in memberships:
        queues_of.setdefault(user_id, []).append(team_names.get(team_id, ""))
    context = {
        "teams": teams,
        "team_names": team_names,
        "team_capacity": team_capacity,
        "agents": agents,
        "skills_of": {k: sorted(v) for k, v in skills_of.items()},
        "queues_of": {k: sorted(v) for k, v in queues_of.items()},
        "user_capacity": user_capacity,
        "skills": skills,
        "holders": holders,
        "skill_kinds": staff.SKILL_KINDS,
        "languages": LANGUAGE_SUGGESTIONS,
        "categories": categories,
        "defaults": desk_defaults(request),
        "work_classes": [wc.value for wc in WorkClass],
        "saved": request.query_params.get("saved", ""),
        "skill_created": request.query_params.get("skill", ""),
        "values": {"kind": "language"},
        "fields": {},
        "known_fields": SKILL_FIELDS,
        "section": "admin",
        "admin_section": "routing",
        **(extra or {}),
    }
    return render_page(request, caller, "admin/routing.html", context, status_code=status_code)


@page_route(*ROUTING_ROLES)
async def routing_page(request: Request, caller: Caller) -> Response:
    return await _render(request, caller)


@page_route(*ROUTING_ROLES)
async def create_skill(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    try:
        name = form.text("name", required=True, max_length=100)
        kind = form.values.get("kind", "")
        if kind not in staff.SKILL_KINDS:
            form.errors["kind"] = "unknown_choice"
        form.check()
        async with db_of(request).unit_of_work(caller.actor) as uow:
            skill = await staff.create_skill(uow, name=name, kind=kind)
            # A new language or product-line skill changes which agents may take the
            # waiting tickets of customers with that language or of that product
            # line, so every waiting ticket's entry is re-synced before COMMIT. All
            # of them, not just the ones concerned: a few hundred waiting tickets at
            # most at this desk's scale, one statement for the lot (queue.sync).
            await routing_settings.resync_waiting(uow)
    except (InvalidInput, Conflict) as exc:
        return await _render(request, caller, error_context(form, exc), exc.status_code)
    return RedirectResponse(f"/admin/routing?{urlencode({'skill': skill.name})}", status_code=303)
