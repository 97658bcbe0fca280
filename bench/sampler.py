"""A CPU-time sampling profiler for one asyncio process, for `bench.profile`.

SIGPROF fires after every INTERVAL of CPU time the process uses (ITIMER_PROF counts
user + system time), so samples are proportional to CPU spent, not to wall time: a
request waiting on PostgreSQL, or a process preempted on a busy 2-core machine, costs
nothing here. The handler records the main thread's Python stack; time in C code
(asyncpg's and uvloop's Cython, json, pydantic-core) lands on the Python frame that
called it, or for event-loop internals on the next Python frame to run.

    python -m bench.sampler OUT.collapsed -- uvicorn-args…

runs uvicorn in this process; SIGUSR1 starts sampling, SIGUSR2 stops it and writes
OUT.collapsed (one "frame;frame;… microseconds" line per stack: flamegraph.pl and
speedscope read it).
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType

import greenlet

INTERVAL = 0.002  # seconds of CPU between samples
ROOT = str(Path(__file__).resolve().parent.parent) + "/"
_PREFIXES = re.compile(r"^.*/(?:site-packages|lib/python3\.\d+)/")


async def written(path: Path, *, within: float = 5.0) -> None:
    """Wait (polling, at most `within` seconds) until the sampler, told SIGUSR2, has
    written `path`: a file modified in the last 30 s."""
    deadline = time.monotonic() + within
    while not (path.exists() and path.stat().st_mtime > time.time() - 30):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the sampler did not write {path}")
        await asyncio.sleep(0.1)


def _where(filename: str) -> str:
    """Paths as packages see them: `sqlalchemy/orm/session.py`, `asyncio/tasks.py`."""
    stripped = _PREFIXES.sub("", filename)
    if stripped == filename and filename.startswith(ROOT):
        return filename[len(ROOT) :]
    return stripped


class Sampler:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.stacks: Counter[str] = Counter()
        self._names: dict[object, str] = {}
        self._last = 0

    def _name(self, frame: FrameType) -> str:
        code = frame.f_code
        name = self._names.get(code)
        if name is None:
            name = f"{code.co_qualname} ({_where(code.co_filename)}:{code.co_firstlineno})"
            self._names[code] = name
        return name

    def _sample(self, signum: int, frame: FrameType | None) -> None:
        now = time.process_time_ns()
        spent, self._last = (now - self._last) // 1000, now
        names: list[str] = []
        current = greenlet.getcurrent()
        while True:
            while frame is not None:
                names.append(self._name(frame))
                frame = frame.f_back
            parent = current.parent
            if parent is None:
                break
            frame, current = parent.gr_frame, parent
        self.stacks[";".join(reversed(names))] += spent

    def start(self, *_: object) -> None:
        self.stacks.clear()
        self._last = time.process_time_ns()
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)

    def stop(self, *_: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_IGN)
        lines = [f"{stack} {n}\n" for stack, n in self.stacks.most_common()]
        self.out.write_text("".join(lines), encoding="utf-8")


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    uvicorn_args = argv[argv.index("--") + 1 :] if "--" in argv else []
    sampler = Sampler(out)
    signal.signal(signal.SIGUSR1, sampler.start)
    signal.signal(signal.SIGUSR2, sampler.stop)
    from uvicorn.main import main as uvicorn_main

    uvicorn_main.main(args=uvicorn_args, prog_name="uvicorn", standalone_mode=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
