"""SLA state in PostgreSQL: the loaded policy sets, one clock row per ticket and
metric (and customer turn), and the append-only log of escalation steps fired."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from servicedesk.db import utcnow


class SlaPolicySet(SQLModel, table=True):
    """A TOML policy file as loaded: every version kept, exactly one active."""

    __tablename__ = "sla_policy_set"
    __table_args__ = (
        sa.Index(
            "uq_sla_policy_set_one_active",
            "active",
            unique=True,
            postgresql_where=sa.text("active"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(sa_type=sa.String(64), unique=True)
    source: str = Field(sa_type=sa.Text)
    active: bool = Field(default=False)
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    loaded_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )


class SlaClock(SQLModel, table=True):
    """One metric of one ticket (next_response: one per customer turn).

    `next_action_at` is the earliest instant an escalation step of this clock
    falls due (NULL when none can): the sweeper reads due clocks through its
    partial index, never the whole table."""

    __tablename__ = "sla_clock"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "metric", "cycle"),
        sa.Index(
            "ix_sla_clock_next_action",
            "next_action_at",
            postgresql_where=sa.text("next_action_at IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", ondelete="CASCADE")
    metric: str = Field(sa_type=sa.String(16))
    cycle: int = Field(default=1)
    policy_set_id: int | None = Field(
        default=None, foreign_key="sla_policy_set.id", ondelete="SET NULL"
    )
    policy_name: str = Field(sa_type=sa.String(200))
    target: timedelta = Field(sa_type=sa.Interval)
    state: str = Field(sa_type=sa.String(16))  # running | paused | met | breached
    started_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    elapsed: timedelta = Field(sa_type=sa.Interval)
    due_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    warn_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    breached_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    stopped_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    next_action_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class SlaEscalation(SQLModel, table=True):
    """A step of the ladder that fired. The unique key is what makes a step run
    once per clock, whatever the number of workers or restarts."""

    __tablename__ = "sla_escalation"
    __table_args__ = (sa.UniqueConstraint("clock_id", "step_key"),)

    id: int | None = Field(default=None, primary_key=True)
    clock_id: int = Field(foreign_key="sla_clock.id", ondelete="CASCADE")
    step_key: str = Field(sa_type=sa.String(64))
    fired_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    due_at: datetime = Field(sa_type=sa.DateTime(timezone=True))  # when it should have fired
    actions: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
