"""/board: the supervisor's live board (servicedesk/reports/board.py) and its four
fragments, each re-fetched by htmx when a push says something changed."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from servicedesk.db import utcnow
from servicedesk.enums import Role
from servicedesk.reports import board
from servicedesk.web.auth import Caller, db_of, page_route
from servicedesk.web.i18n import language_of, translate
from servicedesk.web.templating import render_page

BOARD_ROLES = (Role.admin, Role.supervisor)


def duration(seconds: float | None, lang: str) -> str:
    """A wait in words: 45 s, 3 min 05 s, 2 h 05 min (and in Hebrew); "—" for
    nothing, "never" for an infinite wait."""
    if seconds is None:
        return "—"
    if math.isinf(seconds):
        return translate("board_never", lang)
    whole = max(int(round(seconds)), 0)
    if whole < 60:
        return translate("board_dur_s", lang, s=whole)
    if whole < 3600:
        return translate("board_dur_ms", lang, m=whole // 60, s=f"{whole % 60:02d}")
    return translate("board_dur_hm", lang, h=whole // 3600, m=f"{whole % 3600 // 60:02d}")


def percent(share: float | None) -> str:
    """One decimal, rounded down: 79.96% shows as 79.9%, never as a target met."""
    if share is None:
        return "—"
    return f"{math.floor(share * 1000) / 10:.1f}%"


def decimal(value: float) -> str:
    return f"{value:.1f}"


def _formatters(lang: str) -> dict[str, Callable[..., str]]:
    return {
        "duration": lambda seconds: duration(seconds, lang),
        "percent": percent,
        "decimal": decimal,
    }


Loader = Callable[[AsyncSession, datetime, ZoneInfo], Awaitable[dict[str, Any]]]


async def _whole(session: AsyncSession, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    whole = await board.load_board(session, now, zone)
    return {
        "tiles": whole.tiles,
        "forecasts": whole.forecasts,
        "closest": whole.closest,
        "agents": whole.agents,
    }


async def _tiles(session: AsyncSession, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return {"tiles": await board.queue_tiles(session, now, zone)}


async def _forecasts(session: AsyncSession, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return {"forecasts": await board.queue_forecasts(session, now, zone)}


async def _closest(session: AsyncSession, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return {"closest": await board.closest_to_breach(session)}


async def _agents(session: AsyncSession, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return {"agents": await board.agents(session, now)}


async def _render(request: Request, caller: Caller, template: str, load: Loader) -> Response:
    now = utcnow()
    zone = ZoneInfo(request.app.state.settings.time_zone)
    async with db_of(request).read_session() as session:
        data = await load(session, now, zone)
    lang = language_of(request, caller.user.language)
    context = {"section": "board", "now": now, **data, **_formatters(lang)}
    return render_page(request, caller, template, context)


@page_route(*BOARD_ROLES)
async def board_page(request: Request, caller: Caller) -> Response:
    return await _render(request, caller, "board/page.html", _whole)


@page_route(*BOARD_ROLES)
async def tiles_part(request: Request, caller: Caller) -> Response:
    return await _render(request, caller, "board/_tiles.html", _tiles)


@page_route(*BOARD_ROLES)
async def forecast_part(request: Request, caller: Caller) -> Response:
    return await _render(request, caller, "board/_forecast.html", _forecasts)


@page_route(*BOARD_ROLES)
async def closest_part(request: Request, caller: Caller) -> Response:
    return await _render(request, caller, "board/_closest.html", _closest)


@page_route(*BOARD_ROLES)
async def agents_part(request: Request, caller: Caller) -> Response:
    return await _render(request, caller, "board/_agents.html", _agents)
