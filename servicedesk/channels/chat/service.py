"""The web chat channel: what the widget's requests do, each in its own units of work.

Starting: the first line goes through intake like every channel (recorded once by
its provider id, the customer found or created by e-mail address, threaded onto
their open ticket or a new one), then, in a second transaction, the chat is opened
on that ticket and routed: out of hours (by the ticket's SLA calendar) it goes on by
e-mail; else it waits (CHAT_WAIT_SECONDS) and its ticket is offered at once to the
longest-idle free agent (routing.py), whose accepting gives them the chat.
A start sent again (same client id, after a lost answer) finds the same chat.

Lines: each through intake, threaded to the chat's ticket by the chat's first line;
a resend is recognised by its provider id. Agents' replies reach the widget through
the live push (servicedesk/live/chat.py), which records them sent; the widget's
acknowledgement records them delivered."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from servicedesk.channels.chat import lifecycle, routing
from servicedesk.channels.chat.errors import ChatEnded, NoChat
from servicedesk.channels.chat.events import ChatChanged
from servicedesk.channels.chat.inbound import ChatLine, ChatStart, line_message, start_message
from servicedesk.channels.chat.models import Chat, ChatEnd, ChatState
from servicedesk.channels.chat.repository import (
    ChatView,
    Line,
    chat_view,
    lines_of,
    live_chat,
)
from servicedesk.channels.delivery import settle
from servicedesk.db import Actor, Database, UnitOfWork, utcnow
from servicedesk.enums import Channel, DeliveryState
from servicedesk.errors import InvalidInput
from servicedesk.intake.service import IntakeResult, ingest
from servicedesk.routing import queue
from servicedesk.routing.dispatch import capacity_of
from servicedesk.settings import Settings
from servicedesk.sla_tracking.history import load_records
from servicedesk.sla_tracking.hours import hours_for
from servicedesk.sla_tracking.service import PolicyRegistry
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Message, Ticket

log = logging.getLogger(__name__)

MAX_ACKS = 100  # message ids per delivery acknowledgement
_RETRIES = 3

_BY_FIRST_MESSAGE = DriverSQL("SELECT id FROM chat WHERE first_message_id = :message_id")
_QUEUE_BY_NAME = DriverSQL("SELECT id FROM team WHERE name = :name")
_STATE = DriverSQL("SELECT state FROM chat WHERE id = :id")
_TICKET_OF = DriverSQL("SELECT ticket_id FROM chat WHERE id = :id")
_OURS = DriverSQL(
    """
    SELECT m.id FROM message m JOIN chat c ON c.ticket_id = m.ticket_id
    WHERE c.id = :chat_id AND m.id = ANY(CAST(:ids AS integer[]))
      AND m.channel = 'chat' AND m.direction = 'out' AND m.created_at >= c.started_at
      AND m.delivery_state IN ('queued', 'sent')
    ORDER BY m.id
    """
)
_SEEN = sa.text(
    """
    UPDATE chat SET customer_seen_at = :now
    WHERE id = ANY(:ids) AND state <> 'ended'
    """
)


@dataclass(frozen=True)
class Opened:
    """A chat as the widget shows it on start or resume: its state and its lines."""

    chat: ChatView
    lines: list[Line]


async def start_chat(
    db: Database, settings: Settings, registry: PolicyRegistry, start: ChatStart
) -> Opened:
    """File the first line, open the chat on its ticket and route it. Raises
    TemporaryFailure (intake) when the database cannot take it now."""
    result = await ingest(db, start_message(start), settings)
    if result.ticket_id is None or result.message_id is None:
        # Intake files nothing from the desk's own addresses.
        raise InvalidInput("this address cannot chat with the desk", fields={"email": "invalid"})
    for attempt in range(_RETRIES):
        try:
            async with db.unit_of_work(Actor.system()) as uow:
                found = await uow.fetchrow(_BY_FIRST_MESSAGE, {"message_id": result.message_id})
                if found is not None:
                    chat_id = int(found["id"])
                else:
                    chat_id = await _open(uow, settings, registry, start, result)
                return await _opened(uow, chat_id)
        except IntegrityError:
            # The same start at the same moment, or another chat opening on the
            # ticket: the next attempt finds what the other committed.
            if attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _open(
    uow: UnitOfWork,
    settings: Settings,
    registry: PolicyRegistry,
    start: ChatStart,
    result: IntakeResult,
) -> int:
    assert result.ticket_id is not None
    assert result.message_id is not None
    now = utcnow()
    ticket = await uow.session.get(Ticket, result.ticket_id, with_for_update=True)
    first = await uow.session.get(Message, result.message_id)
    assert ticket is not None
    assert first is not None
    if result.outcome == "created" and start.queue:
        await _into_queue(uow, ticket, start.queue)
    earlier = await live_chat(uow, result.ticket_id)
    if earlier is not None:
        # The customer started again elsewhere (another device): one live chat a ticket.
        await lifecycle.end(uow, earlier, ChatEnd.superseded, now=now, time_zone=settings.time_zone)
    chat = Chat(
        ticket_id=result.ticket_id,
        first_message_id=result.message_id,
        name=start.name,
        email=start.email,
        language=start.language,
        state=ChatState.waiting,
        started_at=first.created_at,
        customer_seen_at=now,
    )
    uow.session.add(chat)
    await uow.session.flush()
    assert chat.id is not None
    if ticket.channel != Channel.chat:
        await tickets.change_channel(uow, ticket, Channel.chat)
        # Its waiting work is a chat now (routing follows a ticket's channel only here).
        queue.schedule_sync(uow, result.ticket_id)
    await _route(uow, settings, registry, chat, ticket, now)
    return chat.id


async def _into_queue(uow: UnitOfWork, ticket: Ticket, queue: str) -> None:
    """The queue the embedding page asked for, if there is one by that name."""
    row = await uow.fetchrow(_QUEUE_BY_NAME, {"name": queue})
    if row is None:
        log.warning("chat widget asked for queue %r, which does not exist", queue)
        return
    if int(row["id"]) != ticket.queue_id:
        await tickets.update_ticket(
            uow, ticket, tickets.TicketChanges(queue_id=int(row["id"]), set_queue=True)
        )


async def _route(
    uow: UnitOfWork,
    settings: Settings,
    registry: PolicyRegistry,
    chat: Chat,
    ticket: Ticket,
    now: datetime,
) -> None:
    assert ticket.id is not None
    assert chat.id is not None
    [record] = await load_records(uow, [ticket.id], settings.time_zone)
    hours = await hours_for(uow, registry, record.facts, now)
    if not hours.open:
        await lifecycle.end(
            uow,
            chat,
            ChatEnd.out_of_hours,
            now=now,
            time_zone=settings.time_zone,
            opens_at=hours.opens_at,
        )
        return
    # It waits (an offer out to an agent, or for one to be free) until then, or for
    # the offer's answer: the sweeper ends it when both are over.
    chat.wait_until = now + timedelta(seconds=max(0.0, settings.chat_wait_seconds))
    uow.session.add(chat)
    offered = await routing.offer(uow, chat, ticket, capacity=capacity_of(settings), now=now)
    if chat.state != ChatState.waiting:
        return  # with its ticket's own assignee
    if not offered and settings.chat_wait_seconds <= 0:
        await lifecycle.end(uow, chat, ChatEnd.no_agent, now=now, time_zone=settings.time_zone)
        return
    await uow.emit(ChatChanged(chat_id=chat.id, ticket_id=ticket.id, state=chat.state.value))


async def _opened(uow: UnitOfWork, chat_id: int) -> Opened:
    view = await chat_view(uow, chat_id)
    if view is None:
        raise NoChat("no such chat")
    return Opened(view, await lines_of(uow, view))


async def resume(db: Database, chat_id: int) -> Opened:
    """The chat a token names, with its lines; the customer is back."""
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.execute(_SEEN, {"ids": [chat_id], "now": utcnow()})
        return await _opened(uow, chat_id)


async def post_line(db: Database, settings: Settings, chat: ChatView, new: ChatLine) -> Line:
    """File one line of the customer's; a resend (same client id) files nothing new.

    `chat` is what the widget's connection knows of its chat (ticket, first line,
    name, address: none of it changes). Whether the chat is still going is checked in
    the line's own transaction; a line that crosses the chat's end on the way still
    lands on the ticket (and reopens it if solved), as any customer message would."""
    if chat.first_provider_id is None:
        raise ChatEnded("this chat has ended; start a new one")

    async def still_going(uow: UnitOfWork) -> None:
        row = await uow.fetchrow(_STATE, {"id": chat.id})
        if row is None:
            raise NoChat("no such chat")
        if row["state"] == ChatState.ended.value:
            raise ChatEnded("this chat has ended; start a new one")

    message = line_message(
        chat_id=chat.id,
        name=chat.name,
        email=chat.email,
        first_provider_id=chat.first_provider_id,
        line=new,
    )
    result = await ingest(db, message, settings, guard=still_going)
    assert result.message_id is not None
    if result.ticket_id != chat.ticket_id:
        log.warning("chat %s: a line went to ticket %s", chat.id, result.ticket_id)
    return Line(
        id=result.message_id,
        author="customer",
        name=None,
        text=new.text,
        at=utcnow(),  # as acknowledged; the stored time is within milliseconds of it
        delivery=None,
        client_id=new.client_id,
    )


async def mark_sent(db: Database, message_ids: Sequence[int]) -> None:
    """Agents' lines pushed to the widget: sent (only those still queued)."""
    if not message_ids:
        return
    async with db.unit_of_work(Actor.system()) as uow:
        for message_id in message_ids:
            await settle(uow, message_id, DeliveryState.sent, "")


