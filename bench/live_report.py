"""`bench.live`'s figures: latency per (client, event) from what the server noted
(commit or emit instant) and what the clients noted (receipt instant), the checks,
and the table as text and Markdown."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from typing import Any

P99_AIM_MS = 100.0  # the issue: p99 under 100 ms for 1,000 clients …
RATIO_AIM = 1.5  # … and within 1.5× of the raw broadcast
LABELS = {
    "raw": "raw python-socketio broadcast (baseline)",
    "project": "ticket commit → /live `ticket.created` (project)",
}


@dataclass
class Phase:
    """One stretch of load on one server at one rate."""

    key: str
    rate: float  # events per second asked for
    seconds: float
    clients: int
    events: int = 0  # events the server sent (commits noted / broadcasts)
    failed: int = 0  # requests that did not create an event
    first_error: str = ""
    missed: int = 0  # (client, event) pairs never received
    duplicates: int = 0
    disconnected: int = 0
    # other /live events a client got per event, by name (the desk's other pushes)
    other_per_event: dict[str, float] = field(default_factory=dict)
    span_s: float = 0.0  # first to last event sent
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    first_quarter_ms: float = 0.0  # median latency of the first quarter of events
    last_quarter_ms: float = 0.0  # … and of the last quarter
    server_cpu_ms: float = 0.0  # per event
    pg_cpu_ms: float | None = None
    client_cpu_ms: float = 0.0
    server_gc: dict[str, Any] = field(default_factory=dict)
    client_gc: dict[str, Any] = field(default_factory=dict)

    @property
    def p50(self) -> float:
        return _pct(self.latencies_ms, 0.50)

    @property
    def p99(self) -> float:
        return _pct(self.latencies_ms, 0.99)

    @property
    def max(self) -> float:
        return max(self.latencies_ms, default=0.0)

    @property
    def achieved(self) -> float:
        return (self.events - 1) / self.span_s if self.span_s > 0 and self.events > 1 else 0.0

    @property
    def valid(self) -> bool:
        return not (self.failed or self.missed or self.duplicates or self.disconnected)

    def problems(self) -> list[str]:
        out = []
        if self.failed:
            out.append(f"{self.failed} requests failed; first: {self.first_error}")
        if self.missed:
            out.append(f"{self.missed:,} (client, event) pairs never received")
        if self.duplicates:
            out.append(f"{self.duplicates} events received twice")
        if self.disconnected:
            out.append(f"{self.disconnected} clients disconnected")
        return out

    @property
    def on_pace(self) -> bool:
        """The events went out at the rate asked: the last no later than 10 % (and
        half a second) after its time."""
        planned = (self.events - 1) / self.rate if self.rate else 0.0
        return self.events > 0 and self.span_s <= 1.1 * planned + 0.5

    @property
    def kept_up(self) -> bool:
        """Sustained: every client got every event, the events went out on pace, and
        no backlog grew (the last quarter's median latency within twice the first
        quarter's, plus 20 ms)."""
        return (
            self.valid and self.on_pace and self.last_quarter_ms <= 2 * self.first_quarter_ms + 20
        )


# Where a server's CPU went (bench/sampler.py stacks): each sample goes to the layer
# of the innermost frame that belongs to one.
STEPS = (
    # The collector runs in C; the first Python to run after it is our gc callback.
    ("garbage collection", ("GcWatch._on_gc",)),
    ("the emit: python-socketio, a task per recipient", ("socketio/async_manager.py",)),
    ("Engine.IO: each socket's queue and send loop", ("engineio/",)),
    ("websocket frames: uvicorn and websockets", ("websockets/", "protocols/websockets")),
    ("the ticket: API, services, SQLAlchemy, asyncpg", ("servicedesk/", "sqlalchemy/", "asyncpg")),
    ("HTTP: uvicorn, Starlette, httptools", ("protocols/http", "starlette/")),
)


def profile_summary(collapsed: str) -> list[tuple[str, float]]:
    """Share of the sampled CPU per step."""
    spent: dict[str, int] = {}
    for line in collapsed.splitlines():
        stack, _, micros = line.rpartition(" ")
        step = next(
            (
                name
                for frame in reversed(stack.split(";"))
                for name, marks in STEPS
                if any(m in frame for m in marks)
            ),
            "the rest: event loop, asyncio, other",
        )
        spent[step] = spent.get(step, 0) + int(micros)
    total = sum(spent.values()) or 1
    return sorted(((k, v / total) for k, v in spent.items()), key=lambda kv: -kv[1])


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def settle(
    phase: Phase, sent: dict[int, float], received: dict[int, list[float]], expected: set[int]
) -> None:
    """Latencies, losses and the backlog check, from the instants noted."""
    missing_ids = expected - sent.keys()
    phase.failed += len(missing_ids)
    if missing_ids and not phase.first_error:
        phase.first_error = f"no send instant noted for {sorted(missing_ids)[:5]}"
    phase.events = len(sent)
    order = sorted(sent, key=lambda i: sent[i])
    phase.span_s = sent[order[-1]] - sent[order[0]] if order else 0.0
    per_event: list[list[float]] = []
    for event_id in order:
        got = [(t - sent[event_id]) * 1000 for t in received.get(event_id, [])]
        phase.missed += phase.clients - len(got)
        per_event.append(got)
        phase.latencies_ms.extend(got)
    quarter = max(1, len(per_event) // 4)
    first = [v for got in per_event[:quarter] for v in got]
    last = [v for got in per_event[-quarter:] for v in got]
    phase.first_quarter_ms = statistics.median(first) if first else 0.0
    phase.last_quarter_ms = statistics.median(last) if last else 0.0


@dataclass
class Report:
    config: dict[str, Any]
    steady: dict[str, list[Phase]]  # per server, one phase per round
    ramp: dict[str, list[Phase]]  # per server, the rates tried in turn
    machine: str
    at: str
    busy: tuple[float, float]
    connect_s: dict[str, float]
    profiles: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def median(self, key: str) -> Phase | None:
        phases = self.steady.get(key) or []
        if not phases:
            return None
        return sorted(phases, key=lambda p: p.p99)[len(phases) // 2]

    def ratios(self) -> list[float]:
        pairs = zip(self.steady.get("raw", []), self.steady.get("project", []), strict=False)
        return [p.p99 / r.p99 for r, p in pairs if r.p99]

    def sustained(self, key: str) -> Phase | None:
        """The highest rate kept up, in the rounds or the ramp."""
        tried = self.steady.get(key, []) + self.ramp.get(key, [])
        kept = [p for p in tried if p.kept_up]
        return max(kept, key=lambda p: (p.rate, p.achieved)) if kept else None

    @property
    def problems(self) -> list[str]:
        out = []
        for key, phases in self.steady.items():
            for n, phase in enumerate(phases, 1):
                out += [f"{key}, round {n}: {p}" for p in phase.problems()]
        for key, phases in self.ramp.items():
            for phase in phases:
                out += [f"{key}, {phase.rate:g}/s: {p}" for p in phase.problems()]
        return out


HEADERS = [
    "what",
    "events",
    "p50 ms",
    "p99 ms",
    "max ms",
    "missed",
    "server CPU ms/event",
    "PG CPU ms/event",
    "clients CPU ms/event",
    "server GC ms/event",
    "longest server GC pause ms",
]


def gc_ms_per_event(p: Phase) -> float:
    return float(sum(p.server_gc.get("total_ms", [0.0]))) / max(1, p.events)


def _gc_line(p: Phase) -> str:
    def part(gc: dict[str, Any]) -> str:
        counts = "/".join(str(n) for n in gc.get("collections", []))
        longest = max(gc.get("max_ms", [0.0]))
        return f"gen0/1/2 collections {counts}, longest {longest:.0f} ms"

    return (
        f"server {part(p.server_gc)}, {sum(p.server_gc.get('total_ms', [0.0])):.0f} ms in all, "
        f"{p.server_gc.get('frozen', 0):,} objects frozen; clients {part(p.client_gc)}"
    )


def _row(label: str, p: Phase) -> list[str]:
    return [
        label,
        f"{p.events:,} × {p.clients:,}",
        f"{p.p50:.1f}",
        f"{p.p99:.1f}",
        f"{p.max:.1f}",
        f"{p.missed:,}",
        f"{p.server_cpu_ms:.1f}",
        f"{p.pg_cpu_ms:.1f}" if p.pg_cpu_ms is not None else "-",
        f"{p.client_cpu_ms:.1f}",
        f"{gc_ms_per_event(p):.1f}",
        f"{max(p.server_gc.get('max_ms', [0.0])):.0f}",
    ]


def _ramp_row(p: Phase) -> list[str]:
    return [
        LABELS[p.key].split(" (")[0],
        f"{p.rate:g}",
        f"{p.achieved:.1f}",
        f"{p.p50:.1f}",
        f"{p.p99:.1f}",
        f"{p.max:.1f}",
        f"{p.first_quarter_ms:.0f} → {p.last_quarter_ms:.0f}",
        f"{p.missed:,}",
        f"{p.server_cpu_ms:.1f}",
        f"{p.client_cpu_ms:.1f}",
        "yes" if p.kept_up else "no",
    ]


RAMP_HEADERS = [
    "server",
    "asked /s",
    "sent /s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "median ms, first → last quarter",
    "missed",
    "server CPU ms/event",
    "clients CPU ms/event",
    "kept up",
]


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|---|" + "---:|" * (len(headers) - 1)]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def markdown(report: Report) -> str:
    c = report.config
    lines = [
        f"### `python -m bench.live`, {report.at} UTC",
        "",
        f"{c['clients']:,} Socket.IO clients on `/live` (websocket) in {c['procs']} processes; "
        f"{c['rate']:g} events/s for {c['duration']} s per server and round, "
        f"{c['rounds']} rounds taking turns, median round (by p99) per row; latency per "
        "(client, event) from the commit (project) or the emit (raw) to the receipt.",
        "",
    ]
    rows = [_row(LABELS[k], p) for k in LABELS if (p := report.median(k)) is not None]
    lines += _md_table(HEADERS, rows)
    raw, project = report.median("raw"), report.median("project")
    lines.append("")
    if raw is not None and project is not None and raw.p99:
        ratio = project.p99 / raw.p99
        aims = (
            f"p99 < {P99_AIM_MS:.0f} ms: {'met' if project.p99 < P99_AIM_MS else 'NOT met'}; "
            f"p99 ≤ {RATIO_AIM}× raw: {'met' if ratio <= RATIO_AIM else 'NOT met'}"
        )
        lines.append(f"**p99 project/raw = {ratio:.2f}×** ({aims})")
        per_round = ", ".join(f"{r:.2f}×" for r in report.ratios())
        lines.append(f"- p99 project/raw per round: {per_round}")
        other = ", ".join(f"`{k}` {v:.2f}" for k, v in sorted(project.other_per_event.items()))
        lines.append(f"- other `/live` events a project client got per ticket: {other or 'none'}")
    for key, phases in report.steady.items():
        per = ", ".join(
            f"{p.p50:.1f}/{p.p99:.1f}/{p.max:.1f} (sent at {p.achieved:.1f}/s, "
            f"{'kept up' if p.kept_up else 'not kept up'})"
            for p in phases
        )
        lines.append(f"- {key}: p50/p99/max ms per round: {per}")
        for n, p in enumerate(phases, 1):
            lines.append(f"- {key} GC, round {n}: {_gc_line(p)}")
    if any(report.ramp.values()):
        lines += [
            "",
            f"Sustained rate: steps of {c['ramp_seconds']} s up from the rounds' rate while "
            "kept up (or down from it until one is): every client got every event, the "
            "events went out on pace (the last within 10 % + 0.5 s of its time), no growing "
            "backlog (last quarter's median latency ≤ 2× the first quarter's + 20 ms).",
            "",
        ]
        ramp_rows = [_ramp_row(p) for phases in report.ramp.values() for p in phases]
        lines += _md_table(RAMP_HEADERS, ramp_rows)
        lines.append("")
        for key in report.ramp:
            best = report.sustained(key)
            lines.append(
                f"- {key}: sustained {best.achieved:.0f} events/s "
                f"({best.achieved * best.clients:,.0f} deliveries/s)"
                if best is not None
                else f"- {key}: not even {c['rate']:g} events/s was kept up"
            )
    for key, shares in report.profiles.items():
        where = "; ".join(f"{name} {share:.0%}" for name, share in shares)
        lines.append(f"- {key} server CPU (sampled, round 1): {where}")
    lines += [f"- INVALID: {p}" for p in report.problems]
    threshold = next(
        (p.server_gc.get("threshold") for ps in report.steady.values() for p in ps), None
    )
    lines.append(f"- gc thresholds in every process: {threshold} (BENCH_LIVE_GC_THRESHOLD)")
    if os.environ.get("BENCH_LIVE_ONE_PUSH") == "1":
        lines.append(
            "- **BENCH_LIVE_ONE_PUSH=1: the desk's `ticket.updated` and `queue.changed` after "
            "a new ticket were dropped (an investigation, not the desk as it is)**"
        )
    connect = ", ".join(f"{k} {v:.0f} s" for k, v in report.connect_s.items())
    lines.append(f"- connecting {c['clients']:,} clients took: {connect}")
    lines.append(f"- machine: {report.machine}")
    lines.append(
        f"- load average (1 min) before/after: {report.busy[0]:.2f} / {report.busy[1]:.2f}"
    )
    return "\n".join(lines) + "\n"
