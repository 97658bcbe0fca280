"""Apply and inspect Alembic migrations from code (CLI, app start, tests, /readyz)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

ROOT = Path(__file__).resolve().parent.parent


# Tables that belong to a library and come from its own SQL (the job queue).
FOREIGN_TABLE_PREFIXES = ("procrastinate_",)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Autogenerate hook: leave the job queue's tables to the job queue."""
    return not (type_ == "table" and name is not None and name.startswith(FOREIGN_TABLE_PREFIXES))


def alembic_config() -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["configure_logger"] = False
    return cfg


def _upgrade(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade(engine: AsyncEngine | AsyncConnection) -> None:
    """Bring the schema to the newest migration."""
    if isinstance(engine, AsyncConnection):
        await engine.run_sync(_upgrade)
        return
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def is_current(connection: AsyncConnection) -> bool:
    """True when the database is at the newest migration."""
    return await connection.run_sync(_current) == head_revisions()
