"""The run's figures as a terminal table and as a Markdown snippet."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.load import Load, WrkResult

TARGET_RATIO = 0.15


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    result: WrkResult
    verified: str = ""  # what was checked in the database afterwards
    problems: tuple[str, ...] = ()  # anything besides failed requests that voids the run
    server_cpu_ms: float | None = None  # CPU of the server's processes per 2xx answer
    db_cpu_ms: float | None = None  # CPU of PostgreSQL's processes per 2xx answer

    @property
    def valid(self) -> bool:
        return self.result.failures == 0 and not self.problems


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory_gib: float
    kernel: str
    python: str
    postgres: str
    database_server: str
    wrk: str
    code: str  # the git revision measured, "+changes" when the tree had uncommitted edits

    @classmethod
    def read(cls, postgres: str, database_server: str, wrk: str) -> Machine:
        cpu = "unknown CPU"
        cpuinfo = Path("/proc/cpuinfo")
        if cpuinfo.exists():
            for line in cpuinfo.read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        memory = 0.0
        meminfo = Path("/proc/meminfo")
        if meminfo.exists():
            for line in meminfo.read_text().splitlines():
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) / 1024 / 1024
        return cls(
            cpu=cpu,
            cores=os.cpu_count() or 0,
            memory_gib=memory,
            kernel=f"{platform.system()} {platform.release()}",
            python=platform.python_version(),
            postgres=postgres,
            database_server=database_server,
            wrk=wrk,
            code=_revision(),
        )

    def line(self) -> str:
        return (
            f"{self.cores} cores ({self.cpu}), {self.memory_gib:.0f} GiB, {self.kernel}; "
            f"Python {self.python}; PostgreSQL {self.postgres} ({self.database_server}); "
            f"{self.wrk}; wrk, servers and PostgreSQL share the machine; code {self.code}"
        )


def _revision() -> str:
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "servicedesk")
    return sha + ("+changes" if dirty else "")


@dataclass(frozen=True)
class Report:
    rows: list[Row]
    load: Load
    workers: int
    machine: Machine
    at: datetime
    busy: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    # project/baseline of each round; the rows above are each target's median round
    round_ratios: tuple[float, ...] = ()

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    @property
    def baseline(self) -> Row | None:
        return self.row("raw")

    def ratio(self, row: Row) -> float | None:
        base = self.baseline
        if base is None or base.result.rate == 0:
            return None
        return row.result.rate / base.result.rate

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.rows)

    def settings_line(self) -> str:
        return (
            f"{self.load.connections} connections, {self.load.threads} wrk threads, "
            f"{self.load.duration_s} s measured after {self.load.warmup_s} s warm-up; "
            f"uvicorn --workers {self.workers} --loop uvloop --http httptools --no-access-log"
        )

    def verdict(self) -> str:
        project = self.row("project")
        ratio = self.ratio(project) if project else None
        if ratio is None:
            return "no project figure"
        met = "met" if ratio >= TARGET_RATIO else "NOT met"
        return f"project/baseline = {ratio:.1%} (target ≥ {TARGET_RATIO:.0%}: {met})"


def _cells(report: Report, row: Row) -> list[str]:
    r = row.result
    ratio = report.ratio(row)
    return [
        row.label,
        f"{r.rate:,.0f}",
        f"{ratio:.1%}" if ratio is not None else "-",
        f"{r.latency_ms['p50']:.1f}",
        f"{r.latency_ms['p99']:.1f}",
        f"{row.server_cpu_ms:.2f}" if row.server_cpu_ms is not None else "-",
        f"{row.db_cpu_ms:.2f}" if row.db_cpu_ms is not None else "-",
        f"{r.ok:,}",
        str(r.failures),
    ]


HEADERS = [
    "",
    "req/s",
    "of baseline",
    "p50 ms",
    "p99 ms",
    "server CPU ms/req",
    "PG CPU ms/req",
    "2xx",
    "errors",
]


def table(report: Report) -> str:
    body = [_cells(report, row) for row in report.rows]
    widths = [max(len(c) for c in col) for col in zip(HEADERS, *body, strict=False)]

    def fmt(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    lines = [fmt(HEADERS), "  ".join("-" * w for w in widths)]
    lines += [fmt(cells) for cells in body]
    out = [report.settings_line(), "", *lines, "", report.verdict()]
    if report.round_ratios:
        out.append(rounds_line(report))
    for row in report.rows:
        if row.verified:
            out.append(f"{row.label}: {row.verified}")
        if row.result.failures:
            out.append(
                f"INVALID {row.label}: {row.result.non2xx} non-2xx, "
                f"socket errors {row.result.socket_errors}; first: {row.result.first_error}"
            )
        for problem in row.problems:
            out.append(f"INVALID {row.label}: {problem}")
    out.append(f"Machine: {report.machine.line()}")
    out.append(busy_line(report))
    return "\n".join(out)


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def busy_line(report: Report) -> str:
    before = report.busy[0]
    line = f"Load average (1 min) before the run: {before:.2f}"
    if before > report.machine.cores / 2:
        line += (
            " — the machine was busy before we started: other work competes with"
            " wrk, the servers and PostgreSQL, so req/s are low and noisy; the CPU ms/req"
            " columns move much less"
        )
    return line


def rounds_line(report: Report) -> str:
    ratios = ", ".join(f"{r:.1%}" for r in report.round_ratios)
    return (
        f"{len(report.round_ratios)} rounds, the targets taking turns; each row is that "
        f"target's median round; project/baseline per round: {ratios}"
    )


def markdown(report: Report) -> str:
    lines = [
        f"### `make bench`, {report.at:%Y-%m-%d %H:%M} UTC",
        "",
        f"Load: {report.settings_line()}.",
        "",
        "| what | " + " | ".join(HEADERS[1:]) + " |",
        "|" + "---|" + "---:|" * (len(HEADERS) - 1),
    ]
    for row in report.rows:
        lines.append("| " + " | ".join(_cells(report, row)) + " |")
    lines += ["", f"**{report.verdict()}**", ""]
    if report.round_ratios:
        lines.append(f"- {rounds_line(report)}")
    for row in report.rows:
        if row.verified:
            lines.append(f"- {row.label}: {row.verified}")
    for row in report.rows:
        if row.result.failures:
            lines.append(
                f"- **INVALID {row.label}: {row.result.failures} failed requests; first: "
                f"`{row.result.first_error[:200]}`**"
            )
        for problem in row.problems:
            lines.append(f"- **INVALID {row.label}: {problem}**")
    if not report.valid:
        lines.append("- **INVALID RUN: some requests failed; these figures do not count.**")
    lines += ["", f"Machine: {report.machine.line()}.", "", busy_line(report) + ".", ""]
    return "\n".join(lines)


def now() -> datetime:
    return datetime.now(UTC)
