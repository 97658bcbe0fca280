"""Every schema change is a migration: the chain applies, reverts, and matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from servicedesk import migrate
from servicedesk.models import metadata


def _diff(connection):
    return compare_metadata(
        MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": migrate.include_object}
        ),
        metadata,
    )


async def test_migrations_match_the_models(engine):
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
        assert await migrate.is_current(conn)


async def test_migrations_downgrade_to_base_and_upgrade_again(databases):
    url = await databases.create("sd_migrate")
    eng = create_async_engine(url)
    try:
        await migrate.upgrade(eng)
        async with eng.begin() as conn:
            await conn.run_sync(lambda c: migrate.command.downgrade(_cfg(c), "base"))
        async with eng.connect() as conn:
            tables = await conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            )
            assert tables == 1  # only alembic_version is left (the job queue's too are gone)
            assert not await migrate.is_current(conn)
        await migrate.upgrade(eng)
        async with eng.connect() as conn:
            assert await migrate.is_current(conn)
    finally:
        await eng.dispose()


def _cfg(connection):
    cfg = migrate.alembic_config()
    cfg.attributes["connection"] = connection
    return cfg
