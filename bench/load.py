"""Drive a server with wrk (a separate process) and read what the Lua script reports."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "tickets.lua"
MARKER = "BENCH_RESULT "


@dataclass(frozen=True)
class Load:
    connections: int
    threads: int
    duration_s: int
    warmup_s: int


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    non2xx: int
    socket_errors: dict[str, int]
    latency_ms: dict[str, float]  # mean, p50, p90, p99, max
    first_error: str

    @property
    def ok(self) -> int:
        return self.requests - self.non2xx

    @property
    def rate(self) -> float:
        """Successful (2xx) requests per second."""
        return self.ok / self.duration_s

    @property
    def failures(self) -> int:
        return self.non2xx + sum(self.socket_errors.values())


class WrkError(RuntimeError):
    pass


def wrk_version() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkError("wrk is missing: run scripts/ensure-wrk.sh")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()


def run_wrk(
    url: str,
    *,
    connections: int,
    threads: int,
    duration_s: int,
    token: str | None,
    tag: str,
    run_no: int,
    customers_file: Path,
) -> WrkResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        url,
        "--",
        token or "-",
        tag,
        str(run_no % 10),
        str(customers_file),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise WrkError(
            f"wrk failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    data = json.loads(line[len(MARKER) :])
    return WrkResult(
        requests=data["requests"],
        duration_s=data["duration_us"] / 1e6,
        non2xx=data["non2xx"],
        socket_errors={
            k: data[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        },
        latency_ms={k: v / 1000 for k, v in data["latency_us"].items()},
        first_error=data["first_error"],
    )