async def reply_without_chat(db: Database, message_id: int, reason: str) -> None:
    """An agent's reply found no live chat to carry it (the chat ended while they
    wrote, or the ticket never had one): failed, with the reason, and the ticket goes
    on by e-mail, so the same reply sent again reaches the customer."""
    async with db.unit_of_work(Actor.system()) as uow:
        if not await settle(uow, message_id, DeliveryState.failed, reason):
            return  # settled meanwhile
        message = await uow.session.get(Message, message_id)
        assert message is not None
        ticket = await uow.session.get(Ticket, message.ticket_id, with_for_update=True)
        assert ticket is not None
        if ticket.channel == Channel.chat and await live_chat(uow, message.ticket_id) is None:
            await tickets.change_channel(uow, ticket, Channel.email)


async def mark_delivered(db: Database, chat_id: int, ids: object) -> list[int]:
    """The widget showed these agents' lines: delivered. Ids that are not this chat's
    agent lines are ignored; returns those that changed."""
    wanted = _ids(ids)
    if not wanted:
        return []
    changed = []
    async with db.unit_of_work(Actor.system()) as uow:
        for row in await uow.fetch(_OURS, {"chat_id": chat_id, "ids": wanted}):
            message_id = int(row["id"])
            if await settle(uow, message_id, DeliveryState.delivered, "", first_send=False):
                changed.append(message_id)
    return changed


