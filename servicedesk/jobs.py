"""The durable job queue (procrastinate on our own PostgreSQL): the app, its tasks
and the worker, built by the composition root (app lifespan, `servicedesk worker`).

Jobs are deferred inside the transaction that makes them necessary (see
`channels/email/outbox.py`), so a job exists exactly when its data committed.
The worker polls procrastinate's tables through psycopg (its own small pool);
the tasks write through our `Database` like every other process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import procrastinate
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from psycopg import conninfo as pg_conninfo
from psycopg import pq
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import make_url

from servicedesk.channels.email.outbox import SEND_TASK
from servicedesk.channels.email.send import NAMESPACE, Relay, email_tasks
from servicedesk.channels.sms.outbox import SEND_TASK as SMS_SEND_TASK
from servicedesk.channels.sms.send import NAMESPACE as SMS_NAMESPACE
from servicedesk.channels.sms.send import sms_tasks
from servicedesk.channels.twilio_rest import rest_client
from servicedesk.db import Database
from servicedesk.settings import Settings
from servicedesk.sla_tracking.jobs import NAMESPACE as SLA_NAMESPACE
from servicedesk.sla_tracking.jobs import RECOMPUTE_TASK, sla_tasks

log = logging.getLogger(__name__)

# Waiting for running jobs when the process stops; what is cut off is retried.
SHUTDOWN_GRACE_SECONDS = 10.0
IN_PROCESS_CONCURRENCY = 4


@dataclass(frozen=True)
class Backoff(BaseRetryStrategy):
    """Exponential back-off: `attempts` runs in all, the n-th retry `first * factor**(n-1)`
    seconds after the previous failure. The default, 8 runs 1 min → 4 h apart, spans about
    7 hours: long enough to outlast a relay's maintenance window, short enough that an
    agent learns of a lost reply the same day."""

    attempts: int = 8
    first: float = 60.0
    factor: float = 2.5

    def delay(self, failed_runs: int) -> float:
        """Seconds before the next run, after `failed_runs` (≥ 1) runs failed."""
        return self.first * self.factor ** (failed_runs - 1)

    def is_last(self, previous_attempts: int) -> bool:
        """Whether a run preceded by `previous_attempts` runs is the last one allowed."""
        return previous_attempts + 1 >= self.attempts

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if self.is_last(job.attempts):
            return None
        wait = timedelta(seconds=self.delay(job.attempts + 1))
        return RetryDecision(retry_at=datetime.now(UTC) + wait)


DEFAULT_BACKOFF = Backoff()

_LIBPQ_KEYWORDS = frozenset(d.keyword.decode() for d in pq.Conninfo.get_defaults())
_SSL_FLAGS = {"true": "require", "1": "require", "false": "disable", "0": "disable"}


def libpq_conninfo(url: str, *, application_name: str = "servicedesk-worker") -> str:
    """Our SQLAlchemy URL (`postgresql+asyncpg://user:pw@host:port/db?host=/socket/dir`)
    as a libpq connection string for psycopg. asyncpg's `ssl=` becomes `sslmode=`;
    query parameters libpq does not know (asyncpg-only tuning) are left out."""
    parsed = make_url(url)
    params: dict[str, str] = {}
    if parsed.host:
        params["host"] = parsed.host
    if parsed.port:
        params["port"] = str(parsed.port)
    if parsed.username:
        params["user"] = parsed.username
    if parsed.password:
        params["password"] = str(parsed.password)
    if parsed.database:
        params["dbname"] = parsed.database
    for key, raw in parsed.query.items():
        value = raw if isinstance(raw, str) else ",".join(raw)  # several hosts: a list
        if key == "ssl":
            key, value = "sslmode", _SSL_FLAGS.get(value.lower(), value)
        if key in _LIBPQ_KEYWORDS:
            params[key] = value
        else:
            log.debug("database URL parameter %r means nothing to libpq; the worker skips it", key)
    params.setdefault("application_name", application_name)
    return pg_conninfo.make_conninfo(**params)


def create_job_app(
    settings: Settings, db: Database, *, retry: Backoff = DEFAULT_BACKOFF, pool_size: int = 3
) -> procrastinate.App:
    """The procrastinate app on `db`'s database with every task registered. Open it
    (`async with app.open_async()`, or `opened(app, db)` in long-running processes)
    before deferring or running a worker."""
    relay = Relay.from_settings(settings)  # a bad SMTP_RELAY_TLS fails here, at startup
    connector = procrastinate.PsycopgConnector(
        conninfo=_conninfo(db), min_size=1, max_size=pool_size
    )
    app = procrastinate.App(
        connector=connector,
        worker_defaults={
            "shutdown_graceful_timeout": SHUTDOWN_GRACE_SECONDS,
            # Finished jobs are only history; failures stay for inspection.
            "delete_jobs": "successful",
        },
    )
    app.add_tasks_from(email_tasks(db, settings, relay=relay, retry=retry), namespace=NAMESPACE)
    app.add_tasks_from(
        sms_tasks(db, settings, rest=rest_client(settings), retry=retry), namespace=SMS_NAMESPACE
    )
    app.add_tasks_from(sla_tasks(db, settings), namespace=SLA_NAMESPACE)
    for task in (SEND_TASK, SMS_SEND_TASK, RECOMPUTE_TASK):
        assert task in app.tasks, f"{task!r} is deferred by the desk but not registered"
    return app


def _conninfo(db: Database) -> str:
    return libpq_conninfo(db.engine.url.render_as_string(hide_password=False))


@contextlib.asynccontextmanager
async def opened(app: procrastinate.App, db: Database, pool_size: int = 3) -> AsyncIterator[None]:
    """The app open on a pool that connects in the background: a process starts while
    the database is still away (as the web app does), and the worker catches up."""
    pool = AsyncConnectionPool(
        _conninfo(db),
        min_size=1,
        max_size=pool_size,
        open=False,
        check=AsyncConnectionPool.check_connection,
        name="jobs",
    )
    await pool.open(wait=False)
    try:
        async with app.open_async(pool=pool):
            yield
    finally:
        await pool.close()


async def work_forever(
    app: procrastinate.App, *, name: str, concurrency: int, first_delay: float = 1.0
) -> None:
    """Run the worker until cancelled. procrastinate's worker stops for good when it
    cannot start or one of its side tasks fails (the database away for longer than a
    heartbeat); it is started again, waiting 1 s, 2 s … at most a minute between tries.
    Cancelling stops it gracefully: running jobs get `SHUTDOWN_GRACE_SECONDS`, then are
    aborted and retried by the next worker."""
    delay = first_delay
    while True:
        started = time.monotonic()
        try:
            await app.run_worker_async(
                name=name, concurrency=concurrency, install_signal_handlers=False
            )
            log.warning("the job worker stopped; starting it again")
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the job worker failed; starting it again in %.0f s", delay)
        if time.monotonic() - started > 60:
            delay = first_delay
        await asyncio.sleep(delay)
        delay = min(delay * 2, 60.0)


async def run_worker(settings: Settings, db: Database, *, concurrency: int = 1) -> None:
    """`servicedesk worker`: work until SIGINT/SIGTERM, then let running jobs finish."""
    app = create_job_app(settings, db)
    async with opened(app, db, pool_size=concurrency + 2):
        task = asyncio.create_task(work_forever(app, name="worker", concurrency=concurrency))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            log.info("job worker stopped")
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


@contextlib.asynccontextmanager
async def background_worker(settings: Settings, db: Database) -> AsyncIterator[None]:
    """A worker inside the web process while the block runs (`RUN_WORKER`); nothing
    when it is off. Stopped (gracefully) when the block ends."""
    if not settings.run_worker:
        yield
        return
    app = create_job_app(settings, db)
    async with opened(app, db, pool_size=IN_PROCESS_CONCURRENCY + 2):
        task = asyncio.create_task(
            work_forever(app, name="in-process", concurrency=IN_PROCESS_CONCURRENCY),
            name="job worker",
        )
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
