"""Whether the desk is open for a contact right now, by the SLA calendar that would
govern its ticket: voice and chat use it to choose between a live queue and a
voicemail or an e-mail ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from servicedesk.db import UnitOfWork
from servicedesk.sla_tracking.service import PolicyRegistry
from sla.policy import TicketFacts


@dataclass(frozen=True)
class Hours:
    open: bool
    opens_at: datetime | None = None  # the next opening, when closed (None: never again)
    calendar: str | None = None  # the calendar's name; None when no policy applies


async def hours_for(
    uow: UnitOfWork, registry: PolicyRegistry, facts: TicketFacts, now: datetime
) -> Hours:
    """Open or closed at `now` for a ticket with these facts. With no policy set, or
    none matching, there are no hours to keep: always open."""
    active = await registry.active(uow)
    if active is None:
        return Hours(open=True)
    policies = active[1]
    policy = policies.policy_for(facts)
    if policy is None:
        return Hours(open=True)
    calendar = policies.calendar_of(policy)
    if calendar.is_open(now):
        return Hours(open=True, calendar=policy.calendar)
    return Hours(open=False, opens_at=calendar.next_open(now), calendar=policy.calendar)
