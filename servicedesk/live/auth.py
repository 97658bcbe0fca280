"""Who is opening a `/live` connection: a browser by its signed session cookie, an
integration by `auth={"token": "<API token>"}`, checked exactly as the JSON API
checks a bearer token (revoked tokens and inactive users are refused)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from socketio import exceptions

from servicedesk.db import Actor, Database
from servicedesk.settings import Settings
from servicedesk.staff.models import User
from servicedesk.staff.service import actor_for, authenticate_token, team_ids_of
from servicedesk.web.auth import SESSION_FINGERPRINT, SESSION_USER, password_fingerprint
from servicedesk.web.session_cookie import read_session


@dataclass(frozen=True)
class Caller:
    user: User
    teams: frozenset[int]
    via: Literal["session", "token"]

    @property
    def actor(self) -> Actor:
        return actor_for(self.user, self.teams, kind="token" if self.via == "token" else "user")


def refused(message: str) -> exceptions.ConnectionRefusedError:
    """The client's `connect_error` carries {"message": message}."""
    return exceptions.ConnectionRefusedError(message)


async def identify(
    db: Database, settings: Settings, environ: Mapping[str, Any], auth: Any
) -> Caller:
    """The caller, or ConnectionRefusedError saying why not."""
    if isinstance(auth, Mapping) and "token" in auth:
        token = auth["token"]
        if not isinstance(token, str) or not token.strip():
            raise refused("auth.token must be an API token")
        return await _by_token(db, token.strip())
    return await _by_session(db, settings, str(environ.get("HTTP_COOKIE", "")))


async def _by_token(db: Database, token: str) -> Caller:
    # Its own short transaction, as an API request's: the check may stamp last use.
    async with db.unit_of_work(Actor.system()) as uow:
        found = await authenticate_token(uow, token)
    if found is None:
        raise refused("unknown or revoked token")
    user, teams = found
    return Caller(user, teams, "token")


async def _by_session(db: Database, settings: Settings, cookie: str) -> Caller:
    session = read_session(cookie, str(settings.secret_key), settings.session_max_age)
    user_id = session.get(SESSION_USER)
    if not isinstance(user_id, int):
        raise refused("sign in first, or connect with auth={'token': <API token>}")
    async with db.read_session() as s:
        user = await s.get(User, user_id)
        # A changed password ends the sessions made before it, here as on pages.
        if (
            user is None
            or not user.is_active
            or session.get(SESSION_FINGERPRINT) != password_fingerprint(user)
        ):
            raise refused("this session has ended; sign in again")
        teams = await team_ids_of(s, user_id)
    return Caller(user, teams, "session")
