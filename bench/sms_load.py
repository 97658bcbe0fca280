"""Replay a corpus of signed SMS webhooks with wrk (bench/sms_replay.lua), one
connection per thread, and read what the script reports, per stream."""

from __future__ import annotations

import json
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.load import WrkError

SCRIPT = Path(__file__).resolve().parent / "sms_replay.lua"
MARKER = "BENCH_RESULT "


@dataclass(frozen=True)
class Replay:
    """What one wrk run reported."""

    duration_s: float
    non2xx: int
    socket_errors: dict[str, int]
    latency_ms: dict[str, float]  # mean, p50, p90, p99, max
    first_error: str
    streams: tuple[tuple[int, int, int, int], ...]  # per stream: sent, answered, 2xx, exhausted
    client_cpu_s: float  # wrk's own CPU time

    @property
    def ok(self) -> int:
        return sum(s[2] for s in self.streams)

    @property
    def failures(self) -> int:
        return self.non2xx + sum(self.socket_errors.values())

    @property
    def exhausted(self) -> int:
        return sum(1 for s in self.streams if s[3])


def replay(url: str, folder: Path, connections: int, seconds: int) -> Replay:
    command = [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        url,
        "--",
        str(folder),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise WrkError(
            f"wrk failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    data = json.loads(line[len(MARKER) :])
    return Replay(
        duration_s=data["duration_us"] / 1e6,
        non2xx=data["non2xx"],
        socket_errors={
            k: data[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        },
        latency_ms={k: v / 1000 for k, v in data["latency_us"].items()},
        first_error=data["first_error"],
        streams=tuple(tuple(s) for s in data["streams"]),
        client_cpu_s=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )
