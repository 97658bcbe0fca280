"""Hand-written SQL for the hottest write: opening a ticket with its first message.

Measured (BENCHMARKS.md): through the ORM this took two statements, an ORM flush
and a re-read for the queue name, most of the request's CPU. As one statement
built once, the database fills in the ticket number and the default queue and
hands back the ids and the queue's name in a single round trip; the audit row
of the new ticket is written by the same statement."""

from __future__ import annotations

from sqlalchemy import DateTime, TextClause, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB

CREATE_TICKET: TextClause = text(
    """
    WITH t AS (
        INSERT INTO ticket (subject, status, priority, channel, customer_id, asset_id,
                            queue_id, version, created_at, updated_at)
        VALUES (:subject, 'new', :priority, :channel, :customer_id, :asset_id,
                COALESCE(CAST(:queue_id AS integer),
                         (SELECT id FROM team WHERE is_default ORDER BY id LIMIT 1)),
                1, :now, :now)
        RETURNING id, number, queue_id
    ), m AS (
        INSERT INTO message (ticket_id, channel, direction, is_public, author_user_id,
                             author_customer_id, body_text, body_html, provider_id, meta,
                             created_at)
        SELECT t.id, :channel, :direction, :public, :author_user_id, :author_customer_id,
               :body_text, :body_html, :provider_id, :meta, :now
        FROM t
        RETURNING id
    ), a AS (
        INSERT INTO audit_event (at, actor_kind, actor_user_id, action, entity_type,
                                 entity_id, after, request_id)
        SELECT :now, :actor_kind, :actor_user_id, 'ticket.created', 'ticket', t.id,
               :audit_after || jsonb_build_object('queue_id', t.queue_id), :request_id
        FROM t
    )
    SELECT t.id, t.number, t.queue_id, m.id AS message_id, team.name AS queue_name
    FROM t CROSS JOIN m LEFT JOIN team ON team.id = t.queue_id
    """
).bindparams(
    bindparam("meta", type_=JSONB),
    bindparam("audit_after", type_=JSONB),
    bindparam("now", type_=DateTime(timezone=True)),
)
