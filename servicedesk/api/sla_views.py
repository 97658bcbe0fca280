"""/api/v1/sla/* and /api/v1/reports/sla: the policies in force and compliance."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import Response

from servicedesk.api.schemas import SlaCalendarsOut, SlaPoliciesOut, SlaReportOut, SlaReportRow
from servicedesk.api.views import json
from servicedesk.enums import Role
from servicedesk.errors import InvalidInput
from servicedesk.sla_tracking import reports
from servicedesk.sla_tracking import repository as sla_repo
from servicedesk.web.auth import Caller, api_route, reading
from sla.config import load_policies, policies_to_data

STAFF = (Role.admin, Role.supervisor, Role.agent)
REPORT_DAYS = 30


@api_route(*STAFF)
async def list_policies(request: Request, caller: Caller) -> Response:
    async with reading(caller) as session:
        active = await sla_repo.active_policy_set(session)
    if active is None:
        return json(SlaPoliciesOut(version=None, loaded_at=None, policies=[]))
    data = policies_to_data(load_policies(active.source))
    return json(
        SlaPoliciesOut(
            version=active.version, loaded_at=active.loaded_at, policies=data["policies"]
        )
    )


@api_route(*STAFF)
async def list_calendars(request: Request, caller: Caller) -> Response:
    async with reading(caller) as session:
        active = await sla_repo.active_policy_set(session)
    if active is None:
        return json(SlaCalendarsOut(version=None, calendars={}))
    data = policies_to_data(load_policies(active.source))
    calendars = {
        name: {**cal, "holidays": [d.isoformat() for d in cal.get("holidays", [])]}
        for name, cal in data["calendars"].items()
    }
    return json(SlaCalendarsOut(version=active.version, calendars=calendars))


@api_route(Role.admin, Role.supervisor)
async def sla_report(request: Request, caller: Caller) -> Response:
    group_by = request.query_params.get("group_by", "queue")
    if group_by not in reports.GROUPS:
        raise InvalidInput(
            "unknown grouping", fields={"group_by": f"one of {', '.join(reports.GROUPS)}"}
        )
    now = datetime.now(UTC)
    until = _instant(request, "to") or now
    since = _instant(request, "from") or until - timedelta(days=REPORT_DAYS)
    if since >= until:
        raise InvalidInput("the period is empty", fields={"from": "must be before to"})
    async with reading(caller) as session:
        rows = await reports.compliance(session, group_by, since, until, now)
    return json(
        SlaReportOut(
            group_by=group_by,
            since=since,
            until=until,
            rows=[
                SlaReportRow(
                    group=r.group,
                    metric=r.metric,
                    met=r.counts.met,
                    breached=r.counts.breached,
                    running=r.counts.running,
                    paused=r.counts.paused,
                    compliance=r.counts.share_met,
                )
                for r in rows
            ],
        )
    )


def _instant(request: Request, name: str) -> datetime | None:
    """An ISO date (midnight UTC) or an aware ISO datetime."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(), tzinfo=UTC)
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"{name} is not a date", fields={name: "ISO date or date-time"}
        ) from None
    if value.tzinfo is None:
        raise InvalidInput(f"{name} needs a time zone", fields={name: "e.g. 2026-11-01T00:00Z"})
    return value
