"""What a demo conversation is made of.

Texts are `str.format` templates. Placeholders: {model} {serial} {code}
{warranty} {order} {amount} {date}. The greeting and the agent's sign-off are
added around every reply, so templates hold only the substance.
"""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.enums import Priority


@dataclass(frozen=True)
class Script:
    """One scenario in one language."""

    subjects: tuple[str, ...]
    bodies: tuple[str, ...]
    ask: str  # the agent needs something from the customer (ticket goes pending)
    fix: str  # the resolution (ticket goes solved)
    note: str  # an internal note between agents


@dataclass(frozen=True)
class Scenario:
    key: str
    # Product categories the scenario is about; empty: not about one unit.
    categories: frozenset[str]
    priority: Priority
    he: Script
    en: Script
    codes: tuple[str, ...] = ("",)
    # A repair waits for a technician or the lab while on hold; otherwise for billing.
    repair: bool = True
    # Billing questions go to the billing queue whatever the product.
    billing: bool = False
    weight: int = 2

    def script(self, language: str) -> Script:
        return self.he if language == "he" else self.en


def cats(*names: str) -> frozenset[str]:
    return frozenset(names)
