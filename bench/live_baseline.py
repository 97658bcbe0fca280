"""The raw baseline for `bench.live`: a bare python-socketio ASGI server, no desk.

    uvicorn bench.live_baseline:create_app --factory

Clients connect to the namespace `/live` (the `auth` they send is not checked) and
are all in one room. `POST /__bench/broadcast` notes the instant, then emits
`ticket.created` with the desk's payload shape ({event, ticket_id, version,
queue_id, assignee_id}) to the room, exactly as the desk's push does after a commit;
the instants are read at `GET /__bench/sent`. `gc.freeze()` at the end of start-up,
as the desk does."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.live_probe import Probe, gc_settings

NAMESPACE = "/live"
ROOM = "tickets:all"


def create_app() -> Any:
    gc_settings()
    sio = socketio.AsyncServer(
        async_mode="asgi", cors_allowed_origins=[], logger=False, namespaces=[NAMESPACE]
    )
    probe = Probe()
    ids = itertools.count(1)

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        await sio.enter_room(sid, ROOM, namespace=NAMESPACE)
        return True

    sio.on("connect", connect, namespace=NAMESPACE)

    async def broadcast() -> bytes:
        event_id = next(ids)
        probe.record(event_id)
        payload = {"ticket_id": event_id, "version": 1, "queue_id": 1, "assignee_id": None}
        await sio.emit(
            "ticket.created", {"event": "ticket.created", **payload}, to=[ROOM], namespace=NAMESPACE
        )
        return json.dumps({"id": event_id}).encode()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gc.freeze()
        yield

    web = Starlette(routes=[Route("/healthz", healthz)], lifespan=lifespan)
    asgi = socketio.ASGIApp(sio, other_asgi_app=web, socketio_path="/socket.io")
    return probe.wrap(asgi, {"broadcast": broadcast})
