"""web chat: chats, agents' presence and their live connections

Revision ID: 9e1f3a5b7c2d
Revises: 4d6e8f0a1b2c
Create Date: 2026-11-29 22:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e1f3a5b7c2d"
down_revision: str | None = "4d6e8f0a1b2c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHAT_STATES = "'waiting', 'active', 'ended'"
_CHAT_ENDS = "'customer', 'agent', 'idle', 'no_agent', 'out_of_hours', 'superseded'"
_PRESENCE = "'available', 'away'"


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "agent_presence",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _when("changed_at", nullable=False),
        _when("last_chat_at"),
        sa.CheckConstraint(
            f"status IN ({_PRESENCE})", name=op.f("ck_agent_presence_presence_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"],
            name=op.f("fk_agent_presence_user_id_app_user"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agent_presence")),
    )
    op.create_table(
        "agent_connection",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=100), nullable=False),
        _when("connected_at", nullable=False),
        _when("seen_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"],
            name=op.f("fk_agent_connection_user_id_app_user"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_agent_connection")),
    )
    op.create_index(op.f("ix_agent_connection_node"), "agent_connection", ["node"])
    op.create_index(op.f("ix_agent_connection_user_id"), "agent_connection", ["user_id"])
    op.create_table(
        "chat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("first_message_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("agent_user_id", sa.Integer(), nullable=True),
        _when("started_at", nullable=False),
        _when("wait_until"),
        _when("assigned_at"),
        _when("customer_seen_at", nullable=False),
        _when("ended_at"),
        sa.Column("transcript_message_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"state IN ({_CHAT_STATES})", name=op.f("ck_chat_chat_state")),
        sa.CheckConstraint(f"end_reason IN ({_CHAT_ENDS})", name=op.f("ck_chat_chat_end")),
        sa.ForeignKeyConstraint(
            ["agent_user_id"], ["app_user.id"],
            name=op.f("fk_chat_agent_user_id_app_user"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_message_id"], ["message.id"],
            name=op.f("fk_chat_first_message_id_message"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"],
            name=op.f("fk_chat_ticket_id_ticket"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transcript_message_id"], ["message.id"],
            name=op.f("fk_chat_transcript_message_id_message"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat")),
        sa.UniqueConstraint("first_message_id", name=op.f("uq_chat_first_message_id")),
    )
    op.create_index(op.f("ix_chat_ticket_id"), "chat", ["ticket_id"])
    op.create_index(
        "uq_chat_live_ticket", "chat", ["ticket_id"],
        unique=True, postgresql_where=sa.text("state <> 'ended'"),
    )
    op.create_index(
        "ix_chat_waiting", "chat", ["wait_until"], postgresql_where=sa.text("state = 'waiting'")
    )
    op.create_index(
        "ix_chat_active_agent", "chat", ["agent_user_id"],
        postgresql_where=sa.text("state = 'active'"),
    )


def downgrade() -> None:
    op.drop_table("chat")
    op.drop_table("agent_connection")
    op.drop_table("agent_presence")
