"""All writes on users, teams and API tokens, and the two ways of proving who you are."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from servicedesk.audit.service import record
from servicedesk.customers.models import Organization
from servicedesk.db import Actor, UnitOfWork, as_loaded, utcnow
from servicedesk.enums import OrganizationKind, Role
from servicedesk.errors import Conflict, InvalidInput, NotFound
from servicedesk.identities import normalise_email
from servicedesk.sql import DriverSQL
from servicedesk.staff.models import ApiToken, Skill, Team, TeamMember, User, UserSkill
from servicedesk.staff.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password

TOKEN_PREFIX = "sdk_"
SKILL_KINDS = ("language", "product_line", "other")
SKILL_LEVELS = (1, 5)
# A language skill is named by the code customers' preferred language is stored in.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None,
    organization_id: int | None = None,
    team_ids: tuple[int, ...] = (),
    language: str = "he",
) -> User:
    address = normalise_email(email)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "password too short",
            fields={"password": f"at least {MIN_PASSWORD_LENGTH} characters"},
        )
    if role == Role.partner:
        org = await uow.session.get(Organization, organization_id) if organization_id else None
        if org is None or org.kind != OrganizationKind.partner:
            raise InvalidInput(
                "a partner user belongs to a partner organisation",
                fields={"organization_id": "required: a partner organisation"},
            )
    elif organization_id is not None:
        # Organisation membership is what scopes a partner; on staff it would mean nothing.
        raise InvalidInput(
            "only partner users belong to an organisation",
            fields={"organization_id": "only for partner users"},
        )
    if team_ids:
        found = set(await uow.session.scalars(select(Team.id).where(col(Team.id).in_(team_ids))))
        if missing := sorted(set(team_ids) - found):
            raise InvalidInput(
                "no such queue", fields={"team_ids": ", ".join(str(t) for t in missing)}
            )
    existing = await uow.session.scalar(select(User.id).where(User.email == address))
    if existing is not None:
        raise Conflict(f"a user with e-mail {address} exists", fields={"email": "taken"})
    user = User(
        email=address,
        name=name.strip() or address,
        role=role,
        password_hash=hash_password(password) if password else None,
        organization_id=organization_id,
        language=language,
    )
    uow.session.add(user)
    await uow.session.flush()
    assert user.id is not None
    for team_id in team_ids:
        uow.session.add(TeamMember(team_id=team_id, user_id=user.id))
    record(
        uow,
        "user.created",
        "user",
        user.id,
        after={"email": address, "role": role.value, "teams": list(team_ids)},
    )
    return user


async def set_password(uow: UnitOfWork, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "password too short",
            fields={"password": f"at least {MIN_PASSWORD_LENGTH} characters"},
        )
    user.password_hash = hash_password(password)
    uow.session.add(user)
    assert user.id is not None
    record(uow, "user.password_changed", "user", user.id)


async def create_team(
    uow: UnitOfWork,
    *,
    name: str,
    language: str = "he",
    description: str = "",
    default: bool = False,
) -> Team:
    if await uow.session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise Conflict(f"a queue named {name!r} exists", fields={"name": "taken"})
    if default:
        await uow.session.execute(update(Team).values(is_default=False))
    team = Team(name=name, language=language, description=description, is_default=default)
    uow.session.add(team)
    await uow.session.flush()
    assert team.id is not None
    record(uow, "team.created", "team", team.id, after={"name": name, "default": default})
    return team


async def add_member(uow: UnitOfWork, team_id: int, user_id: int) -> None:
    uow.session.add(TeamMember(team_id=team_id, user_id=user_id))
    record(uow, "team.member_added", "team", team_id, after={"user_id": user_id})


async def create_skill(uow: UnitOfWork, *, name: str, kind: str) -> Skill:
    """Define a skill: a language (named by its code, "he"), a product line (named
    as the products' category) or anything else. Waiting tickets do not follow by
    themselves: the caller re-syncs them (servicedesk.routing.settings.resync_waiting)."""
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if kind not in SKILL_KINDS:
        errors["kind"] = "unknown_choice"
    if kind == "language":
        name = name.lower()
    if not name:
        errors["name"] = "required"
    elif len(name) > 100:
        errors["name"] = "too_long"
    elif kind == "language" and not LANGUAGE_CODE.fullmatch(name):
        errors["name"] = "skill_language_code"
    if errors:
        raise InvalidInput("check_fields", fields=errors)
    if await uow.session.scalar(select(Skill.id).where(Skill.name == name)) is not None:
        raise Conflict(f"a skill named {name!r} exists", fields={"name": "taken"})
    skill = Skill(name=name, kind=kind)
    uow.session.add(skill)
    await uow.session.flush()
    assert skill.id is not None
    record(uow, "skill.created", "skill", skill.id, after={"name": name, "kind": kind})
    return skill


async def set_user_skills(uow: UnitOfWork, user_id: int, levels: Mapping[int, int]) -> bool:
    """Give the user exactly these skills (skill id to level 1-5); others they held
    are taken away. Returns whether anything changed."""
    if await uow.session.get(User, user_id) is None:
        raise NotFound("no such user")
    defined = await uow.session.execute(select(col(Skill.id), col(Skill.name)))
    names = {skill_id: name for skill_id, name in defined.all()}
    errors = {
        f"skill_{skill_id}": "out_of_range"
        for skill_id, level in levels.items()
        if not SKILL_LEVELS[0] <= level <= SKILL_LEVELS[1]
    }
    if unknown := sorted(set(levels) - set(names)):
        errors["skills"] = "no such skill: " + ", ".join(str(s) for s in unknown)
    if errors:
        raise InvalidInput("check_fields", fields=errors)
    holding = await uow.session.execute(
        select(col(UserSkill.skill_id), col(UserSkill.level)).where(
            col(UserSkill.user_id) == user_id
        )
    )
    held = {skill_id: level for skill_id, level in holding.all()}
    if held == dict(levels):
        return False
    await uow.session.execute(delete(UserSkill).where(col(UserSkill.user_id) == user_id))
    for skill_id, level in sorted(levels.items()):
        uow.session.add(UserSkill(user_id=user_id, skill_id=skill_id, level=level))
    record(
        uow,
        "user.skills_changed",
        "user",
        user_id,
        before={"skills": {names[s]: level for s, level in sorted(held.items())}},
        after={"skills": {names[s]: level for s, level in sorted(levels.items())}},
    )
    return True


async def create_token(uow: UnitOfWork, user: User, name: str = "") -> str:
    """Make an API token; the plain token is returned once and never stored."""
    assert user.id is not None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=token_digest(token), prefix=token[:12])
    uow.session.add(row)
    await uow.session.flush()
    assert row.id is not None
    record(uow, "token.created", "api_token", row.id, after={"user_id": user.id, "name": name})
    return token


async def team_ids_of(session: AsyncSession, user_id: int) -> frozenset[int]:
    rows = await session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user_id))
    return frozenset(rows)


def actor_for(
    user: User, team_ids: frozenset[int], *, kind: str = "user", request_id: str | None = None
) -> Actor:
    return Actor(
        kind="token" if kind == "token" else "user",
        user_id=user.id,
        role=user.role.value,
        organization_id=user.organization_id,
        team_ids=team_ids,
        request_id=request_id,
    )


# Runs on every API request, as the request's first statement: no ORM.
_TOKEN_QUERY = DriverSQL(
    """
    SELECT u.id, u.email, u.name, u.role, u.organization_id, u.language, u.is_active,
           t.id AS token_id, t.last_used_at,
           ARRAY(SELECT m.team_id FROM team_member m WHERE m.user_id = u.id) AS team_ids
    FROM api_token t JOIN app_user u ON u.id = t.user_id
    WHERE t.token_hash = :digest AND t.revoked_at IS NULL AND u.is_active
    """
)
_TOKEN_USED = DriverSQL("UPDATE api_token SET last_used_at = :now WHERE id = :id RETURNING id")


async def authenticate_token(uow: UnitOfWork, token: str) -> tuple[User, frozenset[int]] | None:
    """The active user behind a bearer token, with the queues they belong to, read in
    the request's own transaction (its first statement)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = await uow.fetchrow(_TOKEN_QUERY, {"digest": token_digest(token)})
    if row is None:
        return None
    user = as_loaded(
        User,
        {
            "id": row["id"],
            "email": row["email"],
            "name": row["name"],
            "role": Role(row["role"]),
            "organization_id": row["organization_id"],
            "language": row["language"],
            "is_active": row["is_active"],
        },
    )
    now = utcnow()
    last_used = row["last_used_at"]
    if last_used is None or now - last_used > _LAST_USED_RESOLUTION:
        # Coarse on purpose: an exact stamp would cost a write on every request.
        await uow.fetchrow(_TOKEN_USED, {"now": now, "id": row["token_id"]})
    return user, frozenset(row["team_ids"])


async def authenticate_password(session: AsyncSession, email: str, password: str) -> User | None:
    try:
        address = normalise_email(email)
    except InvalidInput:
        verify_password(password, None)
        return None
    user = await session.scalar(select(User).where(User.email == address))
    if user is None or not user.is_active:
        verify_password(password, None)
        return None
    return user if verify_password(password, user.password_hash) else None


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user
