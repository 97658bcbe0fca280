"""CPU time spent by groups of processes, read from /proc (Linux), so a run can say
how many milliseconds of CPU each request cost the server and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Stat:
    pid: int
    ppid: int
    pgrp: int
    cpu_s: float  # user + system
    children_cpu_s: float  # of exited children it reaped


def _stats() -> list[Stat]:
    out: list[Stat] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        # fields[0] is the state (field 3); utime, stime, cutime, cstime: fields 14-17.
        out.append(
            Stat(
                pid=int(entry.name),
                ppid=int(fields[1]),
                pgrp=int(fields[2]),
                cpu_s=(int(fields[11]) + int(fields[12])) / TICK,
                children_cpu_s=(int(fields[13]) + int(fields[14])) / TICK,
            )
        )
    return out


def cpu_seconds(root: int, select: Callable[[Stat], bool]) -> float:
    """CPU of the selected processes, plus what `root` has reaped of exited children,
    so a difference of two readings also counts children that came and went."""
    total = 0.0
    for s in _stats():
        if s.pid == root:
            total += s.cpu_s + s.children_cpu_s
        elif select(s):
            total += s.cpu_s
    return total


def server_cpu(pid: int) -> float:
    """A server started with start_new_session=True: uvicorn and its workers."""
    return cpu_seconds(pid, lambda s: s.pgrp == pid)


def postgres_cpu(postmaster: int) -> float:
    """The postmaster and its children (backends, autovacuum, WAL writer, checkpointer…)."""
    return cpu_seconds(postmaster, lambda s: s.ppid == postmaster)


def available() -> bool:
    return Path("/proc/self/stat").exists()
