"""Hand-written SQL for the hottest write: opening a ticket with its first message.

Measured (BENCHMARKS.md): through the ORM this took two statements, an ORM flush
and a re-read for the queue name, most of the request's CPU. As one statement on
the driver, the database fills in the ticket number and the default queue, writes
the first message and the ticket's audit row, and hands back the ids and the
queue's name in a single round trip."""

from __future__ import annotations

from servicedesk.audit.statements import audit_insert
from servicedesk.sql import DriverSQL

CREATE_TICKET = DriverSQL(
    f"""
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
        SELECT t.id, CAST(:channel AS varchar), CAST(:direction AS varchar),
               CAST(:public AS boolean), CAST(:author_user_id AS integer),
               CAST(:author_customer_id AS integer), CAST(:body_text AS text),
               CAST(:body_html AS text), CAST(:provider_id AS varchar),
               CAST(:meta AS jsonb), CAST(:now AS timestamptz)
        FROM t
        RETURNING id
    ), a AS ({
        audit_insert(
            "ticket.created",
            "ticket",
            "t.id",
            "CAST(:audit_after AS jsonb) || jsonb_build_object('queue_id', t.queue_id)",
            "t",
        )
    })
    SELECT t.id, t.number, t.queue_id, m.id AS message_id, team.name AS queue_name
    FROM t CROSS JOIN m LEFT JOIN team ON team.id = t.queue_id
    """
)
