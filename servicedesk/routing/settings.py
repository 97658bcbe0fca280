"""Routing settings, the writes: how a queue routes its work (offer timeout, e-mail
pushed or pulled, the customer tiers it serves first, overflow, service-level
target) and how much of each work class its members, or one agent, hold at once
(`agent_capacity`; read by servicedesk/routing/dispatch.py).

Everything is audited. A change to the tiers a queue serves first re-orders its
waiting work in the same transaction (the entries carry `boosted`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select

from servicedesk.audit.service import record
from servicedesk.db import UnitOfWork
from servicedesk.enums import Tier
from servicedesk.errors import InvalidInput, NotFound
from servicedesk.events import QueueChanged
from servicedesk.routing.models import AgentCapacity, RoutingEntry, WorkClass
from servicedesk.routing.queue import schedule_sync
from servicedesk.staff.models import Team

# Bounds, shared with the forms that read these values.
OFFER_TIMEOUT_SECONDS = (5, 300)
OVERFLOW_AFTER_MINUTES = (1, 24 * 60)
SERVICE_LEVEL_PERCENT = (1, 100)
SERVICE_LEVEL_SECONDS = (1, 24 * 3600)
EMAIL_MODES = ("pull", "push")
# A call is one at a time (0: this agent or queue takes no calls); written work is
# counted in open tickets, so it may run higher than chats.
MAX_SLOTS = {WorkClass.voice: 1, WorkClass.chat: 20, WorkClass.email: 100}
CAPACITY_TABLE = AgentCapacity.__table__  # type: ignore[attr-defined]
TIERS = frozenset(t.value for t in Tier)


@dataclass(frozen=True)
class QueueRouting:
    """A queue's routing settings, as the supervisor sets them."""

    offer_timeout_seconds: int = 20
    email_mode: str = "pull"
    boost_tiers: tuple[Tier, ...] = (Tier.gold, Tier.platinum)
    overflow_team_id: int | None = None
    overflow_after: timedelta | None = None
    service_level_percent: int = 80
    service_level_seconds: int = 20

    @classmethod
    def of(cls, team: Team) -> QueueRouting:
        after = team.overflow_after_seconds
        return cls(
            offer_timeout_seconds=team.offer_timeout_seconds,
            email_mode=team.email_mode,
            boost_tiers=tuple(Tier(t) for t in team.boost_tiers if t in TIERS),
            overflow_team_id=team.overflow_team_id,
            overflow_after=None if after is None else timedelta(seconds=after),
            service_level_percent=team.service_level_percent,
            service_level_seconds=team.service_level_seconds,
        )

    def columns(self) -> dict[str, Any]:
        """The values as `team` stores them (tiers in their own order, seconds)."""
        chosen = set(self.boost_tiers)
        return {
            "offer_timeout_seconds": self.offer_timeout_seconds,
            "email_mode": self.email_mode,
            "boost_tiers": [t.value for t in Tier if t in chosen],
            "overflow_team_id": self.overflow_team_id,
            "overflow_after_seconds": (
                None if self.overflow_after is None else int(self.overflow_after.total_seconds())
            ),
            "service_level_percent": self.service_level_percent,
            "service_level_seconds": self.service_level_seconds,
        }


