"""Demo conversations: what customers write about and how the desk answers."""

from __future__ import annotations

from servicedesk.demo.scenarios import electronics, general, household, kitchen
from servicedesk.demo.scenarios.base import Scenario, Script

ALL: tuple[Scenario, ...] = (
    kitchen.SCENARIOS + household.SCENARIOS + electronics.SCENARIOS + general.SCENARIOS
)
# Questions with no unit attached (billing, deliveries, returns).
UNLINKED: tuple[Scenario, ...] = tuple(s for s in ALL if not s.categories)


def for_category(category: str) -> tuple[Scenario, ...]:
    return tuple(s for s in ALL if category in s.categories)


__all__ = ["ALL", "UNLINKED", "Scenario", "Script", "for_category"]
