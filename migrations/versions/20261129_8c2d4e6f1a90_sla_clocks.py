"""sla: policy sets, clocks, escalation log; ticket's policy and next deadline

Revision ID: 8c2d4e6f1a90
Revises: 5b1e0c7d2a41
Create Date: 2026-11-29 16:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8c2d4e6f1a90"
down_revision: str | None = "5b1e0c7d2a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_policy_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["loaded_by_user_id"], ["app_user.id"],
            name=op.f("fk_sla_policy_set_loaded_by_user_id_app_user"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policy_set")),
        sa.UniqueConstraint("version", name=op.f("uq_sla_policy_set_version")),
    )
    op.create_index(
        "uq_sla_policy_set_one_active", "sla_policy_set", ["active"],
        unique=True, postgresql_where=sa.text("active"),
    )
    op.create_table(
        "sla_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("policy_set_id", sa.Integer(), nullable=True),
        sa.Column("policy_name", sa.String(length=200), nullable=False),
        sa.Column("target", sa.Interval(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("elapsed", sa.Interval(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("warn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_action_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"],
            name=op.f("fk_sla_clock_ticket_id_ticket"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_set_id"], ["sla_policy_set.id"],
            name=op.f("fk_sla_clock_policy_set_id_sla_policy_set"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_clock")),
        sa.UniqueConstraint(
            "ticket_id", "metric", "cycle", name=op.f("uq_sla_clock_ticket_id_metric_cycle")
        ),
    )
    op.create_index(
        "ix_sla_clock_next_action", "sla_clock", ["next_action_at"],
        postgresql_where=sa.text("next_action_at IS NOT NULL"),
    )
    op.create_table(
        "sla_escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clock_id", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=64), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["clock_id"], ["sla_clock.id"],
            name=op.f("fk_sla_escalation_clock_id_sla_clock"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_escalation")),
        sa.UniqueConstraint(
            "clock_id", "step_key", name=op.f("uq_sla_escalation_clock_id_step_key")
        ),
    )
    op.add_column("ticket", sa.Column("sla_policy", sa.String(length=200), nullable=True))
    op.add_column("ticket", sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_ticket_sla_due_at"), "ticket", ["sla_due_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_sla_due_at"), table_name="ticket")
    op.drop_column("ticket", "sla_due_at")
    op.drop_column("ticket", "sla_policy")
    op.drop_table("sla_escalation")
    op.drop_index("ix_sla_clock_next_action", table_name="sla_clock")
    op.drop_table("sla_clock")
    op.drop_index("uq_sla_policy_set_one_active", table_name="sla_policy_set")
    op.drop_table("sla_policy_set")