def _within(value: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= value <= bounds[1]


def queue_problems(routing: QueueRouting, team_id: int) -> dict[str, str]:
    """What is wrong with these settings for queue `team_id`, per field (keys are
    the `QueueRouting` field names, messages translation keys); empty when right.
    Whether the overflow queue exists is the caller's (a database) question."""
    errors: dict[str, str] = {}
    if not _within(routing.offer_timeout_seconds, OFFER_TIMEOUT_SECONDS):
        errors["offer_timeout_seconds"] = "out_of_range"
    if routing.email_mode not in EMAIL_MODES:
        errors["email_mode"] = "unknown_choice"
    if not _within(routing.service_level_percent, SERVICE_LEVEL_PERCENT):
        errors["service_level_percent"] = "out_of_range"
    if not _within(routing.service_level_seconds, SERVICE_LEVEL_SECONDS):
        errors["service_level_seconds"] = "out_of_range"
    if routing.overflow_team_id == team_id:
        errors["overflow_team_id"] = "routing_overflow_self"
    after = routing.overflow_after
    if routing.overflow_team_id is not None and after is None:
        errors["overflow_after"] = "routing_overflow_wait_required"
    elif routing.overflow_team_id is None and after is not None:
        errors["overflow_team_id"] = "routing_overflow_queue_required"
    elif after is not None and not (
        timedelta(minutes=OVERFLOW_AFTER_MINUTES[0])
        <= after
        <= timedelta(minutes=OVERFLOW_AFTER_MINUTES[1])
    ):
        errors["overflow_after"] = "out_of_range"
    return errors


async def set_queue_routing(uow: UnitOfWork, team_id: int, routing: QueueRouting) -> Team:
    """Store a queue's routing settings. A change to the tiers it serves first
    re-orders its waiting tickets before COMMIT; any change tells the queue's
    screens (and wakes the router: e-mail may now be pushed, offers last longer)."""
    team = await uow.session.get(Team, team_id, with_for_update=True)
    if team is None:
        raise NotFound("no such queue")
    errors = queue_problems(routing, team_id)
    if (
        routing.overflow_team_id is not None
        and "overflow_team_id" not in errors
        and await uow.session.get(Team, routing.overflow_team_id) is None
    ):
        errors["overflow_team_id"] = "unknown_choice"
    if errors:
        raise InvalidInput("check_fields", fields=errors)
    before = QueueRouting.of(team).columns()
    after = routing.columns()
    changed = sorted(name for name in after if after[name] != before[name])
    if not changed:
        return team
    for name in changed:
        setattr(team, name, after[name])
    uow.session.add(team)
    record(
        uow,
        "team.routing_changed",
        "team",
        team_id,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    if "boost_tiers" in changed:
        await resync_waiting(uow, queue_id=team_id)
    await uow.emit(QueueChanged(queue_id=team_id))
    return team


async def resync_waiting(uow: UnitOfWork, *, queue_id: int | None = None) -> int:
    """Bring the routing entries of every waiting ticket (of one queue, or all) in
    step with what they depend on — the tiers a queue serves first, the skills
    defined — before COMMIT. Returns how many were scheduled."""
    query = select(RoutingEntry.ticket_id)
    if queue_id is not None:
        query = query.where(RoutingEntry.queue_id == queue_id)
    ids = list(await uow.session.scalars(query))
    for ticket_id in ids:
        schedule_sync(uow, ticket_id)
    return len(ids)


# ---- capacity ---------------------------------------------------------------


def _owner(team_id: int | None, user_id: int | None) -> tuple[str, int, Any]:
    if (team_id is None) == (user_id is None):
        raise ValueError("capacity belongs to a team or to a user")
    if team_id is not None:
        return "team", team_id, col(AgentCapacity.team_id) == team_id
    assert user_id is not None
    return "user", user_id, col(AgentCapacity.user_id) == user_id


async def capacity_set(
    uow: UnitOfWork, *, team_id: int | None = None, user_id: int | None = None
) -> dict[WorkClass, int]:
    """The capacity a queue (for its members) or one agent sets, per work class;
    a class missing takes what is next in line (the queue's, then the desk's)."""
    _, _, owned = _owner(team_id, user_id)
    rows = await uow.session.execute(
        select(col(AgentCapacity.work_class), col(AgentCapacity.slots)).where(owned)
    )
    return {WorkClass(work_class): int(slots) for work_class, slots in rows.all()}


def capacity_problems(slots: Mapping[WorkClass, int | None]) -> dict[str, str]:
    """Per field `capacity_<work class>`: out of range."""
    return {
        f"capacity_{work_class.value}": "out_of_range"
        for work_class, value in slots.items()
        if value is not None and not 0 <= value <= MAX_SLOTS[work_class]
    }


async def set_capacity(
    uow: UnitOfWork,
    slots: Mapping[WorkClass, int | None],
    *,
    team_id: int | None = None,
    user_id: int | None = None,
) -> bool:
    """Set (a number) or clear (None) the capacity of a queue's members or of one
    agent for each work class given; returns whether anything changed.

    The router reads capacity on each decision and sweeps every
    ROUTING_SWEEP_SECONDS, so room made here is used without a wake-up."""
    kind, owner_id, owned = _owner(team_id, user_id)
    if errors := capacity_problems(slots):
        raise InvalidInput("check_fields", fields=errors)
    before = await capacity_set(uow, team_id=team_id, user_id=user_id)
    changed = [wc for wc, value in slots.items() if before.get(wc) != value]
    if not changed:
        return False
    owner_column = "team_id" if kind == "team" else "user_id"
    for work_class in changed:
        value = slots[work_class]
        if value is None:
            await uow.session.execute(
                delete(AgentCapacity).where(owned, col(AgentCapacity.work_class) == work_class)
            )
            continue
        # An upsert on the partial unique index, so two saves at once cannot collide.
        statement = insert(CAPACITY_TABLE).values(
            {owner_column: owner_id, "work_class": work_class.value, "slots": value}
        )
        await uow.session.execute(
            statement.on_conflict_do_update(
                index_elements=[owner_column, "work_class"],
                index_where=text(f"{owner_column} IS NOT NULL"),
                set_={"slots": statement.excluded.slots},
            )
        )
    record(
        uow,
        "capacity.changed",
        kind,
        owner_id,
        before={wc.value: before.get(wc) for wc in changed},
        after={wc.value: slots[wc] for wc in changed},
    )
    return True
