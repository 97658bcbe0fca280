"""Signing in and out (rate-limited, CSRF-checked, session rotated on login)."""

from __future__ import annotations

from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.staff.service import authenticate_password
from servicedesk.web.auth import db_of, login_session, session_caller, verify_csrf
from servicedesk.web.ratelimit import LoginThrottle
from servicedesk.web.templating import render


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if not target:
        return "/tickets"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/tickets"
    return target


async def login_form(request: Request) -> Response:
    if await session_caller(request) is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return render(request, "login.html", {"next": request.query_params.get("next", "")})


async def login_submit(request: Request) -> Response:
    await verify_csrf(request)
    form = await request.form()
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "")))
    throttle: LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    keys = (f"ip:{client}", f"email:{email.lower()}")
    if throttle.blocked(*keys):
        return render(
            request,
            "login.html",
            {"error": "too_many", "email": email, "next": next_url},
            status_code=429,
        )
    async with db_of(request).read_session() as session:
        user = await authenticate_password(session, email, password)
    if user is None:
        throttle.fail(*keys)
        return render(
            request,
            "login.html",
            {"error": "bad_login", "email": email, "next": next_url},
            status_code=401,
        )
    throttle.succeed(*keys)
    login_session(request, user)
    return RedirectResponse(next_url, status_code=303)


async def logout(request: Request) -> Response:
    await verify_csrf(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def set_language(request: Request) -> Response:
    lang = request.path_params["lang"]
    referer = urlparse(request.headers.get("referer", ""))
    back = _safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    response = RedirectResponse(back, status_code=303)
    if lang in ("he", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
