"""live routing: presence states, capacity, waiting work, offers, queue routing settings

Revision ID: b7d3e5f9a1c4
Revises: 9e1f3a5b7c2d
Create Date: 2026-11-29 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b7d3e5f9a1c4"
down_revision: str | None = "9e1f3a5b7c2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PRESENCE = "'available', 'away', 'on_call', 'offline'"
_WORK = "'voice', 'chat', 'email'"
_OFFER = "'pending', 'accepted', 'declined', 'timeout', 'withdrawn'"


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


# A waiting ticket's entry keeps its next SLA deadline, which the SLA code moves
# without a ticket event (the sweeper, a policy reload): the database copies it.
_FOLLOW_DUE = ("""
CREATE FUNCTION routing_entry_follow_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE routing_entry SET due_at = NEW.sla_due_at
    WHERE ticket_id = NEW.id AND due_at IS DISTINCT FROM NEW.sla_due_at;
    RETURN NULL;
END $$
""", """
CREATE TRIGGER trg_ticket_due_follows AFTER UPDATE OF sla_due_at ON ticket
FOR EACH ROW WHEN (OLD.sla_due_at IS DISTINCT FROM NEW.sla_due_at)
EXECUTE FUNCTION routing_entry_follow_due()
""")


def upgrade() -> None:
    op.drop_constraint(op.f("ck_agent_presence_presence_status"), "agent_presence", type_="check")
    op.create_check_constraint(
        op.f("ck_agent_presence_presence_status"), "agent_presence", f"status IN ({_PRESENCE})"
    )
    op.add_column(
        "agent_presence",
        sa.Column(
            "idle_since", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.alter_column("agent_presence", "idle_since", server_default=None)
    # Chats are offered through routing now (idle_since orders agents for every kind).
    op.drop_column("agent_presence", "last_chat_at")
    op.add_column(
        "agent_presence",
        sa.Column("reason", sa.String(16), nullable=False, server_default="chosen"),
    )
    op.alter_column("agent_presence", "reason", server_default=None)

    op.add_column("agent_connection", sa.Column("viewing_ticket_id", sa.Integer(), nullable=True))
    op.add_column("agent_connection", _when("typing_at"))
    op.create_foreign_key(
        op.f("fk_agent_connection_viewing_ticket_id_ticket"), "agent_connection", "ticket",
        ["viewing_ticket_id"], ["id"], ondelete="SET NULL",
    )
    op.create_index(
        op.f("ix_agent_connection_viewing_ticket_id"), "agent_connection", ["viewing_ticket_id"]
    )
    op.add_column("skill", sa.Column("kind", sa.String(16), nullable=False, server_default="other"))
    op.add_column(
        "team",
        sa.Column("offer_timeout_seconds", sa.Integer(), nullable=False, server_default="20"),
    )
    op.add_column("team", sa.Column("overflow_team_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_team_overflow_team_id_team"),
        "team",
        "team",
        ["overflow_team_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.add_column("team", sa.Column("overflow_after_seconds", sa.Integer(), nullable=True))
    op.add_column(
        "team", sa.Column("email_mode", sa.String(8), nullable=False, server_default="pull")
    )
    op.add_column(
        "team",
        sa.Column(
            "boost_tiers",
            postgresql.ARRAY(sa.String(16)),
            nullable=False,
            server_default=sa.text("'{gold,platinum}'"),
        ),
    )
    op.add_column(
        "team",
        sa.Column("service_level_percent", sa.Integer(), nullable=False, server_default="80"),
    )
    op.add_column(
        "team",
        sa.Column("service_level_seconds", sa.Integer(), nullable=False, server_default="20"),
    )

    # The board's forecast counts a queue's arrivals by hour.
    op.create_index("ix_ticket_queue_created", "ticket", ["queue_id", "created_at"])
    op.create_table(
        "agent_capacity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("work_class", sa.String(16), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(team_id IS NULL) <> (user_id IS NULL)", name=op.f("ck_agent_capacity_team_or_user")
        ),
        sa.CheckConstraint("slots >= 0", name=op.f("ck_agent_capacity_slots_not_negative")),
        sa.CheckConstraint(f"work_class IN ({_WORK})", name=op.f("ck_agent_capacity_work_class")),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_agent_capacity_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_agent_capacity_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_capacity")),
    )
    op.create_index(
        "uq_agent_capacity_team",
        "agent_capacity",
        ["team_id", "work_class"],
        unique=True,
        postgresql_where=sa.text("team_id IS NOT NULL"),
    )
    op.create_index(
        "uq_agent_capacity_user",
        "agent_capacity",
        ["user_id", "work_class"],
        unique=True,
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )

    op.create_table(
        "routing_entry",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("work_class", sa.String(16), nullable=False),
        sa.Column("priority_rank", sa.SmallInteger(), nullable=False),
        sa.Column("boosted", sa.Boolean(), nullable=False),
        _when("due_at"),
        _when("waiting_since", nullable=False),
        sa.Column("required_skills", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"work_class IN ({_WORK})", name=op.f("ck_routing_entry_work_class")),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_routing_entry_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["team.id"],
            name=op.f("fk_routing_entry_queue_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_routing_entry")),
    )
    op.create_index(
        "ix_routing_entry_order",
        "routing_entry",
        [
            "queue_id",
            "work_class",
            sa.text("boosted DESC"),
            sa.text("priority_rank DESC"),
            sa.text("due_at ASC NULLS LAST"),
            "waiting_since",
            "ticket_id",
        ],
    )
    op.create_index("ix_routing_entry_waiting_since", "routing_entry", ["waiting_since"])
    for statement in _FOLLOW_DUE:
        op.execute(statement)

    op.create_table(
        "routing_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("work_class", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _when("created_at", nullable=False),
        _when("expires_at", nullable=False),
        _when("decided_at"),
        sa.CheckConstraint(f"work_class IN ({_WORK})", name=op.f("ck_routing_offer_work_class")),
        sa.CheckConstraint(f"state IN ({_OFFER})", name=op.f("ck_routing_offer_offer_state")),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_routing_offer_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_routing_offer_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_offer")),
    )
    op.create_index(
        "uq_routing_offer_pending_ticket",
        "routing_offer",
        ["ticket_id"],
        unique=True,
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index(
        "uq_routing_offer_pending_user",
        "routing_offer",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index(
        "ix_routing_offer_expiry",
        "routing_offer",
        ["expires_at"],
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index("ix_routing_offer_ticket_user", "routing_offer", ["ticket_id", "user_id"])


def downgrade() -> None:
    op.drop_table("routing_offer")
    op.execute("DROP TRIGGER trg_ticket_due_follows ON ticket")
    op.execute("DROP FUNCTION routing_entry_follow_due()")
    op.drop_table("routing_entry")
    op.drop_table("agent_capacity")
    op.drop_index("ix_ticket_queue_created", table_name="ticket")
    for column in (
        "service_level_seconds",
        "service_level_percent",
        "boost_tiers",
        "email_mode",
        "overflow_after_seconds",
    ):
        op.drop_column("team", column)
    op.drop_constraint(op.f("fk_team_overflow_team_id_team"), "team", type_="foreignkey")
    op.drop_column("team", "overflow_team_id")
    op.drop_column("team", "offer_timeout_seconds")
    op.drop_column("skill", "kind")
    op.drop_column("agent_connection", "typing_at")
    op.drop_column("agent_connection", "viewing_ticket_id")
    op.drop_column("agent_presence", "reason")
    op.add_column("agent_presence", _when("last_chat_at"))
    op.drop_column("agent_presence", "idle_since")
    op.execute(
        "UPDATE agent_presence SET status = 'away' WHERE status NOT IN ('available', 'away')"
    )
    op.drop_constraint(op.f("ck_agent_presence_presence_status"), "agent_presence", type_="check")
    op.create_check_constraint(
        op.f("ck_agent_presence_presence_status"), "agent_presence", "status IN ('available', 'away')"
    )
