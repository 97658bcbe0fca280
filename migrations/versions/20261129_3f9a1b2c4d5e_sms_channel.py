"""sms: delivered state, opt-outs on phone identities, provider status reports

Revision ID: 3f9a1b2c4d5e
Revises: 8c2d4e6f1a90
Create Date: 2026-11-29 19:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f9a1b2c4d5e"
down_revision: str | None = "8c2d4e6f1a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = ("queued", "sent", "failed", "bounced")


def _states(values: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_message_delivery_state"), "message", type_="check")
    listed = ", ".join(f"'{v}'" for v in values)
    op.create_check_constraint(
        op.f("ck_message_delivery_state"), "message", sa.text(f"delivery_state IN ({listed})")
    )


def upgrade() -> None:
    _states((*_STATES, "delivered"))
    op.add_column(
        "customer_identity",
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "provider_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_report")),
        sa.UniqueConstraint(
            "channel", "provider_id", "status",
            name=op.f("uq_provider_report_channel_provider_id_status"),
        ),
    )


def downgrade() -> None:
    op.drop_table("provider_report")
    op.drop_column("customer_identity", "opted_out_at")
    op.execute("UPDATE message SET delivery_state = 'sent' WHERE delivery_state = 'delivered'")
    _states(_STATES)
