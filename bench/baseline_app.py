"""The references the ticket path is measured against, served like the project.

Two bare Starlette apps on one table (`bench_ticket`, made by the runner) in the
benchmark's database, each doing one INSERT … RETURNING per request:

- `create_raw_app`: a raw asyncpg pool, no ORM: the ceiling for this stack;
- `create_orm_app`: the same INSERT through SQLAlchemy ORM (AsyncSession add + commit).

Neither imports `servicedesk`. Both read the request's JSON body (the same bodies the
wrk script sends to the project) and answer 201 with the new row's id.
Run with `uvicorn bench.baseline_app:create_raw_app --factory` and BENCH_PG_DSN set.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import BigInteger, DateTime, String, Text, func
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TABLE = "bench_ticket"
# The project's engine: pool_size=DB_POOL_SIZE (10) plus as many overflow connections.
POOL_SIZE = 10
POOL_MAX = 20

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigserial PRIMARY KEY,
    subject varchar(300) NOT NULL,
    customer_email varchar(320),
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


def _dsn() -> str:
    """A libpq-style DSN (postgresql://…), as asyncpg takes it."""
    dsn = os.environ["BENCH_PG_DSN"]
    return dsn.replace("postgresql+asyncpg://", "postgresql://", 1)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _fields(raw: bytes) -> tuple[str, str | None, str]:
    data: dict[str, Any] = json.loads(raw)
    return data["subject"], data.get("customer_email"), data["body"]


def create_raw_app() -> Starlette:
    """One asyncpg INSERT per request: the raw baseline."""
    dsn = _dsn()
    sql = f"INSERT INTO {TABLE} (subject, customer_email, body) VALUES ($1, $2, $3) RETURNING id"
    state: dict[str, asyncpg.Pool] = {}

    async def create(request: Request) -> Response:
        subject, email, body = _fields(await request.body())
        new_id = await state["pool"].fetchval(sql, subject, email, body)
        return JSONResponse({"id": new_id}, status_code=201)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_MAX)
        state["pool"] = pool
        try:
            yield
        finally:
            await pool.close()

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/tickets", create, methods=["POST"])],
        lifespan=lifespan,
    )


class Base(DeclarativeBase):
    pass


class BenchTicket(Base):
    __tablename__ = TABLE

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    customer_email: Mapped[str | None] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def create_orm_app() -> Starlette:
    """The same INSERT through SQLAlchemy ORM: AsyncSession add + commit."""
    url = "postgresql+asyncpg://" + _dsn().removeprefix("postgresql://")
    state: dict[str, Any] = {}

    async def create(request: Request) -> Response:
        subject, email, body = _fields(await request.body())
        sessions: async_sessionmaker[Any] = state["sessions"]
        async with sessions() as session:
            row = BenchTicket(subject=subject, customer_email=email, body=body)
            session.add(row)
            await session.commit()
            new_id = row.id
        return JSONResponse({"id": new_id}, status_code=201)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine: AsyncEngine = create_async_engine(
            url, pool_size=POOL_SIZE, max_overflow=POOL_MAX - POOL_SIZE, pool_pre_ping=False
        )
        state["sessions"] = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        try:
            yield
        finally:
            await engine.dispose()

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/tickets", create, methods=["POST"])],
        lifespan=lifespan,
    )
