"""Routing decisions: which waiting ticket goes to which agent.

Pushed work (calls, chats, and e-mail of queues that push it) is *offered*: the
most urgent unoffered entry of a queue goes to the longest-idle eligible agent.
Eligible: a member of the queue, available, with a screen open, no other offer
out, every skill the ticket needs, room in their capacity for its work class,
and not one who let this ticket pass in the last `REOFFER_AFTER`. Pulled work
("next ticket") goes straight to the agent who asks.

The database arbitrates between routers of several processes: the entry and the
agent are both taken `FOR UPDATE SKIP LOCKED` (a router never waits for
another), and the partial unique indexes on pending offers (one per ticket, one
per agent) make a double offer impossible even if the locks were got wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from servicedesk.db import UnitOfWork
from servicedesk.events import OfferCreated, QueueChanged
from servicedesk.routing.models import WorkClass
from servicedesk.routing.presence import ALIVE
from servicedesk.settings import Settings
from servicedesk.sql import DriverSQL

REOFFER_AFTER = timedelta(minutes=5)  # an agent who let a ticket pass is not asked again soon
CANDIDATES = 20  # entries looked at per decision when skills rule out the first ones


@dataclass(frozen=True)
class Capacity:
    """Defaults where neither the agent nor the queue sets a capacity."""

    voice: int = 1
    chat: int = 3
    email: int = 8

    def slots(self, work_class: WorkClass) -> int:
        return int(getattr(self, work_class.value))


def capacity_of(settings: Settings) -> Capacity:
    """The desk's defaults: one call, CHAT_CAPACITY chats, EMAIL_CAPACITY written."""
    return Capacity(voice=1, chat=settings.chat_capacity, email=settings.email_capacity)


# What an agent holds now, per work class. Calls: none counted here, since an agent
# on a call is `on_call` and offered nothing; chats: their active chats; written
# work: their open tickets of the written channels.
_LOAD = {
    WorkClass.voice: "0",
    WorkClass.chat: (
        "(SELECT count(*) FROM chat ch WHERE ch.agent_user_id = p.user_id AND ch.state = 'active')"
    ),
    WorkClass.email: (
        "(SELECT count(*) FROM ticket t WHERE t.assignee_id = p.user_id"
        " AND t.status IN ('new', 'open') AND t.channel NOT IN ('voice', 'chat'))"
    ),
}


def _slots_sql() -> str:
    return """COALESCE(
        (SELECT k.slots FROM agent_capacity k
         WHERE k.user_id = p.user_id AND k.work_class = :work_class),
        (SELECT k.slots FROM agent_capacity k
         WHERE k.team_id = :queue_id AND k.work_class = :work_class),
        :default_slots)"""


def _agent_sql(work_class: WorkClass) -> DriverSQL:
    # Each exclusion is a set computed once per statement (ARRAY(...) is an InitPlan),
    # not a lookup per candidate: with 200 agents in a queue and hundreds of offers
    # out, per-candidate NOT EXISTS cost 13-23 ms, these sets ~3 ms (BENCHMARKS.md).
    return DriverSQL(
        f"""
        SELECT p.user_id
        FROM team_member m
        JOIN agent_presence p ON p.user_id = m.user_id
        WHERE m.team_id = :queue_id AND p.status = 'available'
          AND p.user_id = ANY(ARRAY(SELECT u.id FROM app_user u
                                    WHERE u.is_active AND u.role IN ('agent', 'supervisor')))
          AND p.user_id = ANY(ARRAY(SELECT c.user_id FROM agent_connection c
                                    WHERE c.seen_at > :alive_since))
          AND p.user_id <> ALL(ARRAY(SELECT o.user_id FROM routing_offer o
                                     WHERE o.state = 'pending'))
          AND p.user_id <> ALL(ARRAY(SELECT o.user_id FROM routing_offer o
                                     WHERE o.ticket_id = :ticket_id
                                       AND o.state IN ('declined', 'timeout')
                                       AND o.decided_at > :reoffer_since))
          AND (SELECT count(*) FROM user_skill us
               WHERE us.user_id = p.user_id AND us.level >= 1
                 AND us.skill_id = ANY(CAST(:skills AS integer[])))
              = cardinality(CAST(:skills AS integer[]))
          AND {_LOAD[work_class]} < {_slots_sql()}
        ORDER BY p.idle_since, p.user_id
        LIMIT 1
        FOR UPDATE OF p SKIP LOCKED
        """
    )


