"""Batch loading for presenters and screens: related rows in one query per table,
never one per row; and the bounds of the integer columns those rows are keyed by."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

M = TypeVar("M", bound=SQLModel)

MAX_INT4 = 2**31 - 1  # every `id` column is a PostgreSQL integer
MAX_INT8 = 2**63 - 1  # ticket numbers are bigint


async def by_id(session: AsyncSession, model: type[M], ids: Iterable[int | None]) -> dict[int, M]:
    """Rows of `model` keyed by id (missing ids are simply absent)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    id_column: Any = model.id  # type: ignore[attr-defined]
    rows = await session.scalars(select(model).where(id_column.in_(wanted)))
    return {row.id: row for row in rows}  # type: ignore[attr-defined]


async def counts_by(session: AsyncSession, stmt: Select[Any, int]) -> dict[int, int]:
    """`SELECT key, count(*) … GROUP BY key` as a dict (rows with a NULL key dropped)."""
    return {key: count for key, count in (await session.execute(stmt)).all() if key is not None}
