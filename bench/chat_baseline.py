"""The raw baseline for `bench.chat`: a bare python-socketio server, no desk.

`uvicorn bench.chat_baseline:create_app --factory` with BENCH_CHAT_DSN set. The
namespace `/chat` answers the same two requests the desk's widget makes, doing the
least that still keeps a chat's lines: `start` inserts a chat row and returns its
id; `message` inserts the line (a resend with the same client id is stored once,
as the desk does) and acknowledges it. One asyncpg pool, one statement a line."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DDL = """
CREATE TABLE IF NOT EXISTS bench_chat (
    id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS bench_chat_line (
    id bigserial PRIMARY KEY, chat_id bigint NOT NULL REFERENCES bench_chat (id),
    client_id uuid NOT NULL, body text NOT NULL, at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (chat_id, client_id)
)
"""
START = "INSERT INTO bench_chat (name, email) VALUES ($1, $2) RETURNING id"
LINE = """
WITH new AS (
    INSERT INTO bench_chat_line (chat_id, client_id, body) VALUES ($1, $2, $3)
    ON CONFLICT (chat_id, client_id) DO NOTHING RETURNING id, at
)
SELECT id, at FROM new
UNION ALL
SELECT id, at FROM bench_chat_line WHERE chat_id = $1 AND client_id = $2
LIMIT 1
"""


def create_app() -> Any:
    dsn = os.environ["BENCH_CHAT_DSN"]
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=[], logger=False)
    chats: dict[str, int] = {}
    state: dict[str, asyncpg.Pool] = {}

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        return True

    async def disconnect(sid: str, reason: str = "") -> None:
        chats.pop(sid, None)

    async def start(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        chat_id = await state["pool"].fetchval(START, data["name"], data["email"])
        chats[sid] = int(chat_id)
        return {"ok": True, "chat": {"id": chat_id}}

    async def message(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        chat_id = chats.get(sid)
        if chat_id is None:
            return {"ok": False, "error": {"code": "no_chat"}}
        row = await state["pool"].fetchrow(LINE, chat_id, data["id"], data["text"])
        return {"ok": True, "message": {"id": row["id"], "at": row["at"].isoformat()}}

    for event, handler in (
        ("connect", connect),
        ("disconnect", disconnect),
        ("start", start),
        ("message", message),
    ):
        sio.on(event, handler, namespace="/chat")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(dsn, min_size=10, max_size=20)
        assert pool is not None
        await pool.execute(DDL)
        state["pool"] = pool
        try:
            yield
        finally:
            await pool.close()

    web = Starlette(routes=[Route("/healthz", healthz)], lifespan=lifespan)
    return socketio.ASGIApp(sio, other_asgi_app=web, socketio_path="/socket.io")
