"""A real uvicorn server on a free port, on a fresh database of its own.

Browsers and Socket.IO clients send concurrent requests that commit for real,
which the rolled-back per-test connection cannot serve."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

import uvicorn

from servicedesk import migrate
from servicedesk.app import create_app
from servicedesk.db import Database, make_engine
from servicedesk.settings import Settings


@dataclass
class LiveServer:
    base_url: str
    db: Database


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def run_live_server(url: str, settings: Settings) -> AsyncIterator[LiveServer]:
    engine = make_engine(url, pool_size=2)
    await migrate.upgrade(engine)
    await engine.dispose()
    app = create_app(replace(settings, database_url=url))
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server stopped while starting"
        await asyncio.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app.starlette.state.db)
    finally:
        server.should_exit = True
        await task
