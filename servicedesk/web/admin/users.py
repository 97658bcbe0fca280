"""Admin: the people who use the desk, their role, queues and partner organisation
(admins), and each agent's skills and capacity (supervisors and admins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import or_, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.customers.models import Organization
from servicedesk.enums import OrganizationKind, Role
from servicedesk.errors import Conflict, InvalidInput, NotFound
from servicedesk.identities import normalise_email
from servicedesk.loading import MAX_INT4
from servicedesk.routing.models import AgentCapacity, WorkClass
from servicedesk.routing.settings import MAX_SLOTS, set_capacity
from servicedesk.staff import service as staff
from servicedesk.staff.models import Skill, Team, TeamMember, User, UserSkill
from servicedesk.staff.passwords import MIN_PASSWORD_LENGTH
from servicedesk.web.admin.routing import AGENT_ROLES, ROUTING_ROLES, desk_defaults, read_capacity
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.forms import Form, error_context, read_form
from servicedesk.web.i18n import LANGUAGES
from servicedesk.web.templating import render_page

FIELDS = ("name", "email", "role", "password", "language", "team_ids", "organization_id")


async def _render(
    request: Request, caller: Caller, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    async with db_of(request).read_session() as session:
        users = list(await session.scalars(select(User).order_by(col(User.name))))
        teams = list(await session.scalars(select(Team).order_by(col(Team.name))))
        orgs = list(await session.scalars(select(Organization).order_by(col(Organization.name))))
        memberships = (
            await session.execute(select(col(TeamMember.user_id), col(TeamMember.team_id)))
        ).all()
    team_names = {t.id: t.name for t in teams}
    queues_of: dict[int, list[str]] = {}
    for user_id, team_id in memberships:
        queues_of.setdefault(user_id, []).append(team_names.get(team_id, ""))
    context = {
        "users": users,
        "teams": teams,
        "queues_of": {k: sorted(v) for k, v in queues_of.items()},
        "org_names": {o.id: o.name for o in orgs},
        "partner_orgs": [o for o in orgs if o.kind == OrganizationKind.partner],
        "roles": list(Role),
        "languages": LANGUAGES,
        "min_password": MIN_PASSWORD_LENGTH,
        "created": request.query_params.get("created", ""),
        "values": {"role": Role.agent.value},
        "lists": {},
        "fields": {},
        "known_fields": FIELDS,
        "section": "admin",
        "admin_section": "users",
        **(extra or {}),
    }
    return render_page(request, caller, "admin/users.html", context, status_code=status_code)


@page_route(Role.admin)
async def users_page(request: Request, caller: Caller) -> Response:
    return await _render(request, caller)


async def _check_references(
    request: Request, form: Form, role: Role | None, team_ids: list[int], org_id: int | None
) -> None:
    """Queues must exist; a partner user belongs to a partner organisation and works no
    queues; staff belong to no organisation. Checked here so every problem shows at once."""
    async with db_of(request).read_session() as session:
        if team_ids:
            found = set(
                await session.scalars(select(col(Team.id)).where(col(Team.id).in_(team_ids)))
            )
            if found != set(team_ids):
                form.errors["team_ids"] = "unknown_choice"
        org = await session.get(Organization, org_id) if org_id is not None else None
    if org_id is not None and org is None:
        form.errors["organization_id"] = "unknown_choice"
    elif role == Role.partner and (org is None or org.kind != OrganizationKind.partner):
        form.errors["organization_id"] = "required: a partner organisation"
    elif role is not None and role != Role.partner and org_id is not None:
        form.errors["organization_id"] = "staff_no_organisation"
    if role == Role.partner and team_ids:
        form.errors["team_ids"] = "partners_no_queues"


def _check_email(form: Form, email: str) -> None:
    if email and "email" not in form.errors:
        try:
            normalise_email(email)
        except InvalidInput as exc:
            form.errors["email"] = exc.fields.get("email", "invalid e-mail address")


@page_route(Role.admin)
async def create_user(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    try:
        name = form.text("name", required=True, max_length=200)
        email = form.text("email", required=True, max_length=320)
        role = form.choice("role", Role)
        password = form.values.get("password", "")
        language = form.values.get("language", "he")
        if language not in LANGUAGES:
            form.errors["language"] = "unknown_choice"
        team_ids = form.ids("team_ids")
        org_id = form.integer("organization_id", minimum=1, maximum=MAX_INT4)
        _check_email(form, email)
        await _check_references(request, form, role, team_ids, org_id)
        form.check()
        assert role is not None
        async with db_of(request).unit_of_work(caller.actor) as uow:
            user = await staff.create_user(
                uow,
                email=email,
                name=name,
                role=role,
                password=password or None,
                organization_id=org_id,
                team_ids=tuple(team_ids),
                language=language,
            )
    except (InvalidInput, Conflict) as exc:
        context = error_context(form, exc)
        context["values"] = {**form.values, "password": ""}  # never echo a password
        return await _render(request, caller, context, exc.status_code)
    return RedirectResponse(f"/admin/users?{urlencode({'created': user.email})}", status_code=303)


# ---- an agent's skills and capacity (supervisors and admins) ------------------


@dataclass(frozen=True)
class AgentRouting:
    user: User
    skills: list[Skill]  # every skill the desk defines
    levels: dict[int, int]  # skill id -> the agent's level
    capacity: dict[str, int]  # the agent's own, per work class
    queues: list[Team]
    queue_capacity: dict[int, dict[str, int]]  # their queues' own, per work class


async def _agent(request: Request, user_id: int) -> AgentRouting:
    """An agent or supervisor (404 for anyone else) and what routing knows of them."""
    async with db_of(request).read_session() as session:
        user = await session.get(User, user_id) if user_id <= MAX_INT4 else None
        if user is None or user.role not in AGENT_ROLES:
            raise NotFound("no such agent")
        skills = list(
            await session.scalars(select(Skill).order_by(col(Skill.kind), col(Skill.name)))
        )
        holding = await session.execute(
            select(col(UserSkill.skill_id), col(UserSkill.level)).where(
                col(UserSkill.user_id) == user_id
            )
        )
        levels = {skill_id: level for skill_id, level in holding.all()}
        queues = list(
            await session.scalars(
                select(Team)
                .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
                .where(col(TeamMember.user_id) == user_id)
                .order_by(col(Team.name))
            )
        )
        rows = await session.execute(
            select(
                col(AgentCapacity.team_id),
                col(AgentCapacity.user_id),
                col(AgentCapacity.work_class),
                col(AgentCapacity.slots),
            ).where(
                or_(
                    col(AgentCapacity.user_id) == user_id,
                    col(AgentCapacity.team_id).in_([q.id for q in queues]),
                )
            )
        )
        capacity: dict[str, int] = {}
        queue_capacity: dict[int, dict[str, int]] = {}
        for team_id, owner_id, work_class, slots in rows.all():
            if owner_id is not None:
                capacity[WorkClass(work_class).value] = slots
            elif team_id is not None:
                queue_capacity.setdefault(team_id, {})[WorkClass(work_class).value] = slots
    return AgentRouting(user, skills, levels, capacity, queues, queue_capacity)


async def _render_routing(
    request: Request,
    caller: Caller,
    user_id: int,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    agent = await _agent(request, user_id)
    values = {
        **{f"skill_{skill_id}": str(level) for skill_id, level in agent.levels.items()},
        **{f"capacity_{wc}": str(slots) for wc, slots in agent.capacity.items()},
    }
    context = {
        "agent": agent,
        "levels": range(staff.SKILL_LEVELS[0], staff.SKILL_LEVELS[1] + 1),
        "work_classes": [wc.value for wc in WorkClass],
        "max_slots": {wc.value: n for wc, n in MAX_SLOTS.items()},
        "defaults": desk_defaults(request),
        "values": values,
        "fields": {},
        "known_fields": (
            *(f"skill_{s.id}" for s in agent.skills),
            *(f"capacity_{wc.value}" for wc in WorkClass),
        ),
        "section": "admin",
        "admin_section": "routing",
        **(extra or {}),
    }
    return render_page(request, caller, "admin/user_routing.html", context, status_code=status_code)


@page_route(*ROUTING_ROLES)
async def user_routing_page(request: Request, caller: Caller) -> Response:
    return await _render_routing(request, caller, request.path_params["id"])


@page_route(*ROUTING_ROLES)
async def save_user_routing(request: Request, caller: Caller) -> Response:
    user_id: int = request.path_params["id"]
    agent = await _agent(request, user_id)
    form = await read_form(request)
    try:
        # Each skill's field: a level, or empty for "does not have it"; a skill the
        # form did not send (defined since the page was loaded) stays as it was.
        levels = dict(agent.levels)
        low, high = staff.SKILL_LEVELS
        for skill in agent.skills:
            assert skill.id is not None
            name = f"skill_{skill.id}"
            if name not in form.values:
                continue
            level = form.integer(name, minimum=low, maximum=high)
            if level is None:
                levels.pop(skill.id, None)
            else:
                levels[skill.id] = level
        slots = read_capacity(form)
        form.check()
        async with db_of(request).unit_of_work(caller.actor) as uow:
            await staff.set_user_skills(uow, user_id, levels)
            await set_capacity(uow, slots, user_id=user_id)
    except InvalidInput as exc:
        return await _render_routing(request, caller, user_id, error_context(form, exc), 422)
    name = agent.user.name
    return RedirectResponse(f"/admin/routing?{urlencode({'saved': name})}", status_code=303)
