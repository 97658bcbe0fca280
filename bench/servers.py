"""Serve an ASGI app factory with uvicorn in a child process, on a free port, with
the settings every server in the benchmark shares; always stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class ServerSettings:
    workers: int
    loop: str = "uvloop"
    http: str = "httptools"

    def uvicorn_args(self) -> list[str]:
        return [
            "--workers",
            str(self.workers),
            "--loop",
            self.loop,
            "--http",
            self.http,
            "--no-access-log",
            "--log-level",
            "warning",
        ]


@dataclass(frozen=True)
class Server:
    name: str
    base_url: str
    pid: int
    log_path: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode} before it was ready:\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {START_TIMEOUT:.0f} s: {url}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (uvicorn and its workers), then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def serve(
    name: str,
    factory: str,
    settings: ServerSettings,
    env: dict[str, str],
    log_path: Path,
    *,
    health_path: str = "/healthz",
    launcher: list[str] | None = None,
) -> Iterator[Server]:
    """Run `uvicorn FACTORY --factory` until the block ends (even on error), its
    output going to `log_path`. `launcher` replaces `python -m uvicorn` with a command
    taking the same arguments (bench.sampler)."""
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("wb")
    command = [
        *(launcher or [sys.executable, "-m", "uvicorn"]),
        factory,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *settings.uvicorn_args(),
    ]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, base_url + health_path, log_path)
        yield Server(name=name, base_url=base_url, pid=proc.pid, log_path=log_path)
    finally:
        _stop(proc)
        log_file.close()
