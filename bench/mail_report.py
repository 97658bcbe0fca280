"""`bench.mail`'s rows, their median round, and the report as a table and Markdown."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.report import Machine

RESULTS = Path(__file__).resolve().parent / "results"
AIM = 1 / 3  # the issue: the intake at least a third of the raw baseline
DJANGO_HELPDESK = 50.0  # msgs/s the issue reports for django-helpdesk on this machine
HEADERS = [
    "",
    "msgs/s",
    "of raw",
    "p50 ms",
    "p99 ms",
    "CPU ms/msg",
    "PG CPU ms/msg",
    "ok",
    "failed",
]


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    messages: int
    ok: int
    failed: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # CPU of the process doing the intake, per message
    pg_cpu_ms: float | None  # PostgreSQL's, per message (embedded server only)
    client_cpu_ms: float | None = None  # the SMTP client's (this process), per message
    verified: str = ""
    problems: tuple[str, ...] = ()
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def valid(self) -> bool:
        return self.failed == 0 and not self.problems


def median(rows: list[Row]) -> Row:
    """The round with the median rate; a failure in any round voids the row."""
    middle = sorted(rows, key=lambda r: r.rate)[len(rows) // 2]
    problems = list(middle.problems)
    for other in rows:
        if other is middle:
            continue
        problems.extend(other.problems)
        if other.failed:
            problems.append(f"another round had {other.failed} failures: {other.first_error}")
    return replace(middle, problems=tuple(problems))


@dataclass(frozen=True)
class Report:
    rows: list[Row]
    settings: str  # what was delivered, how: one line
    config: dict[str, Any]
    corpus: str
    machine: Machine
    at: datetime
    busy: tuple[float, float]  # 1-minute load average before and after
    round_ratios: dict[str, list[float]]  # target → its rate / raw's, per round

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def ratio(self, row: Row) -> float | None:
        raw = self.row("raw")
        return row.rate / raw.rate if raw is not None and raw.rate else None

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.rows)


def _cells(report: Report, row: Row) -> list[str]:
    ratio = report.ratio(row)
    return [
        row.label,
        f"{row.rate:,.0f}",
        f"{ratio:.1%}" if ratio is not None else "-",
        f"{row.p50_ms:.1f}",
        f"{row.p99_ms:.1f}",
        f"{row.cpu_ms:.2f}",
        f"{row.pg_cpu_ms:.2f}" if row.pg_cpu_ms is not None else "-",
        f"{row.ok:,}",
        str(row.failed),
    ]


def _reference_cells() -> list[str]:
    return ["django-helpdesk (from the issue; NOT measured here)", f"~{DJANGO_HELPDESK:.0f}"] + [
        "-"
    ] * (len(HEADERS) - 2)


def verdict(report: Report) -> str:
    project = report.row("project")
    ratio = report.ratio(project) if project is not None else None
    if project is None or ratio is None:
        return "no project/raw figure (needs raw and project)"
    met = "met" if ratio >= AIM else "NOT met"
    return (
        f"project/raw = {ratio:.1%} (aim ≥ {AIM:.0%}: {met}); receive_email files "
        f"{project.rate / DJANGO_HELPDESK:.1f}× django-helpdesk's ~{DJANGO_HELPDESK:.0f}/s"
    )


def notes(report: Report) -> list[str]:
    out = [f"corpus: {report.corpus}"]
    for key, values in report.round_ratios.items():
        if len(values) > 1:
            out.append(f"{key}/raw per round: " + ", ".join(f"{v:.1%}" for v in values))
    out.append(
        "CPU ms/msg: the process doing the intake (this one for raw and project, the "
        "server for smtp; the SMTP client's CPU is not in it)"
    )
    raw = report.row("raw")
    if raw is not None and raw.pg_cpu_ms is not None:
        # On a shared 2-core machine the CPU each message costs moves less than msgs/s.
        base = raw.cpu_ms + raw.pg_cpu_ms
        costs = [
            f"{r.key} {cost:.2f} ms ({base / cost:.0%} of raw's rate if CPU-bound)"
            for r in report.rows
            if r is not raw and r.pg_cpu_ms is not None
            for cost in [r.cpu_ms + r.pg_cpu_ms + (r.client_cpu_ms or 0.0)]
        ]
        out.append(
            f"CPU per message, intake + PostgreSQL (+ SMTP client): raw {base:.2f} ms; "
            + "; ".join(costs)
        )
    for row in report.rows:
        out.append(f"{row.key}: {row.verified}")
        if row.client_cpu_ms is not None:
            out.append(
                f"{row.key}: the SMTP client used {row.client_cpu_ms:.2f} ms CPU per message"
            )
        if row.failed:
            out.append(f"INVALID {row.label}: {row.failed} failed; first: {row.first_error}")
        out.extend(f"INVALID {row.label}: {p}" for p in row.problems)
    m = report.machine
    out.append(
        f"machine: {m.cores} cores ({m.cpu}), {m.memory_gib:.0f} GiB, {m.kernel}; Python "
        f"{m.python}; PostgreSQL {m.postgres} ({m.database_server}); {m.wrk}; client, "
        f"intake and PostgreSQL share the machine; code {m.code}"
    )
    out.append(f"load average (1 min) before/after: {report.busy[0]:.2f} / {report.busy[1]:.2f}")
    return out


def table(report: Report) -> str:
    body = [_cells(report, row) for row in report.rows] + [_reference_cells()]
    widths = [max(len(c) for c in col) for col in zip(HEADERS, *body, strict=True)]

    def fmt(cells: list[str]) -> str:
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([cells[0].ljust(widths[0]), *rest])

    lines = [report.settings, "", fmt(HEADERS), "  ".join("-" * w for w in widths)]
    lines += [fmt(cells) for cells in body]
    return "\n".join([*lines, "", verdict(report), *notes(report)])


def markdown(report: Report) -> str:
    lines = [
        f"### `python -m bench.mail`, {report.at:%Y-%m-%d %H:%M} UTC",
        "",
        report.settings + ".",
        "",
        "| what | " + " | ".join(HEADERS[1:]) + " |",
        "|---|" + "---:|" * (len(HEADERS) - 1),
    ]
    for cells in [_cells(report, row) for row in report.rows] + [_reference_cells()]:
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"**{verdict(report)}**", ""]
    lines += [f"- {n}" for n in notes(report)]
    if not report.valid:
        lines.append("- **INVALID RUN: some messages failed; these figures do not count.**")
    return "\n".join(lines) + "\n"


def save(report: Report) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "mail-latest.md"
    path.write_text(markdown(report), encoding="utf-8")
    data = {
        "at": report.at.isoformat(),
        "config": report.config,
        "corpus": report.corpus,
        "machine": asdict(report.machine),
        "valid": report.valid,
        "load_average_before_after": report.busy,
        "round_ratios": report.round_ratios,
        "rows": [{**asdict(r), "rate": r.rate, "ratio": report.ratio(r)} for r in report.rows],
    }
    (RESULTS / "mail-latest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    return path
