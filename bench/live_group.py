"""The client processes of one `bench.live` server (bench/live_clients.py), driven
over their stdin/stdout: started, asked how many receipts they hold, emptied into one
merged record, stopped."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from bench import cpu

DRAIN_QUIET_S = 5.0  # receipts stop growing this long: the rest are lost
DRAIN_MAX_S = 60.0
SETTLED_S = 0.5


class ClientGroup:
    """The client processes of one server."""

    def __init__(self, key: str, clients: int, procs: int) -> None:
        self.key = key
        self.clients = clients
        self.procs = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
        self.running: list[asyncio.subprocess.Process] = []

    async def start(self, url: str, tokens: Path) -> float:
        started = time.perf_counter()
        first = 0
        for count in self.procs:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.live_clients",
                url,
                str(tokens),
                str(first),
                str(count),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
            self.running.append(proc)
            first += count
        for proc in self.running:
            answer = await asyncio.wait_for(self._read(proc), timeout=300)
            if not answer.startswith("READY"):
                raise RuntimeError(f"{self.key} clients: {answer}")
        return time.perf_counter() - started

    async def _read(self, proc: asyncio.subprocess.Process) -> str:
        assert proc.stdout is not None
        line = (await proc.stdout.readline()).decode().strip()
        if not line:
            raise RuntimeError(f"{self.key} client process exited ({await proc.wait()})")
        return line

    async def _ask(self, command: str) -> list[str]:
        for proc in self.running:
            assert proc.stdin is not None
            proc.stdin.write(command.encode() + b"\n")
            await proc.stdin.drain()
        return [await self._read(proc) for proc in self.running]

    async def count(self) -> tuple[int, int]:
        """Receipts of the event measured, and of any other events, so far."""
        answers = [answer.split() for answer in await self._ask("COUNT")]
        return sum(int(a[1]) for a in answers), sum(int(a[2]) for a in answers)

    async def collect(self, folder: Path) -> dict[str, Any]:
        """Everyone's receipts since the last collect, merged."""
        paths = [folder / f"{self.key}-{n}.json" for n in range(len(self.running))]
        for proc, path in zip(self.running, paths, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(f"DUMP {path}\n".encode())
            await proc.stdin.drain()
        for proc in self.running:
            await self._read(proc)
        merged: dict[str, Any] = {"events": {}, "other": {}, "duplicates": 0, "disconnected": 0}
        gcs = []
        for path in paths:
            part = json.loads(path.read_text())
            path.unlink()
            for event_id, instants in part["events"].items():
                merged["events"].setdefault(int(event_id), []).extend(instants)
            for event, n in part["other"].items():
                merged["other"][event] = merged["other"].get(event, 0) + n
            for k in ("duplicates", "disconnected"):
                merged[k] += part[k]
            gcs.append(part["gc"])
        merged["gc"] = {
            "collections": [sum(g["collections"][i] for g in gcs) for i in range(3)],
            "total_ms": [sum(g["total_ms"][i] for g in gcs) for i in range(3)],
            "max_ms": [max(g["max_ms"][i] for g in gcs) for i in range(3)],
        }
        return merged

    def cpu(self) -> float:
        return sum(cpu.server_cpu(p.pid) for p in self.running)

    async def stop(self) -> None:
        for proc in self.running:
            if proc.returncode is None and proc.stdin is not None:
                with contextlib.suppress(Exception):
                    proc.stdin.write(b"QUIT\n")
                    await proc.stdin.drain()
        for proc in self.running:
            try:
                await asyncio.wait_for(proc.wait(), timeout=20)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()


async def drain(group: ClientGroup, expected: int) -> None:
    """Until every receipt is in (or none came for DRAIN_QUIET_S: the rest are lost),
    then until the other events the desk pushes after each ticket have arrived too
    (none for SETTLED_S), so the next measurement starts on an idle server."""
    last, quiet_since, started = (-1, -1), time.monotonic(), time.monotonic()
    while time.monotonic() - started < DRAIN_MAX_S:
        got = await group.count()
        if got != last:
            last, quiet_since = got, time.monotonic()
        elif time.monotonic() - quiet_since > (SETTLED_S if got[0] >= expected else DRAIN_QUIET_S):
            return
        await asyncio.sleep(0.1)
