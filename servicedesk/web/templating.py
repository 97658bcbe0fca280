"""Jinja2 environment: autoescaping, translations, CSRF token and direction per page."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from servicedesk.identities import format_phone
from servicedesk.web.auth import Caller, csrf_token
from servicedesk.web.i18n import RTL, language_of, translate

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))  # autoescapes .html


def _local(value: datetime | None, request: Request, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if value is None:
        return ""
    zone = ZoneInfo(request.app.state.settings.time_zone)
    return value.astimezone(zone).strftime(fmt)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def is_htmx(request: Request) -> bool:
    return "hx-request" in request.headers


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    user_language: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    lang = language_of(request, user_language)
    ctx: dict[str, Any] = {
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "t": lambda key, **v: translate(key, lang, **v),
        "csrf_token": csrf_token(request),
        "local": lambda value, fmt="%d/%m/%Y %H:%M": _local(value, request, fmt),
        "phone": format_phone,
        "day": _day,
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)


def render_page(
    request: Request,
    caller: Caller,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A signed-in screen: the nav needs `me`, the language follows the user."""
    return render(
        request,
        name,
        {"me": caller.user, **(context or {})},
        status_code=status_code,
        user_language=caller.user.language,
        headers=headers,
    )


def error_page(request: Request, status: int, message: str, fields: dict[str, str]) -> Response:
    if is_htmx(request):
        # htmx swaps 4xx bodies into the page's error box (see static/app.js).
        body = f'<div class="flash error" role="alert">{escape(message)}</div>'
        return HTMLResponse(body, status_code=status)
    return render(
        request,
        "error.html",
        {"status": status, "message": message, "fields": fields},
        status_code=status,
    )
