"""The board's statements: four reads, each one round trip (see board.py).

Shared rules, written once here:
- open work is a ticket not solved or closed;
- a clock "breached" is one recorded so, or one still running past its deadline
  (the sweeper has not been round yet), as in `sla_tracking.reports`;
- an agent's state is their chosen status, except that "available" and "away"
  need a live screen (a connection seen within `presence.ALIVE`); without one
  they are offline. "On a call" needs none: the call may ring on their own
  phone (VOICE_AGENT_DIAL=phone) with no screen open.
"""

from __future__ import annotations

from sqlalchemy import text

OPEN_STATUSES = ("new", "open", "pending", "on_hold")
HISTORY_WEEKS = 4

_OPEN = "t.status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))

# Active agents and supervisors (the people routing gives work to), with their state.
_STAFF = """
    staff AS (
        SELECT u.id AS user_id, u.name, u.role, p.status, p.changed_at,
               EXISTS (SELECT 1 FROM agent_connection c
                       WHERE c.user_id = u.id AND c.seen_at > :alive_since) AS connected
        FROM app_user u
        LEFT JOIN agent_presence p ON p.user_id = u.id
        WHERE u.is_active AND u.role IN ('agent', 'supervisor')
    ),
    staff_state AS (
        SELECT s.*,
               CASE WHEN s.status = 'on_call' THEN 'on_call'
                    WHEN s.connected AND s.status IN ('available', 'away') THEN s.status
                    ELSE 'offline' END AS state
        FROM staff s
    )
"""

_WEEK_COLUMNS = ",\n".join(
    f"count(*) FILTER (WHERE t.created_at >= :week{k} AND t.created_at < :week{k}_end) AS week{k}"
    for k in range(1, HISTORY_WEEKS + 1)
)

QUEUES = text(
    f"""
    WITH {_STAFF},
    crew AS (
        SELECT m.team_id,
               count(*) FILTER (WHERE s.state = 'available') AS available,
               count(*) FILTER (WHERE s.state = 'on_call') AS on_call,
               count(*) FILTER (WHERE s.state = 'away') AS away,
               count(*) FILTER (WHERE s.state = 'offline') AS offline
        FROM team_member m JOIN staff_state s ON s.user_id = m.user_id
        GROUP BY m.team_id
    ),
    waiting AS (
        SELECT queue_id, count(*) AS n, min(waiting_since) AS oldest
        FROM routing_entry GROUP BY queue_id
    ),
    risk AS (
        SELECT t.queue_id,
               count(*) FILTER (WHERE k.breached) AS breached,
               count(*) FILTER (WHERE k.warned AND NOT k.breached) AS at_risk
        FROM ticket t
        CROSS JOIN LATERAL (
            SELECT bool_or(c.state = 'breached'
                           OR (c.state = 'running' AND c.due_at <= :now)) AS breached,
                   bool_or(c.state = 'running' AND c.warn_at <= :now) AS warned
            FROM sla_clock c WHERE c.ticket_id = t.id
        ) k
        WHERE {_OPEN} AND t.queue_id IS NOT NULL
        GROUP BY t.queue_id
    ),
    today AS (
        SELECT t.queue_id,
               count(*) FILTER (WHERE c.state = 'met') AS met,
               count(*) FILTER (WHERE c.state <> 'met') AS breached
        FROM sla_clock c JOIN ticket t ON t.id = c.ticket_id
        WHERE t.queue_id IS NOT NULL
          AND ((c.state = 'met' AND c.stopped_at >= :day_start AND c.stopped_at <= :now)
               OR (c.state = 'breached'
                   AND COALESCE(c.breached_at, c.due_at) >= :day_start
                   AND COALESCE(c.breached_at, c.due_at) <= :now)
               OR (c.state = 'running' AND c.due_at >= :day_start AND c.due_at <= :now))
        GROUP BY t.queue_id
    ),
    arrivals AS (
        SELECT t.queue_id,
               count(*) FILTER (WHERE t.created_at >= :hour_ago) AS last_hour,
               {_WEEK_COLUMNS},
               min(t.created_at) AS first_seen
        FROM ticket t
        WHERE t.queue_id IS NOT NULL AND t.created_at >= :week{HISTORY_WEEKS}
          AND t.created_at < :now
        GROUP BY t.queue_id
    ),
    -- the voice channel's handle time (channels/voice/calls.py): answered calls of
    -- the last days, from answer to hang-up
    handle AS (
        SELECT queue_id, avg(extract(epoch FROM ended_at - answered_at)) AS seconds
        FROM phone_call
        WHERE queue_id IS NOT NULL AND answered_at IS NOT NULL AND ended_at > :handle_since
        GROUP BY queue_id
    )
    SELECT q.id, q.name, q.created_at, q.service_level_percent, q.service_level_seconds,
           COALESCE(w.n, 0) AS waiting, w.oldest,
           COALESCE(cr.available, 0) AS available, COALESCE(cr.on_call, 0) AS on_call,
           COALESCE(cr.away, 0) AS away, COALESCE(cr.offline, 0) AS offline,
           COALESCE(r.at_risk, 0) AS at_risk, COALESCE(r.breached, 0) AS breached,
           COALESCE(d.met, 0) AS met_today, COALESCE(d.breached, 0) AS breached_today,
           COALESCE(a.last_hour, 0) AS last_hour,
           {", ".join(f"COALESCE(a.week{k}, 0) AS week{k}" for k in range(1, HISTORY_WEEKS + 1))},
           a.first_seen, h.seconds AS handle_seconds
    FROM team q
    LEFT JOIN waiting w ON w.queue_id = q.id
    LEFT JOIN crew cr ON cr.team_id = q.id
    LEFT JOIN risk r ON r.queue_id = q.id
    LEFT JOIN today d ON d.queue_id = q.id
    LEFT JOIN arrivals a ON a.queue_id = q.id
    LEFT JOIN handle h ON h.queue_id = q.id
    ORDER BY q.name, q.id
    """
)

