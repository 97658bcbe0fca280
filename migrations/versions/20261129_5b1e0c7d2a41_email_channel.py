"""email channel: delivery state, collaborators, bounces, auto-replies, job queue

Revision ID: 5b1e0c7d2a41
Revises: 73a3f1f25de7
Create Date: 2026-11-29 16:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.util import await_only

revision: str = "5b1e0c7d2a41"
down_revision: str | None = "73a3f1f25de7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_script(sql: str) -> None:
    """A multi-statement script through the driver's simple-query protocol."""
    driver = op.get_bind().connection.driver_connection
    await_only(driver.execute(sql))


def upgrade() -> None:
    op.add_column(
        "message",
        sa.Column(
            "delivery_state",
            sa.Enum(
                "queued", "sent", "failed", "bounced",
                name="delivery_state", native_enum=False, create_constraint=True, length=16,
            ),
            nullable=True,
        ),
    )
    op.add_column(
        "message",
        sa.Column("delivery_error", sa.String(length=1000), nullable=False, server_default=""),
    )
    op.add_column(
        "message", sa.Column("delivery_updated_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("attachment", sa.Column("content_id", sa.String(length=255), nullable=True))
    op.add_column(
        "attachment", sa.Column("inline", sa.Boolean(), nullable=False, server_default="false")
    )
    op.add_column(
        "customer_identity",
        sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "customer_identity",
        sa.Column("bounce_reason", sa.String(length=1000), nullable=False, server_default=""),
    )
    op.create_table(
        "ticket_collaborator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"],
            name=op.f("fk_ticket_collaborator_ticket_id_ticket"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_collaborator")),
        sa.UniqueConstraint(
            "ticket_id", "address", name=op.f("uq_ticket_collaborator_ticket_id_address")
        ),
    )
    op.create_table(
        "auto_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"],
            name=op.f("fk_auto_reply_ticket_id_ticket"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auto_reply")),
        sa.UniqueConstraint("ticket_id", "kind", name=op.f("uq_auto_reply_ticket_id_kind")),
    )
    op.create_index("ix_auto_reply_address_sent", "auto_reply", ["address", "sent_at"])
    # The outbound job queue (procrastinate, pinned to 3.10): its own schema, as it ships it.
    _run_script(SchemaManager.get_schema())


def downgrade() -> None:
    _run_script(
        """
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT tablename FROM pg_tables
                     WHERE schemaname = 'public' AND tablename LIKE 'procrastinate%' LOOP
                EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
            END LOOP;
            FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                     JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = 'public' AND p.proname LIKE 'procrastinate%' LOOP
                EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.sig);
            END LOOP;
            FOR r IN SELECT t.typname FROM pg_type t
                     JOIN pg_namespace n ON n.oid = t.typnamespace
                     WHERE n.nspname = 'public' AND t.typname LIKE 'procrastinate%'
                       AND t.typtype IN ('e', 'c') LOOP
                EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
            END LOOP;
        END $$;
        """
    )
    op.drop_index("ix_auto_reply_address_sent", table_name="auto_reply")
    op.drop_table("auto_reply")
    op.drop_table("ticket_collaborator")
    op.drop_column("customer_identity", "bounce_reason")
    op.drop_column("customer_identity", "bounced_at")
    op.drop_column("attachment", "inline")
    op.drop_column("attachment", "content_id")
    op.drop_column("message", "delivery_updated_at")
    op.drop_column("message", "delivery_error")
    op.drop_column("message", "delivery_state")
