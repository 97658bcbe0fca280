"""Phone calls in the database: who is calling, the row per CallSid, and the
conditional updates that let only one agent take a waiting call."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from servicedesk.channels.voice.models import CallState, PhoneCall
from servicedesk.db import UnitOfWork, utcnow
from servicedesk.errors import InvalidInput
from servicedesk.identities import normalise_phone
from servicedesk.intake.threading import by_conversation
from servicedesk.products.warranty import warranty_state
from servicedesk.sql import DriverSQL
from telephony.voice import Call

DEFAULT_HANDLE_SECONDS = 180  # until the queue has answered calls of its own to go by

_CALLER = DriverSQL(
    """
    SELECT c.id, c.name, c.preferred_language, c.tier
    FROM customer_identity i JOIN customer c ON c.id = i.customer_id
    WHERE i.kind = 'phone' AND i.value = :value
    """
)
_TICKET = DriverSQL("SELECT id, number, queue_id, status FROM ticket WHERE id = :id")
_TEAM_BY_NAME = DriverSQL("SELECT id, name FROM team WHERE name = :name")
_DEFAULT_TEAM = DriverSQL("SELECT id, name FROM team ORDER BY is_default DESC, id LIMIT 1")
_TEAM = DriverSQL("SELECT id, name FROM team WHERE id = :id")
_STAFFED = DriverSQL(
    """
    SELECT count(*) AS n FROM team_member m JOIN app_user u ON u.id = m.user_id
    WHERE m.team_id = :team_id AND u.is_active AND u.role IN ('agent', 'supervisor')
    """
)
_HANDLE = DriverSQL(
    """
    SELECT avg(extract(epoch FROM ended_at - answered_at)) AS seconds
    FROM phone_call
    WHERE queue_id = :queue_id AND answered_at IS NOT NULL AND ended_at > :since
    """
)
_ASSET_BY_DIGITS = DriverSQL(
    """
    SELECT a.id, p.category, p.name, a.warranty_ends_on, a.extended_until
    FROM asset a JOIN product p ON p.id = a.product_id
    WHERE a.customer_id = :customer_id
      AND regexp_replace(a.serial, '[^0-9]', '', 'g') = :digits
    ORDER BY a.purchased_on DESC
    LIMIT 1
    """
)
_WARRANTY = DriverSQL("SELECT warranty_ends_on, extended_until FROM asset WHERE id = :id")
_CLAIM = DriverSQL(
    """
    UPDATE phone_call SET state = 'connecting', agent_user_id = :agent_id
    WHERE id = (
        SELECT id FROM phone_call
        WHERE ticket_id = :ticket_id AND state = 'queued'
        ORDER BY enqueued_at
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id, call_sid, queue_id
    """
)
_MESSAGE_OF = DriverSQL("SELECT message_id FROM phone_call WHERE call_sid = :call_sid")
_RELEASE = DriverSQL(
    """
    UPDATE phone_call SET state = 'queued', agent_user_id = NULL
    WHERE id = :id AND state = 'connecting' AND agent_user_id = :agent_id
    RETURNING id
    """
)


@dataclass(frozen=True)
class Caller:
    customer_id: int | None
    name: str | None
    language: str | None
    tier: str
    open_ticket_id: int | None = None
    open_ticket_number: int | None = None


@dataclass(frozen=True)
class Queue:
    id: int
    name: str


@dataclass(frozen=True)
class FoundAsset:
    id: int
    category: str
    name: str


def caller_number(raw: str, region: str) -> str | None:
    """The caller's number in E.164, or None (withheld, "anonymous", a SIP address)."""
    try:
        return normalise_phone(raw, region)
    except InvalidInput:
        return None


async def identify(uow: UnitOfWork, number: str | None) -> Caller:
    """Who is calling, by their number, and the ticket they would continue."""
    if number is None:
        return Caller(None, None, None, "standard")
    row = await uow.fetchrow(_CALLER, {"value": number})
    if row is None:
        return Caller(None, None, None, "standard")
    ticket_id = await by_conversation(uow, int(row["id"]), utcnow())
    number_of = None
    if ticket_id is not None:
        ticket = await uow.fetchrow(_TICKET, {"id": ticket_id})
        number_of = int(ticket["number"]) if ticket is not None else None
    return Caller(
        int(row["id"]),
        row["name"] or None,
        row["preferred_language"],
        row["tier"],
        ticket_id,
        number_of,
    )


async def begin(uow: UnitOfWork, call: Call, caller: Caller, language: str) -> PhoneCall:
    """The call's row, made on its first webhook; a retry finds the same row."""
    await uow.execute(
        pg_insert(PhoneCall)
        .values(
            call_sid=call.call_sid,
            account_sid=call.account_sid,
            direction=call.direction,
            from_number=call.from_number,
            to_number=call.to_number,
            customer_id=caller.customer_id,
            language=language,
            state=CallState.menu.value,
            menu_errors=0,
            started_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["call_sid"])
    )
    found = await find(uow, call.call_sid)
    assert found is not None
    return found


async def find(uow: UnitOfWork, call_sid: str, *, lock: bool = True) -> PhoneCall | None:
    """The call, locked for this transaction (its webhooks can overlap)."""
    statement = select(PhoneCall).where(PhoneCall.call_sid == call_sid)  # type: ignore[arg-type]
    if lock:
        statement = statement.with_for_update()
    result = await uow.session.execute(statement.execution_options(populate_existing=True))
    return result.scalar_one_or_none()


async def queue_named(uow: UnitOfWork, name: str | None) -> Queue:
    """The queue of that name, else the default queue."""
    row = await uow.fetchrow(_TEAM_BY_NAME, {"name": name}) if name else None
    if row is None:
        row = await uow.fetchrow(_DEFAULT_TEAM, {})
    if row is None:
        raise LookupError("the desk has no queue at all")
    return Queue(int(row["id"]), row["name"])


async def queue_of_ticket(uow: UnitOfWork, ticket_id: int) -> Queue | None:
    ticket = await uow.fetchrow(_TICKET, {"id": ticket_id})
    if ticket is None or ticket["queue_id"] is None:
        return None
    row = await uow.fetchrow(_TEAM, {"id": ticket["queue_id"]})
    return Queue(int(row["id"]), row["name"]) if row is not None else None


async def staffed(uow: UnitOfWork, queue_id: int) -> int:
    row = await uow.fetchrow(_STAFFED, {"team_id": queue_id})
    return int(row["n"]) if row is not None else 0


async def expected_wait_seconds(
    uow: UnitOfWork, queue_id: int, position: int, now: datetime
) -> int:
    """Position times the queue's recent handle time, shared by the agents who work it."""
    row = await uow.fetchrow(_HANDLE, {"queue_id": queue_id, "since": now - timedelta(days=7)})
    handle = float(row["seconds"]) if row is not None and row["seconds"] is not None else None
    return expected_wait(position, handle or DEFAULT_HANDLE_SECONDS, await staffed(uow, queue_id))


def expected_wait(position: int, handle_seconds: float, agents: int) -> int:
    """Callers ahead (and this one) served `agents` at a time, each taking the
    average handle time."""
    return math.ceil(max(position, 1) * handle_seconds / max(agents, 1))


async def asset_by_digits(
    uow: UnitOfWork, customer_id: int | None, digits: str
) -> FoundAsset | None:
    """One of the caller's own units whose serial, letters and dashes ignored, is
    these digits. Someone else's unit is never attached to the caller's ticket."""
    if customer_id is None or not digits.isdigit():
        return None
    row = await uow.fetchrow(_ASSET_BY_DIGITS, {"customer_id": customer_id, "digits": digits})
    return FoundAsset(int(row["id"]), row["category"], row["name"]) if row is not None else None


async def warranty_of(uow: UnitOfWork, asset_id: int | None, today: date) -> str:
    """The unit's warranty state today, as SLA policies match it ("none" without one)."""
    row = await uow.fetchrow(_WARRANTY, {"id": asset_id}) if asset_id is not None else None
    if row is None:
        return "none"
    return warranty_state(row["warranty_ends_on"], row["extended_until"], today).value


async def claim(uow: UnitOfWork, ticket_id: int, agent_id: int) -> PhoneCall | None:
    """Take the longest-waiting caller on the ticket for this agent; None when there
    is none (or another agent took it first)."""
    row = await uow.fetchrow(_CLAIM, {"ticket_id": ticket_id, "agent_id": agent_id})
    if row is None:
        return None
    return await find(uow, row["call_sid"])


async def release(uow: UnitOfWork, call_id: int, agent_id: int) -> None:
    """Back to the queue: the agent's leg could not be started."""
    await uow.fetchrow(_RELEASE, {"id": call_id, "agent_id": agent_id})


async def message_of(uow: UnitOfWork, call_sid: str) -> int | None:
    row = await uow.fetchrow(_MESSAGE_OF, {"call_sid": call_sid})
    return int(row["message_id"]) if row is not None and row["message_id"] is not None else None