# Waiting tickets in routing's order per queue and work class (the order of
# `ix_routing_entry_order`), each expected to be answered after position × handle
# time ÷ staffing (the voice channel's rule, `calls.expected_wait`); those whose
# deadline falls before that, and not already past, are likely to breach. With
# nobody staffed every waiting deadline is.
LIKELY = text(
    """
    WITH pace AS (
        SELECT * FROM unnest(CAST(:queue_ids AS integer[]), CAST(:handles AS float8[]),
                             CAST(:staffing AS integer[])) AS p(queue_id, handle, staffing)
    ),
    ranked AS (
        SELECT e.ticket_id, e.queue_id, e.due_at,
               row_number() OVER (PARTITION BY e.queue_id, e.work_class
                                  ORDER BY e.boosted DESC, e.priority_rank DESC,
                                           e.due_at ASC NULLS LAST, e.waiting_since,
                                           e.ticket_id) AS position
        FROM routing_entry e
        WHERE e.queue_id = ANY(CAST(:queue_ids AS integer[]))
    ),
    flagged AS (
        SELECT r.*,
               CASE WHEN p.staffing > 0
                    THEN ceil(r.position * p.handle / p.staffing) END AS wait_seconds
        FROM ranked r JOIN pace p ON p.queue_id = r.queue_id
        WHERE r.due_at > :now
    ),
    likely AS (
        SELECT f.*,
               row_number() OVER (PARTITION BY f.queue_id ORDER BY f.due_at, f.ticket_id) AS n,
               count(*) OVER (PARTITION BY f.queue_id) AS total
        FROM flagged f
        WHERE f.wait_seconds IS NULL
           OR f.due_at < :now + make_interval(secs => f.wait_seconds)
    )
    SELECT l.queue_id, l.ticket_id, l.position, l.due_at, l.wait_seconds, l.total,
           t.number, t.subject, t.priority
    FROM likely l JOIN ticket t ON t.id = l.ticket_id
    WHERE l.n <= :per_queue
    ORDER BY l.queue_id, l.n
    """
)

# Open tickets by their next SLA deadline (`ticket.sla_due_at`, indexed), with the
# warning instant of the clock that sets it.
CLOSEST = text(
    f"""
    SELECT t.id, t.number, t.subject, t.priority, t.status, t.sla_due_at AS due_at,
           q.name AS queue, u.name AS assignee, k.metric, k.warn_at
    FROM ticket t
    LEFT JOIN team q ON q.id = t.queue_id
    LEFT JOIN app_user u ON u.id = t.assignee_id
    LEFT JOIN LATERAL (
        SELECT c.metric, c.warn_at FROM sla_clock c
        WHERE c.ticket_id = t.id AND c.state = 'running' AND c.due_at = t.sla_due_at
        ORDER BY c.warn_at NULLS LAST, c.id
        LIMIT 1
    ) k ON true
    WHERE t.sla_due_at IS NOT NULL AND {_OPEN}
    ORDER BY t.sla_due_at, t.id
    LIMIT :limit
    """
)

AGENTS = text(
    f"""
    WITH {_STAFF}
    SELECT s.user_id, s.name, s.role, s.state, s.status, s.connected, s.changed_at,
           (SELECT count(*) FROM ticket t WHERE t.assignee_id = s.user_id AND {_OPEN}) AS load,
           ARRAY(SELECT q.name FROM team_member m JOIN team q ON q.id = m.team_id
                 WHERE m.user_id = s.user_id ORDER BY q.name) AS queues
    FROM staff_state s
    ORDER BY array_position(ARRAY['available', 'on_call', 'away', 'offline'], s.state),
             s.name, s.user_id
    """
)
