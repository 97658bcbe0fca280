"""What a `bench.live` server records about itself, read over HTTP by the benchmark:
the instant each event left (a ticket's commit, the raw baseline's emit), by id, and
the garbage collector's pauses. Mounted in front of the server's ASGI app at
`/__bench/`, so neither the desk nor the baseline knows about it.

    GET /__bench/sent   {"sent": {id: unix time}, "gc": {...}} and forgets both
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
PREFIX = "/__bench/"


def gc_settings() -> tuple[int, int, int]:
    """BENCH_LIVE_GC_THRESHOLD="a,b,c" (for investigating): `gc.set_threshold(a, b, c)`
    in every process of the run; unset, Python's defaults. Returns what applies."""
    given = os.environ.get("BENCH_LIVE_GC_THRESHOLD", "").strip()
    if given:
        a, b, c = (int(v) for v in given.split(","))
        gc.set_threshold(a, b, c)
    a, b, c = gc.get_threshold()
    return a, b, c


class GcWatch:
    """Collections and their pauses, per generation, since the last read."""

    def __init__(self) -> None:
        self._started = 0.0
        self.reset()
        gc.callbacks.append(self._on_gc)

    def reset(self) -> None:
        self.count = [0, 0, 0]
        self.total_ms = [0.0, 0.0, 0.0]
        self.max_ms = [0.0, 0.0, 0.0]

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        generation = info["generation"]
        pause = (time.perf_counter() - self._started) * 1000
        self.count[generation] += 1
        self.total_ms[generation] += pause
        self.max_ms[generation] = max(self.max_ms[generation], pause)

    def read(self) -> dict[str, Any]:
        out = {
            "collections": list(self.count),
            "total_ms": [round(v, 2) for v in self.total_ms],
            "max_ms": [round(v, 2) for v in self.max_ms],
            "frozen": gc.get_freeze_count(),
            "threshold": list(gc.get_threshold()),
        }
        self.reset()
        return out


class Probe:
    def __init__(self) -> None:
        self.sent: dict[int, float] = {}
        self.gc = GcWatch()

    def record(self, event_id: int) -> None:
        self.sent[event_id] = time.time()

    def read(self) -> bytes:
        sent, self.sent = self.sent, {}
        return json.dumps({"sent": sent, "gc": self.gc.read()}).encode()

    def wrap(self, app: ASGIApp, routes: dict[str, Callable[[], Awaitable[bytes]]]) -> ASGIApp:
        """`app` with the bench's routes in front: `sent` and any given."""

        async def read() -> bytes:
            return self.read()

        handlers = {"sent": read, **routes}

        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            path = str(scope.get("path", ""))
            if scope["type"] != "http" or not path.startswith(PREFIX):
                await app(scope, receive, send)
                return
            handler = handlers.get(path.removeprefix(PREFIX))
            body = b'{"error": "not found"}' if handler is None else await handler()
            await send(
                {
                    "type": "http.response.start",
                    "status": 404 if handler is None else 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})

        return asgi
