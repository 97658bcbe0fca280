"""A chat's states and its moves between them, each announced with ChatChanged:

    waiting ──an agent accepts its offer──▶ active ──unassigned──▶ waiting
       │                                       │
       └──no agent in time, closed─────────────┴──customer ends, ticket solved, idle──▶ ended

Ending (except when superseded by a newer chat on the same ticket) withdraws the
offer of its ticket still out to an agent, makes the ticket an e-mail ticket and
e-mails the customer the transcript through the outbound e-mail job, in the same
transaction. (Superseded, the offer stands: the newer chat waits on the same ticket.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from servicedesk.channels.chat.events import ChatChanged
from servicedesk.channels.chat.models import Chat, ChatEnd, ChatState
from servicedesk.channels.chat.repository import chat_view, lines_of
from servicedesk.channels.chat.transcript import transcript_text
from servicedesk.channels.delivery import settle
from servicedesk.db import UnitOfWork
from servicedesk.enums import Channel, DeliveryState, Direction
from servicedesk.routing import offers, queue
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket

TRANSCRIPT = "chat_transcript"  # `meta.auto` of the transcript e-mail
NOT_SEEN = "the chat ended before the customer saw this; it is in the transcript e-mailed to them"

_UNSEEN = DriverSQL(
    """
    SELECT id FROM message
    WHERE ticket_id = :ticket_id AND channel = 'chat' AND direction = 'out'
      AND delivery_state = 'queued' AND created_at >= :since
    ORDER BY id
    """
)


async def activate(uow: UnitOfWork, chat: Chat, agent_id: int, now: datetime) -> bool:
    """The chat is with `agent_id` now (they accepted its offer, or someone assigned the
    ticket)."""
    if chat.state == ChatState.ended:
        return False
    if chat.state == ChatState.active and chat.agent_user_id == agent_id:
        return False
    previous = chat.agent_user_id
    chat.state = ChatState.active
    chat.agent_user_id = agent_id
    chat.assigned_at = now
    chat.wait_until = None
    await _save(uow, chat, previous)
    return True


async def requeue(uow: UnitOfWork, chat: Chat, now: datetime, wait_seconds: float) -> bool:
    """Its agent let it go (the ticket was unassigned): waiting again, for as long as
    a new chat would."""
    if chat.state != ChatState.active:
        return False
    previous = chat.agent_user_id
    chat.state = ChatState.waiting
    chat.agent_user_id = None
    chat.wait_until = now + timedelta(seconds=max(0.0, wait_seconds))
    await _save(uow, chat, previous)
    return True


async def end(
    uow: UnitOfWork,
    chat: Chat,
    reason: ChatEnd,
    *,
    now: datetime,
    time_zone: str,
    opens_at: datetime | None = None,
) -> bool:
    """End the chat; unless a newer chat took over, the ticket goes on by e-mail with
    the transcript. Ending an ended chat does nothing."""
    if chat.state == ChatState.ended:
        return False
    assert chat.id is not None
    previous = chat.agent_user_id
    chat.state = ChatState.ended
    chat.end_reason = reason
    chat.ended_at = now
    chat.wait_until = None
    uow.session.add(chat)
    await uow.session.flush()
    if reason != ChatEnd.superseded:
        await offers.withdraw(uow, chat.ticket_id, now)
        await _by_email(uow, chat, reason, time_zone=time_zone, opens_at=opens_at)
    await _save(uow, chat, previous)
    return True


async def _by_email(
    uow: UnitOfWork, chat: Chat, reason: ChatEnd, *, time_zone: str, opens_at: datetime | None
) -> None:
    assert chat.id is not None
    for row in await uow.fetch(_UNSEEN, {"ticket_id": chat.ticket_id, "since": chat.started_at}):
        await settle(uow, int(row["id"]), DeliveryState.failed, NOT_SEEN)
    ticket = await uow.session.get(Ticket, chat.ticket_id)
    assert ticket is not None
    assert ticket.number is not None
    await tickets.change_channel(uow, ticket, Channel.email)
    # Still waiting, it is written work now: no longer offered as a chat.
    queue.schedule_sync(uow, chat.ticket_id)
    view = await chat_view(uow, chat.id)
    assert view is not None
    text = transcript_text(
        language=chat.language,
        reason=reason,
        customer_name=chat.name,
        ticket_number=ticket.number,
        lines=await lines_of(uow, view),
        time_zone=time_zone,
        opens_at=opens_at,
    )
    message = await tickets.add_message(
        uow,
        ticket,
        tickets.NewMessage(
            channel=Channel.email,
            direction=Direction.outbound,
            body_text=text,
            meta={"auto": TRANSCRIPT, "to": chat.email, "chat": {"id": chat.id, "end": reason}},
        ),
        deliver=True,
    )
    chat.transcript_message_id = message.id


async def _save(uow: UnitOfWork, chat: Chat, previous_agent: int | None) -> None:
    assert chat.id is not None
    uow.session.add(chat)
    await uow.session.flush()
    await uow.emit(
        ChatChanged(
            chat_id=chat.id,
            ticket_id=chat.ticket_id,
            state=chat.state.value,
            agent_user_id=chat.agent_user_id,
            previous_agent_user_id=previous_agent,
            end_reason=chat.end_reason.value if chat.end_reason else None,
        )
    )
