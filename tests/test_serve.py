"""`servicedesk serve` end to end on the embedded PostgreSQL: it starts the server in
SERVICEDESK_HOME, serves, and stops the database when it is stopped itself."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading

import httpx
import psutil

from tests.live_server import free_port


def _follow(proc: subprocess.Popen[str], started: threading.Event) -> None:
    """Read serve's log to the end (so its pipe never fills), flagging startup."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if "Application startup complete" in line:
            started.set()


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
    env["LOG_LEVEL"] = "INFO"  # the startup line below is logged at INFO
    port = free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = threading.Event()
    reader = threading.Thread(target=_follow, args=(proc, started), daemon=True)
    reader.start()
    try:
        assert started.wait(timeout=120), "serve did not start"  # a guard, nothing is timed
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
        assert _postgres_of(tmp_path), "no embedded PostgreSQL running for this home"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
        assert not _postgres_of(tmp_path)
    finally:
        if proc.poll() is None:
            proc.kill()
        for leftover in _postgres_of(tmp_path):  # never leave a server behind a failed run
            leftover.terminate()
        reader.join(timeout=30)
        assert proc.stderr is not None
        proc.stderr.close()
