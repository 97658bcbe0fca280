"""`bench.sms_webhooks`' rows, their median round, and the report as a table,
Markdown (bench/results/sms-latest.md) and JSON (sms-latest.json)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.report import Machine

RESULTS = Path(__file__).resolve().parent / "results"
HEADERS = [
    "",
    "webhooks/s",
    "of baseline",
    "p50 ms",
    "p99 ms",
    "server CPU ms/req",
    "PG CPU ms/req",
    "wrk CPU ms/req",
    "2xx",
    "errors",
]


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    ok: int  # 2xx answers to webhooks in the measured seconds
    seconds: float
    failures: int  # non-2xx, socket errors, timeouts (warm-up included)
    p50_ms: float
    p99_ms: float
    server_cpu_ms: float | None
    pg_cpu_ms: float | None
    client_cpu_ms: float | None
    verified: str = ""
    problems: tuple[str, ...] = ()
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def valid(self) -> bool:
        return self.failures == 0 and not self.problems


def median(rows: list[Row]) -> Row:
    """The round with the median rate; a failure in any round voids the row."""
    middle = sorted(rows, key=lambda r: r.rate)[len(rows) // 2]
    problems = list(middle.problems)
    for other in rows:
        if other is middle:
            continue
        problems.extend(other.problems)
        if other.failures:
            problems.append(f"another round had {other.failures} failures: {other.first_error}")
    return replace(middle, problems=tuple(problems))


@dataclass(frozen=True)
class Report:
    rows: list[Row]
    settings: str
    config: dict[str, Any]
    corpus: str
    machine: Machine
    at: datetime
    busy: tuple[float, float]  # 1-minute load average before and after
    round_ratios: dict[str, list[float]]  # target → its rate / raw's, per round
    round_rates: dict[str, list[float]]  # target → webhooks/s, per round

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def ratio(self, row: Row) -> float | None:
        raw = self.row("raw")
        return row.rate / raw.rate if raw is not None and raw.rate else None

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.rows)


def _ms(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


def _cells(report: Report, row: Row) -> list[str]:
    ratio = report.ratio(row)
    return [
        row.label,
        f"{row.rate:,.0f}",
        f"{ratio:.1%}" if ratio is not None else "-",
        f"{row.p50_ms:.1f}",
        f"{row.p99_ms:.1f}",
        _ms(row.server_cpu_ms),
        _ms(row.pg_cpu_ms),
        _ms(row.client_cpu_ms),
        f"{row.ok:,}",
        str(row.failures),
    ]


def verdict(report: Report) -> str:
    project = report.row("project")
    ratio = report.ratio(project) if project is not None else None
    if project is None or ratio is None:
        return "no project/baseline figure (needs raw and project)"
    return (
        f"project: {project.rate:,.0f} signed inbound SMS webhooks/s filed on tickets, "
        f"{ratio:.1%} of the raw baseline's rate"
    )


def notes(report: Report) -> list[str]:
    out = [f"corpus: {report.corpus}"]
    for key, values in report.round_ratios.items():
        if values:
            out.append(f"{key}/raw per round: " + ", ".join(f"{v:.1%}" for v in values))
    for key, values in report.round_rates.items():
        out.append(f"{key} webhooks/s per round: " + ", ".join(f"{v:,.0f}" for v in values))
    raw = report.row("raw")
    if raw is not None and raw.server_cpu_ms is not None and raw.pg_cpu_ms is not None:
        base = raw.server_cpu_ms + raw.pg_cpu_ms
        costs = [
            f"{r.key} {cost:.2f} ms ({base / cost:.0%} of raw's rate if CPU-bound)"
            for r in report.rows
            if r is not raw and r.server_cpu_ms is not None and r.pg_cpu_ms is not None
            for cost in [r.server_cpu_ms + r.pg_cpu_ms]
        ]
        out.append(f"CPU per webhook, server + PostgreSQL: raw {base:.2f} ms; " + "; ".join(costs))
    for row in report.rows:
        out.append(f"{row.key}: {row.verified}")
        if row.failures:
            out.append(f"INVALID {row.label}: {row.failures} failed; first: {row.first_error}")
        out.extend(f"INVALID {row.label}: {p}" for p in row.problems)
    out.append(f"machine: {report.machine.line()}")
    out.append(f"load average (1 min) before/after: {report.busy[0]:.2f} / {report.busy[1]:.2f}")
    return out


def table(report: Report) -> str:
    body = [_cells(report, row) for row in report.rows]
    widths = [max(len(c) for c in col) for col in zip(HEADERS, *body, strict=True)]

    def fmt(cells: list[str]) -> str:
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([cells[0].ljust(widths[0]), *rest])

    lines = [report.settings, "", fmt(HEADERS), "  ".join("-" * w for w in widths)]
    lines += [fmt(cells) for cells in body]
    return "\n".join([*lines, "", verdict(report), *notes(report)])


def markdown(report: Report) -> str:
    lines = [
        f"### `python -m bench.sms_webhooks`, {report.at:%Y-%m-%d %H:%M} UTC",
        "",
        report.settings + ".",
        "",
        "| what | " + " | ".join(HEADERS[1:]) + " |",
        "|---|" + "---:|" * (len(HEADERS) - 1),
    ]
    for row in report.rows:
        lines.append("| " + " | ".join(_cells(report, row)) + " |")
    lines += ["", f"**{verdict(report)}**", ""]
    lines += [f"- {n}" for n in notes(report)]
    if not report.valid:
        lines.append("- **INVALID RUN: webhooks failed or went unfiled; these do not count.**")
    return "\n".join(lines) + "\n"


def save(report: Report) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "sms-latest.md"
    path.write_text(markdown(report), encoding="utf-8")
    data = {
        "at": report.at.isoformat(),
        "config": report.config,
        "corpus": report.corpus,
        "machine": asdict(report.machine),
        "valid": report.valid,
        "load_average_before_after": report.busy,
        "round_ratios": report.round_ratios,
        "round_rates": report.round_rates,
        "rows": [{**asdict(r), "rate": r.rate, "ratio": report.ratio(r)} for r in report.rows],
    }
    (RESULTS / "sms-latest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    return path
