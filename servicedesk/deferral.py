"""Writing a job of the job queue (procrastinate) inside the caller's transaction,
so the job exists exactly when what it is about committed (a transactional outbox)."""

from __future__ import annotations

import json
from typing import Any

from servicedesk.db import UnitOfWork
from servicedesk.sql import DriverSQL

# procrastinate 3.10's `procrastinate_job_to_defer_v1` (sql/schema.sql): queue_name,
# task_name, priority, lock, queueing_lock, args, scheduled_at.
_DEFER = DriverSQL(
    """
    SELECT (procrastinate_defer_jobs_v1(ARRAY[ROW(
        CAST(:queue AS varchar), CAST(:task AS varchar), CAST(:priority AS integer),
        CAST(:lock AS text), CAST(NULL AS text), CAST(:args AS jsonb),
        CAST(NULL AS timestamptz)
    )::procrastinate_job_to_defer_v1]))[1] AS job_id
    """
)


async def defer(
    uow: UnitOfWork,
    *,
    queue: str,
    task: str,
    args: dict[str, Any],
    lock: str | None = None,
    priority: int = 0,
) -> int:
    """Write the job in this transaction; returns procrastinate's job id. Jobs with
    the same `lock` run one at a time, oldest first."""
    row = await uow.fetchrow(
        _DEFER,
        {
            "queue": queue,
            "task": task,
            "priority": priority,
            "lock": lock,
            "args": json.dumps(args),
        },
    )
    assert row is not None
    assert row["job_id"] is not None
    return int(row["job_id"])
