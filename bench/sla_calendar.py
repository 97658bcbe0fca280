"""`python -m bench.sla_calendar` (also run by `make bench`): business-calendar
arithmetic, calls per second, beside a plain day-by-day baseline measured in the same run.

Targets are multi-day: 1–10 business days (to the second) from random instants of
2026, so most calls cross a weekend and some a public holiday. Two calendars:

  israel   Asia/Jerusalem, Sunday–Thursday 08:00–17:00, Israeli public holidays
  split    America/New_York, Monday–Friday 08:00–12:00 and 13:00–17:00, US holidays

  baseline  `DayByDay` below, the straightforward implementation: walk the local days
            from the start, build each day's periods with `datetime.combine(...)`
            converted to UTC, skip holidays (`holidays.country_holidays`, loaded for
            the years in play up front), subtract until the amount is used up
  project   `sla.BusinessCalendar.add` / `.elapsed` on one long-lived calendar
            (its open time is built lazily on the first calls; the warm-up does that)

Every call's result is compared with the baseline's; any difference voids the run
(exit 1). The targets take turns in slices of 500 calls (the project making each
slice ten times, so both spend about as long), round after round; rows are median
rounds, and each round's project/baseline ratio is printed too, because this shared
machine drifts. CPU µs per call (this process's CPU time) is steadier than calls/s.

Settings (environment):
  BENCH_ROUNDS     rounds (5)
  BENCH_SLA_CALLS  distinct calls per calendar (10,000); a round makes each once with
                   the baseline and ten times with the project, slice by slice
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from sla import BusinessCalendar

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
SEED = 2026
SLICE = 500  # calls per slice; the targets alternate slice by slice
PROJECT_REPEAT = 10  # the project runs each slice this often, to take as long as the baseline

CALENDARS: dict[str, dict[str, Any]] = {
    "israel": {
        "timezone": "Asia/Jerusalem",
        "hours": {d: [("08:00", "17:00")] for d in (6, 0, 1, 2, 3)},
        "country": "IL",
    },
    "split": {
        "timezone": "America/New_York",
        "hours": {d: [("08:00", "12:00"), ("13:00", "17:00")] for d in range(5)},
        "country": "US",
    },
}
BUSINESS_DAY = {"israel": timedelta(hours=9), "split": timedelta(hours=8)}
LABELS = {
    "israel": "Israeli week, Sun–Thu 08:00–17:00, IL holidays",
    "split": "split day, Mon–Fri 08–12 + 13–17, New York, US holidays",
}


class DayByDay:
    """The baseline: the obvious implementation, walking one local day at a time."""

    def __init__(
        self, timezone: str, hours: Mapping[int, Iterable[tuple[str, str]]], country: str
    ) -> None:
        self.zone = ZoneInfo(timezone)
        self.hours = {
            weekday: [(clock.fromisoformat(s), clock.fromisoformat(e)) for s, e in periods]
            for weekday, periods in hours.items()
        }
        self.closed = holidays.country_holidays(country, years=range(2025, 2029))

    def periods(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.closed:
            return []
        return [
            (
                datetime.combine(day, start, tzinfo=self.zone).astimezone(UTC),
                datetime.combine(day, end, tzinfo=self.zone).astimezone(UTC),
            )
            for start, end in self.hours.get(day.weekday(), ())
        ]

    def add(self, start: datetime, delta: timedelta) -> datetime:
        start = start.astimezone(UTC)
        remaining = delta
        day = start.astimezone(self.zone).date()
        while True:
            for period_start, period_end in self.periods(day):
                if period_end <= start:
                    continue
                period_start = max(period_start, start)
                if period_end - period_start >= remaining:
                    return (period_start + remaining).astimezone(self.zone)
                remaining -= period_end - period_start
            day += timedelta(days=1)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta(0)
        day, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        while day <= last:
            for period_start, period_end in self.periods(day):
                overlap = min(period_end, end) - max(period_start, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    operation: str
    project_rate: float  # calls/s, median round
    baseline_rate: float
    project_cpu_us: float  # CPU µs per call, median round
    baseline_cpu_us: float
    ratios: tuple[float, ...]  # project/baseline calls/s per round

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def workload(key: str, calls: int) -> list[tuple[datetime, timedelta]]:
    rng = random.Random(f"{SEED}-{key}")
    year = 365 * 86_400 * 10**6
    day = BUSINESS_DAY[key] // timedelta(seconds=1)
    return [
        (
            YEAR_START + timedelta(microseconds=rng.randrange(year)),
            timedelta(seconds=rng.randrange(day, 10 * day + 1)),
        )
        for _ in range(calls)
    ]


@dataclass
class Tally:
    calls: int = 0
    wall: float = 0.0  # seconds
    cpu: float = 0.0  # seconds of this process's CPU

    def run(self, call: Callable[[datetime, Any], object], work: list[Any], repeat: int) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            for first, second in work:
                call(first, second)
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.calls += len(work) * repeat

    @property
    def rate(self) -> float:
        return self.calls / self.wall

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.calls * 1e6


def one_round(
    project: Callable[[datetime, Any], object],
    baseline: Callable[[datetime, Any], object],
    work: list[Any],
) -> tuple[Tally, Tally]:
    """Slice by slice, the baseline once and the project PROJECT_REPEAT times, so both
    meet the same spells of this shared machine within milliseconds of each other."""
    ours, theirs = Tally(), Tally()
    for first in range(0, len(work), SLICE):
        piece = work[first : first + SLICE]
        theirs.run(baseline, piece, 1)
        ours.run(project, piece, PROJECT_REPEAT)
    return ours, theirs


def as_utc(results: Iterable[datetime]) -> list[datetime]:
    return [moment.astimezone(UTC) for moment in results]


def measure(key: str, rounds: int, calls: int) -> tuple[list[Row], float]:
    spec = CALENDARS[key]
    project = BusinessCalendar(**spec)
    began = time.perf_counter()
    BusinessCalendar(**spec).add(YEAR_START, BUSINESS_DAY[key])
    first_call_ms = (time.perf_counter() - began) * 1000
    baseline = DayByDay(**spec)
    adds = workload(key, calls)
    # Validity, and the warm-up: every answer must equal the baseline's.
    expected = as_utc(baseline.add(a, d) for a, d in adds)
    if as_utc(project.add(a, d) for a, d in adds) != expected:
        raise SystemExit(f"{key}: add differs from the baseline; the benchmark is void")
    spans = [(a, due) for (a, _), due in zip(adds, expected, strict=True)]
    if [project.elapsed(a, b) for a, b in spans] != [d for _, d in adds]:
        raise SystemExit(f"{key}: elapsed(start, add(start, d)) != d; the benchmark is void")
    if [baseline.elapsed(a, b) for a, b in spans] != [d for _, d in adds]:
        raise SystemExit(f"{key}: the baseline's elapsed disagrees; the benchmark is void")
    rows = []
    for operation, work, project_call, baseline_call in (
        ("add", adds, project.add, baseline.add),
        ("elapsed", spans, project.elapsed, baseline.elapsed),
    ):
        rounds_done = []
        for round_no in range(rounds):
            ours, theirs = one_round(project_call, baseline_call, work)
            rounds_done.append((ours, theirs))
            print(
                f"  {key} {operation} round {round_no + 1}: project {ours.rate:,.0f}/s "
                f"({ours.cpu_us:.2f} µs CPU), baseline {theirs.rate:,.0f}/s "
                f"({theirs.cpu_us:.1f} µs CPU), ratio {ours.rate / theirs.rate:.1f}×",
                flush=True,
            )
        rows.append(
            Row(
                key,
                LABELS[key],
                operation,
                statistics.median(ours.rate for ours, _ in rounds_done),
                statistics.median(theirs.rate for _, theirs in rounds_done),
                statistics.median(ours.cpu_us for ours, _ in rounds_done),
                statistics.median(theirs.cpu_us for _, theirs in rounds_done),
                tuple(ours.rate / theirs.rate for ours, theirs in rounds_done),
            )
        )
    return rows, first_call_ms


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "sla", "bench/sla_calendar.py")
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, holidays {version('holidays')}; "
        f"code {sha}{'+changes' if dirty else ''}"
    )


def markdown(rows: list[Row], first_calls: dict[str, float], rounds: int, calls: int) -> str:
    lines = [
        f"`python -m bench.sla_calendar`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{rounds} rounds, each {calls:,} baseline and {calls * PROJECT_REPEAT:,} project calls "
        f"(median round per row); {machine()}",
        "",
        "| calendar | call | project calls/s | day-by-day baseline calls/s | ratio "
        "| project CPU µs/call | baseline CPU µs/call |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.label} | `{row.operation}` | **{row.project_rate:,.0f}** | "
            f"{row.baseline_rate:,.0f} | **{row.ratio:.1f}×** | {row.project_cpu_us:.2f} | "
            f"{row.baseline_cpu_us:.1f} |"
        )
    lines.append("")
    for row in rows:
        per_round = ", ".join(f"{r:.1f}×" for r in row.ratios)
        lines.append(f"- {row.key} `{row.operation}` per round: {per_round}")
    for key, ms in first_calls.items():
        lines.append(f"- {key}: first call on a fresh calendar {ms:.1f} ms (builds its first year)")
    return "\n".join(lines) + "\n"


def main() -> int:
    rounds = max(1, int(os.environ.get("BENCH_ROUNDS", "") or 5))
    calls = max(1, int(os.environ.get("BENCH_SLA_CALLS", "") or 10_000))
    rows: list[Row] = []
    first_calls: dict[str, float] = {}
    busy = os.getloadavg()[0]
    for key in CALENDARS:
        print(f"… {LABELS[key]}", flush=True)
        measured, first_calls[key] = measure(key, rounds, calls)
        rows.extend(measured)
    text = markdown(rows, first_calls, rounds, calls)
    text += f"- load average before / after: {busy:.2f} / {os.getloadavg()[0]:.2f}\n"
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sla-calendar-latest.md").write_text(text, encoding="utf-8")
    data = {
        "rounds": rounds,
        "calls": calls,
        "machine": machine(),
        "first_call_ms": first_calls,
        "rows": [{**asdict(row), "ratio": row.ratio} for row in rows],
    }
    (RESULTS / "sla-calendar-latest.json").write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
