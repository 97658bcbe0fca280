"""The SLA's job: recompute every open ticket after a policy change, in the worker
(the admin page answers at once; a crash mid-way is retried, and recomputing
is safe to repeat)."""

from __future__ import annotations

import logging

from procrastinate import Blueprint

from servicedesk.db import Database, UnitOfWork
from servicedesk.deferral import defer
from servicedesk.settings import Settings
from servicedesk.sla_tracking.service import PolicyRegistry, recompute_open_tickets

log = logging.getLogger(__name__)

NAMESPACE = "sla"
QUEUE = "sla"
RECOMPUTE_TASK = "sla:recompute_open"
_LOCK = "sla:recompute"  # one recompute at a time, in the order the loads happened


async def defer_recompute(uow: UnitOfWork) -> int:
    return await defer(uow, queue=QUEUE, task=RECOMPUTE_TASK, args={}, lock=_LOCK)


def sla_tasks(db: Database, settings: Settings) -> Blueprint:
    tasks = Blueprint()

    @tasks.task(name="recompute_open", queue=QUEUE, retry=5)
    async def recompute_open() -> str:
        count = await recompute_open_tickets(db, PolicyRegistry(), settings.time_zone)
        log.info("recomputed the SLA clocks of %d open tickets", count)
        return f"{count} tickets"

    return tasks
