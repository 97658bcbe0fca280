"""People who work the desk (users, roles, API tokens) and how they are grouped (teams, skills)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow
from servicedesk.enums import Role, checked


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=sa.String(320), unique=True)
    name: str = Field(sa_type=sa.String(200))
    role: Role = Field(sa_type=checked(Role, "role"))
    password_hash: str | None = Field(default=None, sa_type=sa.String(255))
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", index=True, ondelete="RESTRICT"
    )
    language: str = Field(default="he", sa_type=sa.String(8))
    # Where an accepted call rings when VOICE_AGENT_DIAL is "phone" (E.164).
    phone: str | None = Field(default=None, sa_type=sa.String(32))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    """Integration tokens: only a SHA-256 of the secret is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", sa_type=sa.String(100))
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    prefix: str = Field(sa_type=sa.String(12))
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Team(SQLModel, table=True):
    """A queue of work and the agents who take it."""

    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(100), unique=True)
    language: str = Field(default="he", sa_type=sa.String(8))
    description: str = Field(default="", sa_type=sa.Text)
    is_default: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    # Routing (servicedesk/routing): how long an agent has to take an offer; where
    # work goes when it waited here too long; whether e-mail is offered (push) or
    # taken with "next ticket" (pull); which customer tiers are served first.
    offer_timeout_seconds: int = Field(default=20, sa_column_kwargs={"server_default": "20"})
    overflow_team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="SET NULL")
    overflow_after_seconds: int | None = Field(default=None)
    email_mode: str = Field(
        default="pull", sa_type=sa.String(8), sa_column_kwargs={"server_default": "pull"}
    )
    boost_tiers: list[str] = Field(
        default_factory=lambda: ["gold", "platinum"],
        sa_type=postgresql.ARRAY(sa.String(16)),
        sa_column_kwargs={"server_default": sa.text("'{gold,platinum}'")},
    )
    # Target for the board's forecast: this share of contacts answered within
    # `service_level_seconds` (80/20 unless the supervisor says otherwise).
    service_level_percent: int = Field(default=80, sa_column_kwargs={"server_default": "80"})
    service_level_seconds: int = Field(default=20, sa_column_kwargs={"server_default": "20"})


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_member"

    team_id: int = Field(foreign_key="team.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")


class Skill(SQLModel, table=True):
    """A language (name: its code, "he") or a product line (name: the products'
    category): a ticket needs the skills its customer's language and its unit's
    product line name, when such skills are defined."""

    __tablename__ = "skill"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(100), unique=True)
    kind: str = Field(
        default="other", sa_type=sa.String(16), sa_column_kwargs={"server_default": "other"}
    )  # language, product_line, other


class UserSkill(SQLModel, table=True):
    __tablename__ = "user_skill"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, ondelete="CASCADE")
    level: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
