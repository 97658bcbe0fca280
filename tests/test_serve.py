"""`servicedesk serve` end to end on the embedded PostgreSQL: it starts the server in
SERVICEDESK_HOME, serves, and stops the database when it is stopped itself."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import httpx
import psutil

from tests.live_server import free_port


def _wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120  # a guard against hanging, not a timing assertion
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve exited early"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not become healthy")


def _postgres_of(home) -> list[psutil.Process]:
    pgdata = str(home / "pgdata")
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and pgdata in " ".join(cmdline):
            found.append(proc)
    return found


def test_serve_on_the_embedded_database_stops_it_on_sigterm(tmp_path):
    exe = shutil.which("servicedesk", path=os.path.dirname(sys.executable))
    assert exe is not None
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SERVICEDESK_HOME"] = str(tmp_path)
    port = free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/readyz", proc)
        assert _postgres_of(tmp_path), "no embedded PostgreSQL running for this home"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
        assert not _postgres_of(tmp_path)
    finally:
        if proc.poll() is None:
            proc.kill()
        for leftover in _postgres_of(tmp_path):  # never leave a server behind a failed run
            leftover.terminate()
