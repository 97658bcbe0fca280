"""Admin: the people who use the desk, their role, queues and partner organisation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.customers.models import Organization
from servicedesk.enums import OrganizationKind, Role
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.identities import normalise_email
from servicedesk.loading import MAX_INT4
from servicedesk.staff import service as staff
from servicedesk.staff.models import Team, TeamMember, User
from servicedesk.staff.passwords import MIN_PASSWORD_LENGTH
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
