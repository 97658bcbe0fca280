"""How often the targets were met: counts of clock states per group and metric.

For reports and for `servicedesk sla simulate` (see `sla.simulate`). A clock is
decided once met or breached (a running clock past its target is breached
already); the share met is of the decided clocks only.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sla.policy import ClockState, Metric

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Compliance:
    met: int = 0
    breached: int = 0
    running: int = 0
    paused: int = 0

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def total(self) -> int:
        return self.decided + self.running + self.paused

    @property
    def share_met(self) -> float | None:
        """Met on time, out of the decided clocks (0.0 … 1.0); None when none is."""
        return self.met / self.decided if self.decided else None

    def __add__(self, other: Compliance) -> Compliance:
        return Compliance(
            self.met + other.met,
            self.breached + other.breached,
            self.running + other.running,
            self.paused + other.paused,
        )


_SLOT = {"met": 0, "breached": 1, "running": 2, "paused": 3}


def compliance(pairs: Iterable[tuple[K, ClockState]]) -> dict[tuple[K, Metric], Compliance]:
    """Counts per (group, metric), in the order the groups first appear. Every
    next_response cycle is a clock of its own."""
    counts: dict[tuple[K, Metric], list[int]] = {}
    for group, clock in pairs:
        key = (group, clock.metric)
        row = counts.get(key)
        if row is None:
            row = counts[key] = [0, 0, 0, 0]
        row[_SLOT[clock.state]] += 1
    return {key: Compliance(*row) for key, row in counts.items()}
