"""voice: phone calls (IVR answers, queue, outcome, recording) and agents' phones

Revision ID: 4d6e8f0a1b2c
Revises: 3f9a1b2c4d5e
Create Date: 2026-11-29 20:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4d6e8f0a1b2c"
down_revision: str | None = "3f9a1b2c4d5e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = "'menu', 'queued', 'connecting', 'talking', 'voicemail', 'ended'"
_OUTCOMES = "'answered', 'missed', 'abandoned', 'voicemail'"


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.add_column("app_user", sa.Column("phone", sa.String(length=32), nullable=True))
    op.create_table(
        "phone_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("account_sid", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("from_number", sa.String(length=128), nullable=False),
        sa.Column("to_number", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("product_line", sa.String(length=100), nullable=True),
        sa.Column("serial_given", sa.String(length=32), nullable=True),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("chosen_ticket_id", sa.Integer(), nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("menu_errors", sa.Integer(), nullable=False),
        sa.Column("agent_user_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        _when("enqueued_at"),
        _when("answered_at"),
        _when("ended_at"),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("recording_sid", sa.String(length=64), nullable=True),
        sa.Column("recording_url", sa.String(length=500), nullable=True),
        sa.Column("recording_seconds", sa.Integer(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.CheckConstraint(f"state IN ({_STATES})", name=op.f("ck_phone_call_call_state")),
        sa.CheckConstraint(f"outcome IN ({_OUTCOMES})", name=op.f("ck_phone_call_call_outcome")),
        sa.ForeignKeyConstraint(
            ["agent_user_id"], ["app_user.id"],
            name=op.f("fk_phone_call_agent_user_id_app_user"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"],
            name=op.f("fk_phone_call_asset_id_asset"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["chosen_ticket_id"], ["ticket.id"],
            name=op.f("fk_phone_call_chosen_ticket_id_ticket"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"],
            name=op.f("fk_phone_call_customer_id_customer"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"],
            name=op.f("fk_phone_call_message_id_message"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"], ["team.id"],
            name=op.f("fk_phone_call_queue_id_team"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"],
            name=op.f("fk_phone_call_ticket_id_ticket"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_call")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_phone_call_call_sid")),
    )
    op.create_index(op.f("ix_phone_call_customer_id"), "phone_call", ["customer_id"])
    op.create_index(op.f("ix_phone_call_ticket_id"), "phone_call", ["ticket_id"])
    op.create_index(
        "ix_phone_call_queue_state", "phone_call", ["queue_id", "state", "enqueued_at"]
    )


def downgrade() -> None:
    op.drop_table("phone_call")
    op.drop_column("app_user", "phone")
