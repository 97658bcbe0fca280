"""Admin: the SLA policies in force, their versions, and editing them (the same
TOML file `servicedesk sla load` takes, validated the same way)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.enums import Role
from servicedesk.errors import InvalidInput
from servicedesk.sla_tracking import service as sla_tracking
from servicedesk.sla_tracking.jobs import defer_recompute
from servicedesk.sla_tracking.models import SlaPolicySet
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.forms import error_context, read_form
from servicedesk.web.templating import render_page
from sla.config import load_policies, policies_to_data

MAX_SOURCE = 200_000
VERSIONS_SHOWN = 10


async def _render(
    request: Request, caller: Caller, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    async with db_of(request).read_session() as session:
        versions = list(
            await session.scalars(
                select(SlaPolicySet)
                .order_by(col(SlaPolicySet.loaded_at).desc())
                .limit(VERSIONS_SHOWN)
            )
        )
    active = next((v for v in versions if v.active), None)
    document = policies_to_data(load_policies(active.source)) if active else None
    context = {
        "active": active,
        "versions": versions,
        "document": document,
        "values": {"source": active.source if active else ""},
        "fields": {},
        "known_fields": ("source",),
        "loaded": request.query_params.get("loaded", ""),
        "section": "admin",
        "admin_section": "sla",
        **(extra or {}),
    }
    return render_page(request, caller, "admin/sla.html", context, status_code=status_code)


@page_route(Role.admin)
async def sla_page(request: Request, caller: Caller) -> Response:
    return await _render(request, caller)


@page_route(Role.admin)
async def load_policies_form(request: Request, caller: Caller) -> Response:
    form = await read_form(request)
    source = form.values.get("source", "")
    try:
        if not source.strip():
            raise InvalidInput("check_fields", fields={"source": "required"})
        if len(source) > MAX_SOURCE:
            raise InvalidInput("check_fields", fields={"source": "too_long"})
        async with db_of(request).unit_of_work(caller.actor) as uow:
            loaded = await sla_tracking.load_policy_set(uow, source, user_id=caller.user.id)
            if loaded.changed:
                await defer_recompute(uow)  # the open tickets' clocks follow, in the worker
    except InvalidInput as exc:
        return await _render(request, caller, error_context(form, exc), exc.status_code)
    return RedirectResponse(f"/admin/sla?{urlencode({'loaded': loaded.version})}", status_code=303)
