"""Several web processes behind a load balancer: with REDIS_URL, an event caused on
one process reaches a screen connected to another. Two real `servicedesk serve`
processes on one database and one Redis (127.0.0.1:6379, started by `make test`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis
from starlette.datastructures import Secret

from servicedesk import migrate
from servicedesk.db import Database, make_engine
from servicedesk.enums import Role
from servicedesk.events import EventBus
from servicedesk.live.manager import channel_name
from servicedesk.settings import Settings
from tests import factories as f
from tests.live.support import WAIT, LiveClient
from tests.live_server import free_port

REDIS_URL = "redis://127.0.0.1:6379/7"
STARTUP = 120  # seconds: a guard against a process that never starts, nothing is timed


@contextlib.asynccontextmanager
async def serving(env: dict[str, str]) -> AsyncIterator[str]:
    """`servicedesk serve` in its own process until the block ends; its base URL once
    uvicorn says it listens (which it logs after the app's startup)."""
    exe = shutil.which("servicedesk", path=os.path.dirname(sys.executable))
    assert exe is not None
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        exe,
        "serve",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    log: list[str] = []
    try:
        async with asyncio.timeout(STARTUP):
            while b"Uvicorn running on" not in (line := await proc.stderr.readline()):
                log.append(line.decode(errors="replace"))
                assert line, "serve stopped while starting:\n" + "".join(log)
        # Read its log to the end, so its pipe never fills.
        drain = asyncio.create_task(proc.stderr.read())
        yield f"http://127.0.0.1:{port}"
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STARTUP):
            await proc.wait()
        await drain
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def subscribed(monitor: redis.client.Monitor, channel: str) -> None:
    """Until a process has subscribed to the desk's channel: Redis runs commands one at
    a time, so whatever is published after this reaches that subscriber."""
    async for command in monitor.listen():
        if command["command"] == f"SUBSCRIBE {channel}":
            return


@pytest.fixture
async def desk(databases) -> AsyncIterator[tuple[str, Database]]:
    url = await databases.create("sd_scale")
    db = Database(make_engine(url, pool_size=2), EventBus())
    await migrate.upgrade(db.engine)  # once, before two processes start on it
    yield url, db
    await db.dispose()


async def test_an_event_caused_on_one_process_reaches_a_screen_on_another(
    desk, settings: Settings, tmp_path: Path
):
    url, db = desk
    admin = await f.create_staff(db, Role.admin)
    secret = secrets.token_urlsafe(32)  # its own channel: other runs sharing Redis stay apart
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SERVICEDESK_HOME": str(tmp_path),
        "SECRET_KEY": secret,
        "REDIS_URL": REDIS_URL,
        "RUN_WORKER": "false",
        "LOG_LEVEL": "INFO",  # uvicorn's "running on" line is logged at INFO
    }
    channel = channel_name(replace(settings, secret_key=Secret(secret)))
    watcher = redis.Redis.from_url(REDIS_URL)
    screen = LiveClient()
    try:
        async with (
            serving(env) as process_a,
            serving(env) as process_b,
            watcher.monitor() as monitor,
        ):
            # python-socketio subscribes when a process gets its first connection.
            await screen.connect(process_b, token=admin.token)
            async with asyncio.timeout(WAIT):
                await subscribed(monitor, channel)

            async with httpx.AsyncClient(base_url=process_a) as http:
                made = await http.post(
                    "/api/v1/tickets",
                    headers=admin.headers,
                    json={
                        "subject": "Oven door will not close",
                        "body": "The hinge broke this morning.",
                        "customer_email": "scale.out@mail.example",
                    },
                )
            assert made.status_code == 201, made.text
            ticket_id = made.json()["id"]

            pushed = await screen.wait("ticket.created", lambda p: p["ticket_id"] == ticket_id)
            assert pushed["version"] == 1
            await screen.close()  # before its process stops
    finally:
        await screen.close()
        await watcher.aclose()
