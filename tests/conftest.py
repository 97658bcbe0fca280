"""Test fixtures: one real PostgreSQL per run (embedded, or TEST_DATABASE_URL),
migrated once with the real migrations; each test inside a transaction that is
rolled back, so tests are isolated and fast."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from servicedesk import migrate
from servicedesk.app import create_app
from servicedesk.db import Database, make_engine
from servicedesk.embedded import normalise_url, start
from servicedesk.events import EventBus
from servicedesk.settings import Settings, load_settings
from tests.live_server import LiveServer, run_live_server


@pytest.fixture(scope="session")
def test_home() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="servicedesk-test-") as home:
        yield Path(home)


@pytest.fixture(scope="session")
def server_url(test_home: Path) -> str:
    """The PostgreSQL server the tests use: TEST_DATABASE_URL's, else an embedded one."""
    given = os.environ.get("TEST_DATABASE_URL")
    return normalise_url(given) if given else start(test_home, database="postgres")


class DatabaseFactory:
    """Makes fresh, empty databases on the test server and drops them afterwards."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    async def create(self, prefix: str = "sd_test") -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        async with self.admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        async with self.admin.connect() as conn:
            for name in self.created:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await self.admin.dispose()


@pytest.fixture(scope="session")
async def databases(server_url: str) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(server_url)
    yield factory
    await factory.drop_all()


@pytest.fixture(scope="session")
async def database_url(databases: DatabaseFactory) -> str:
    """The run's main database (migrated once by the `engine` fixture)."""
    return await databases.create()


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=5)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[Database]:
    async with engine.connect() as connection:
        outer = await connection.begin()
        yield Database(engine, EventBus(), bind=connection)
        await outer.rollback()


@pytest.fixture(scope="module")
async def committed_engine(databases: Any) -> AsyncIterator[AsyncEngine]:
    """A fresh, migrated database of its own, dropped with the session's databases."""
    engine = make_engine(await databases.create("sd_committed"), pool_size=5)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def committed_db(committed_engine: AsyncEngine) -> AsyncIterator[Database]:
    """Units of work really commit here; every table is emptied after the test."""
    yield Database(committed_engine, EventBus())
    async with committed_engine.begin() as conn:
        tables = await conn.scalars(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        )
        await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def cli_database(databases, monkeypatch, tmp_path):
    """A fresh database the `servicedesk` command finds through DATABASE_URL."""
    url = await databases.create("sd_cli")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SERVICEDESK_HOME", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield url
    # main() points logging at the captured stderr, which pytest closes after the test.
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


@pytest.fixture(scope="session")
def settings(test_home: Path) -> Settings:
    return load_settings(
        {
            "SERVICEDESK_HOME": str(test_home),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "DEFAULT_REGION": "IL",
            "LOGIN_ATTEMPTS": "5",
            # Apps in tests run no job worker; tests that want one start it themselves.
            "RUN_WORKER": "false",
        }
    )


@pytest.fixture
async def app(settings: Settings, db: Database) -> AsyncIterator[object]:
    application = create_app(settings, database=db)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="module")
async def live_server(databases: DatabaseFactory, settings: Settings) -> AsyncIterator[LiveServer]:
    """uvicorn serving the app on its own fresh database (see tests/live_server.py)."""
    async with run_live_server(await databases.create("sd_live"), settings) as server:
        yield server