_AGENT = {work_class: _agent_sql(work_class) for work_class in WorkClass}
_ROOM = {
    work_class: DriverSQL(
        f"SELECT {_LOAD[work_class]} < {_slots_sql()} AS room"
        " FROM (SELECT CAST(:user_id AS integer) AS user_id) p"
    )
    for work_class in WorkClass
}

_ENTRIES = DriverSQL(
    """
    SELECT ticket_id, required_skills FROM routing_entry
    WHERE queue_id = :queue_id AND work_class = :work_class AND offer_id IS NULL
    ORDER BY boosted DESC, priority_rank DESC, due_at ASC NULLS LAST, waiting_since, ticket_id
    LIMIT :limit
    """
)
# The entry, and its ticket against change (the lock the offer's foreign key takes):
# a ticket someone holds FOR UPDATE is left to them, as the router never waits (they
# may be about to bring the entry in step, which waits for our lock on it).
_LOCK_ENTRY = DriverSQL(
    """
    SELECT e.ticket_id FROM routing_entry e JOIN ticket t ON t.id = e.ticket_id
    WHERE e.ticket_id = :ticket_id AND e.offer_id IS NULL
    FOR UPDATE OF e SKIP LOCKED
    FOR KEY SHARE OF t SKIP LOCKED
    """
)
_ANYONE_FREE = DriverSQL(
    """
    SELECT EXISTS (
        SELECT 1 FROM agent_presence p
        JOIN team_member m ON m.user_id = p.user_id AND m.team_id = :queue_id
        JOIN app_user u ON u.id = p.user_id AND u.role IN ('agent', 'supervisor')
        WHERE p.status = 'available'
          AND EXISTS (SELECT 1 FROM agent_connection c
                      WHERE c.user_id = p.user_id AND c.seen_at > :alive_since)
          AND NOT EXISTS (SELECT 1 FROM routing_offer o
                          WHERE o.user_id = p.user_id AND o.state = 'pending')
    ) AS free
    """
)
# The offer, unless the agent got another since the statement that chose them began:
# that one's snapshot could predate a concurrent offer to them committed before their
# row was free to lock; this statement's snapshot is newer than the lock.
_OFFER = DriverSQL(
    """
    WITH offer AS (
        INSERT INTO routing_offer (ticket_id, user_id, work_class, state, created_at, expires_at)
        SELECT CAST(:ticket_id AS integer), CAST(:user_id AS integer), CAST(:work_class AS text),
               'pending', CAST(:now AS timestamptz), CAST(:expires_at AS timestamptz)
        WHERE NOT EXISTS (SELECT 1 FROM routing_offer o
                          WHERE o.user_id = CAST(:user_id AS integer) AND o.state = 'pending')
        RETURNING id
    )
    UPDATE routing_entry e SET offer_id = offer.id
    FROM offer
    WHERE e.ticket_id = CAST(:ticket_id AS integer)
    RETURNING e.offer_id
    """
)
# One waiting ticket not on offer, with what offering it needs.
_ENTRY = DriverSQL(
    """
    SELECT e.queue_id, e.work_class, e.required_skills, q.offer_timeout_seconds, q.email_mode
    FROM routing_entry e JOIN team q ON q.id = e.queue_id
    WHERE e.ticket_id = :ticket_id AND e.offer_id IS NULL
    """
)
_QUEUE = DriverSQL("SELECT offer_timeout_seconds, email_mode FROM team WHERE id = :queue_id")


def push_classes(email_mode: str) -> tuple[WorkClass, ...]:
    """What a queue offers: calls and chats always, e-mail when it pushes it."""
    if email_mode == "push":
        return (WorkClass.voice, WorkClass.chat, WorkClass.email)
    return (WorkClass.voice, WorkClass.chat)


@dataclass(frozen=True)
class Offer:
    offer_id: int
    ticket_id: int
    user_id: int
    work_class: WorkClass
    expires_at: datetime


@dataclass(frozen=True)
class _Waiting:
    """A ticket to offer, with what offering it needs."""

    ticket_id: int
    queue_id: int
    work_class: WorkClass
    skills: list[int]
    timeout: int  # the queue's offer timeout, in seconds


async def anyone_free(uow: UnitOfWork, queue_id: int, now: datetime) -> bool:
    """Cheap first check: an available agent of the queue with no offer out."""
    row = await uow.fetchrow(_ANYONE_FREE, {"queue_id": queue_id, "alive_since": now - ALIVE})
    return bool(row and row["free"])


