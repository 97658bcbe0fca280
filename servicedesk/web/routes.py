"""Browser routes: every page goes through `page_route` (session, role, CSRF)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from servicedesk.web import login, tickets


async def home(request: Request) -> Response:
    return RedirectResponse("/tickets", status_code=303)


def page_routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/login", login.login_form, methods=["GET"]),
        Route("/login", login.login_submit, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        Route("/lang/{lang}", login.set_language, methods=["GET"]),
        Route("/tickets", tickets.ticket_list, methods=["GET"]),
    ]
