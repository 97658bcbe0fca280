"""A process of `bench.live` clients: COUNT python-socketio AsyncClients, one
websocket each, on the namespace `/live`, each authenticated with its own API token;
every `ticket.created` they receive is noted with the instant (unix time: one clock
for every process of the machine) by its `ticket_id`.

    python -m bench.live_clients URL TOKENS_FILE FIRST COUNT

Talks to the benchmark over stdin/stdout, one line each way:

    (start)          → READY <connected> <seconds>   or   FAILED <why>
    COUNT            → COUNT <receipts so far> <other events so far>
    DUMP <path>      → DUMPED: writes {"events": {ticket_id: [instants…]}, "other": {event: n},
                       "duplicates": n, "disconnected": n, "gc": {…}} and forgets them
    QUIT             → disconnects everyone and exits

`gc.freeze()` once everyone is connected, as the servers do after start-up."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

import socketio

from bench.live_probe import GcWatch, gc_settings

NAMESPACE = "/live"
EVENT = "ticket.created"
CONNECTING_AT_ONCE = 25


class Clients:
    def __init__(self, url: str, tokens: list[str]) -> None:
        self.url = url
        self.tokens = tokens
        self.clients: list[socketio.AsyncClient] = []
        self.received: dict[int, list[float]] = {}
        self.seen: list[set[int]] = []
        self.receipts = 0
        self.other: dict[str, int] = {}
        self.duplicates = 0
        self.disconnected = 0
        self.gc = GcWatch()

    def _client(self, n: int) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)
        seen: set[int] = set()
        self.seen.append(seen)

        async def on_ticket(data: dict[str, Any]) -> None:
            at = time.time()
            ticket_id = int(data["ticket_id"])
            if ticket_id in seen:
                self.duplicates += 1
                return
            seen.add(ticket_id)
            self.received.setdefault(ticket_id, []).append(at)
            self.receipts += 1

        async def on_other(event: str, *args: Any) -> None:
            self.other[event] = self.other.get(event, 0) + 1

        async def on_disconnect(reason: Any = None) -> None:
            self.disconnected += 1

        client.on(EVENT, on_ticket, namespace=NAMESPACE)
        client.on("*", on_other, namespace=NAMESPACE)
        client.on("disconnect", on_disconnect, namespace=NAMESPACE)
        return client

    async def connect(self) -> None:
        gate = asyncio.Semaphore(CONNECTING_AT_ONCE)

        async def one(n: int, token: str) -> None:
            client = self._client(n)
            async with gate:
                await client.connect(
                    self.url,
                    namespaces=[NAMESPACE],
                    transports=["websocket"],
                    auth={"token": token},
                    wait_timeout=60,
                )
            self.clients.append(client)

        await asyncio.gather(*(one(n, t) for n, t in enumerate(self.tokens)))

    def dump(self, path: Path) -> None:
        data = {
            "events": self.received,
            "other": self.other,
            "duplicates": self.duplicates,
            "disconnected": self.disconnected,
            "gc": self.gc.read(),
        }
        path.write_text(json.dumps(data))
        self.received = {}
        self.receipts = self.duplicates = 0
        self.other = {}
        for seen in self.seen:
            seen.clear()

    async def close(self) -> None:
        async def one(client: socketio.AsyncClient) -> None:
            with contextlib.suppress(Exception):
                await client.disconnect()

        await asyncio.gather(*(one(c) for c in self.clients))


async def _lines() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(url: str, tokens_file: Path, first: int, count: int) -> int:
    gc_settings()
    tokens = json.loads(tokens_file.read_text())[first : first + count]
    clients = Clients(url, tokens)
    started = time.perf_counter()
    try:
        await clients.connect()
    except Exception as exc:
        _say(f"FAILED {type(exc).__name__}: {exc}")
        await clients.close()
        return 1
    gc.collect()
    gc.freeze()
    _say(f"READY {len(clients.clients)} {time.perf_counter() - started:.1f}")
    reader = await _lines()
    try:
        while line := (await reader.readline()).decode().strip():
            command, _, argument = line.partition(" ")
            if command == "COUNT":
                _say(f"COUNT {clients.receipts} {sum(clients.other.values())}")
            elif command == "DUMP":
                clients.dump(Path(argument))
                _say("DUMPED")
            elif command == "QUIT":
                break
    finally:
        await clients.close()
    return 0


if __name__ == "__main__":
    import uvloop  # as the servers run (uvicorn --loop uvloop)

    url, tokens_path, first_arg, count_arg = sys.argv[1:5]
    sys.exit(uvloop.run(main(url, Path(tokens_path), int(first_arg), int(count_arg))))