async def eligible_agent(
    uow: UnitOfWork,
    *,
    queue_id: int,
    ticket_id: int,
    work_class: WorkClass,
    skills: list[int],
    capacity: Capacity,
    now: datetime,
) -> int | None:
    """The longest-idle agent who may take this ticket now, locked; None if nobody."""
    row = await uow.fetchrow(
        _AGENT[work_class],
        {
            "queue_id": queue_id,
            "ticket_id": ticket_id,
            "work_class": work_class.value,
            "skills": skills,
            "default_slots": capacity.slots(work_class),
            "alive_since": now - ALIVE,
            "reoffer_since": now - REOFFER_AFTER,
        },
    )
    return None if row is None else int(row["user_id"])


async def has_room(
    uow: UnitOfWork, user_id: int, queue_id: int, work_class: WorkClass, capacity: Capacity
) -> bool:
    """Whether the agent can hold one more of this class of the queue's work."""
    row = await uow.fetchrow(
        _ROOM[work_class],
        {
            "user_id": user_id,
            "queue_id": queue_id,
            "work_class": work_class.value,
            "default_slots": capacity.slots(work_class),
        },
    )
    return bool(row and row["room"])


async def offer_next(
    uow: UnitOfWork, queue_id: int, work_class: WorkClass, capacity: Capacity, now: datetime
) -> Offer | None:
    """One decision: offer the queue's most urgent unoffered ticket of this class
    that some free agent may take to the longest-idle such agent."""
    settings = await uow.fetchrow(_QUEUE, {"queue_id": queue_id})
    if settings is None:
        return None
    entries = await uow.fetch(
        _ENTRIES, {"queue_id": queue_id, "work_class": work_class.value, "limit": CANDIDATES}
    )
    for entry in entries:
        offer = await _offer(
            uow,
            _Waiting(
                ticket_id=int(entry["ticket_id"]),
                queue_id=queue_id,
                work_class=work_class,
                skills=list(entry["required_skills"]),
                timeout=int(settings["offer_timeout_seconds"]),
            ),
            capacity,
            now,
        )
        if offer is not None:
            return offer
    return None


async def offer_ticket(
    uow: UnitOfWork, ticket_id: int, capacity: Capacity, now: datetime
) -> Offer | None:
    """Offer this one waiting ticket now to the longest-idle agent who may take it,
    as the router would (a chat as it starts, so its customer does not wait for the
    next pass). None when it is not waiting, is on offer already, is work its queue
    does not push, or nobody may take it now."""
    row = await uow.fetchrow(_ENTRY, {"ticket_id": ticket_id})
    if row is None:
        return None
    work_class = WorkClass(row["work_class"])
    if work_class not in push_classes(str(row["email_mode"])):
        return None
    waiting = _Waiting(
        ticket_id=ticket_id,
        queue_id=int(row["queue_id"]),
        work_class=work_class,
        skills=list(row["required_skills"]),
        timeout=int(row["offer_timeout_seconds"]),
    )
    return await _offer(uow, waiting, capacity, now)


async def _offer(
    uow: UnitOfWork, waiting: _Waiting, capacity: Capacity, now: datetime
) -> Offer | None:
    """Offer the ticket to the longest-idle eligible agent: the agent and then the
    entry locked (SKIP LOCKED: another router deciding either is left to it), the
    offer written and announced. None if nobody may take it or it was taken."""
    agent = await eligible_agent(
        uow,
        queue_id=waiting.queue_id,
        ticket_id=waiting.ticket_id,
        work_class=waiting.work_class,
        skills=waiting.skills,
        capacity=capacity,
        now=now,
    )
    if agent is None:
        return None
    if await uow.fetchrow(_LOCK_ENTRY, {"ticket_id": waiting.ticket_id}) is None:
        return None  # another router is deciding it, just offered it, or it is changing
    expires_at = now + timedelta(seconds=waiting.timeout)
    row = await uow.fetchrow(
        _OFFER,
        {
            "ticket_id": waiting.ticket_id,
            "user_id": agent,
            "work_class": waiting.work_class.value,
            "now": now,
            "expires_at": expires_at,
        },
    )
    if row is None:
        return None  # the agent was offered something else meanwhile
    offer = Offer(int(row["offer_id"]), waiting.ticket_id, agent, waiting.work_class, expires_at)
    await uow.emit(
        OfferCreated(
            offer_id=offer.offer_id,
            ticket_id=waiting.ticket_id,
            user_id=agent,
            channel=waiting.work_class.value,
            queue_id=waiting.queue_id,
            expires_at=expires_at,
            timeout_seconds=waiting.timeout,
        )
    )
    await uow.emit(QueueChanged(queue_id=waiting.queue_id))
    return offer


async def queue_settings(uow: UnitOfWork, queue_id: int) -> dict[str, Any] | None:
    row = await uow.fetchrow(_QUEUE, {"queue_id": queue_id})
    return None if row is None else dict(row)
