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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    """uvicorn serving `app` on a free port until the block ends; yields its base URL
    once the app's lifespan startup is done."""
    started = asyncio.Event()

    async def announcing(scope: Scope, receive: Receive, send: Send) -> None:
        """The app, telling us when its lifespan startup is done."""

        async def send_and_tell(message: Message) -> None:
            await send(message)
            if message["type"] == "lifespan.startup.complete":
                started.set()

        await app(scope, receive, send_and_tell if scope["type"] == "lifespan" else send)

    # Listening before uvicorn starts: early connections wait in the backlog.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(announcing, log_level="warning", ws="websockets-sansio", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    ready = asyncio.create_task(started.wait())
    async with asyncio.timeout(60):  # a guard against hanging, nothing is timed
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if not started.is_set():
        ready.cancel()
        raise AssertionError(f"the server stopped while starting: {task.exception()!r}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def run_live_server(url: str, settings: Settings) -> AsyncIterator[LiveServer]:
    engine = make_engine(url, pool_size=2)
    await migrate.upgrade(engine)
    await engine.dispose()
    app = create_app(replace(settings, database_url=url))
    async with serve(app) as base_url:
        yield LiveServer(base_url, app.starlette.state.db)
