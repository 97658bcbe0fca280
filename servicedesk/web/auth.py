"""Who is calling: session login for people, bearer tokens for integrations, CSRF,
and the one wrapper every route goes through to enforce roles."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from servicedesk.db import Actor, Database, UnitOfWork
from servicedesk.enums import Role
from servicedesk.errors import Forbidden, NotAuthenticated
from servicedesk.staff.models import User
from servicedesk.staff.service import actor_for, authenticate_token, team_ids_of

SESSION_USER = "uid"
SESSION_FINGERPRINT = "pwf"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Caller:
    user: User
    actor: Actor
    uow: UnitOfWork | None = None  # API requests: the request's one transaction


@asynccontextmanager
async def work(caller: Caller) -> AsyncIterator[UnitOfWork]:
    """The API request's unit of work; `api_route` commits it before answering."""
    assert caller.uow is not None
    yield caller.uow


@asynccontextmanager
async def reading(caller: Caller) -> AsyncIterator[AsyncSession]:
    assert caller.uow is not None
    yield caller.uow.session


def password_fingerprint(user: User) -> str:
    """Changes when the password does, which ends every session made with the old one."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def db_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def request_id(request: Request) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


def login_session(request: Request, user: User) -> None:
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_FINGERPRINT] = password_fingerprint(user)
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


async def session_caller(request: Request) -> Caller | None:
    user_id = request.session.get(SESSION_USER)
    if not isinstance(user_id, int):
        return None
    async with db_of(request).read_session() as session:
        user = await session.get(User, user_id)
        if (
            user is None
            or not user.is_active
            or request.session.get(SESSION_FINGERPRINT) != password_fingerprint(user)
        ):
            request.session.clear()
            return None
        teams = await team_ids_of(session, user_id)
    return Caller(user, actor_for(user, teams, request_id=request_id(request)))


async def bearer_caller(request: Request, uow: UnitOfWork) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send Authorization: Bearer <token>")
    found = await authenticate_token(uow, token.strip())
    if found is None:
        raise NotAuthenticated("unknown or revoked token")
    user, teams = found
    actor = actor_for(user, teams, kind="token", request_id=request_id(request))
    return Caller(user, actor, uow)


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


async def verify_csrf(request: Request) -> None:
    expected = request.session.get(SESSION_CSRF)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not secrets.compare_digest(expected, sent):
        raise Forbidden("the form expired or did not come from this site; reload and try again")


Endpoint = Callable[[Request, Caller], Awaitable[Response]]


def api_route(*roles: Role) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """Bearer-token endpoint limited to `roles` (401 without a token, 403 for other roles)."""
    allowed = frozenset(roles) or frozenset(Role)

    def wrap(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(endpoint)
        async def handler(request: Request) -> Response:
            # One transaction per API request, its first statement the token check.
            # It commits before the response leaves (nothing is acknowledged that is
            # not stored) and rolls back on any error (nothing half-written).
            db = db_of(request)
            async with db.unit_of_work(Actor.system(request_id(request))) as uow:
                caller = await bearer_caller(request, uow)
                uow.actor = caller.actor
                if caller.user.role not in allowed:
                    raise Forbidden("your role may not do this")
                return await endpoint(request, caller)

        return handler

    return wrap


def page_route(*roles: Role) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """Session endpoint limited to `roles`; checks CSRF on every unsafe method."""
    allowed = frozenset(roles) or frozenset(Role)

    def wrap(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(endpoint)
        async def handler(request: Request) -> Response:
            caller = await session_caller(request)
            if caller is None:
                if request.method == "GET" and "hx-request" not in request.headers:
                    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
                raise NotAuthenticated("please sign in")
            if request.method in UNSAFE_METHODS:
                await verify_csrf(request)
            if caller.user.role not in allowed:
                raise Forbidden("your role may not open this page")
            return await endpoint(request, caller)

        return handler

    return wrap