async def end_by_customer(db: Database, settings: Settings, chat_id: int) -> ChatView:
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.fetchrow(_TICKET_OF, {"id": chat_id})
        if row is None:
            raise NoChat("no such chat")
        # The ticket before the chat, as every writer of both locks them; as an update
        # locks it, so that routing may still offer it meanwhile (its key is free).
        await uow.session.get(Ticket, int(row["ticket_id"]), with_for_update={"key_share": True})
        chat = await uow.session.get(Chat, chat_id, with_for_update=True)
        assert chat is not None
        await lifecycle.end(uow, chat, ChatEnd.customer, now=utcnow(), time_zone=settings.time_zone)
        view = await chat_view(uow, chat_id)
    assert view is not None
    return view


async def seen(db: Database, chat_ids: Sequence[int], now: datetime) -> None:
    """These chats' widgets are still open (the live process's heartbeat)."""
    if chat_ids:
        async with db.unit_of_work(Actor.system()) as uow:
            await uow.execute(_SEEN, {"ids": list(chat_ids), "now": now})


def _ids(value: object) -> list[int]:
    if not isinstance(value, list):
        raise InvalidInput("send a list of message ids", fields={"ids": "invalid"})
    if len(value) > MAX_ACKS:
        raise InvalidInput(f"at most {MAX_ACKS} ids at once", fields={"ids": "too_long"})
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in value):
        raise InvalidInput("message ids are positive integers", fields={"ids": "invalid"})
    return sorted(set(value))
