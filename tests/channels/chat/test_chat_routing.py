"""Routing chats to agents: only agents with their screen open, of the chat's queue,
below their chat capacity, the least busy first; concurrent chats never overfill an
agent; a waiting chat is taken when an agent opens their screen; with nobody in
time, or out of hours, the chat goes on by e-mail with its transcript."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import col

from servicedesk.channels.chat.models import Chat, ChatState
from servicedesk.channels.chat.sweeper import ChatSweeper
from servicedesk.db import Actor, utcnow
from servicedesk.enums import Channel, Role, Tier
from servicedesk.routing import presence
from servicedesk.routing.models import PresenceStatus
from servicedesk.sla_tracking.service import load_policy_set
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from tests import factories as f
from tests.channels.chat.conftest import CAPACITY
from tests.channels.chat.support import WAIT, mail_to, new_id, send_mail


def closed_now() -> str:
    """A policy file whose calendar is closed now (today and the next days are its
    holidays), for platinum customers only: the module's other tests (standard
    customers) keep a desk that is always open."""
    today = datetime.now(ZoneInfo("Asia/Jerusalem")).date()
    days = ", ".join(str(today + timedelta(days=n)) for n in range(-1, 4))
    week = "\n".join(
        f'{d} = ["08:00-17:00"]' for d in ("sunday", "monday", "tuesday", "wednesday", "thursday")
    )
    return f"""
[calendars.closed]
timezone = "Asia/Jerusalem"
holidays = [{days}]
[calendars.closed.hours]
{week}

[[policies]]
name = "Platinum line (closed)"
calendar = "closed"
match = {{ tier = "platinum" }}
[policies.targets]
normal = {{ first_response = "1h" }}
"""


async def assignee(db, answer) -> int | None:
    async with db.read_session() as session:
        ticket = await session.scalar(
            select(Ticket).where(col(Ticket.number) == answer["chat"]["ticket"])
        )
    assert ticket is not None
    return ticket.assignee_id


async def chat_of(db, answer) -> Chat:
    async with db.read_session() as session:
        found = await session.scalar(
            select(Chat)
            .join(Ticket, col(Ticket.id) == col(Chat.ticket_id))
            .where(col(Ticket.number) == answer["chat"]["ticket"])
        )
    assert found is not None
    return found


async def sweep_until_over(db, settings, answer, now) -> Chat:
    """Sweep as a process would at `now` until the chat has ended. The desk's own
    sweeper may hold the chat for a moment, and sweepers skip what another holds."""
    sweeper = ChatSweeper(db, settings)
    async with asyncio.timeout(WAIT):
        while (chat := await chat_of(db, answer)).state != ChatState.ended:
            await sweeper.sweep(now=now)
    return chat


async def test_nobody_gets_a_chat_without_their_screen_open(desk, world, clients):
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "waiting"
    assert await assignee(desk.db, answer) is None


async def test_only_agents_of_the_chats_queue_get_it(desk, world, clients):
    elsewhere = await f.create_staff(desk.db, Role.agent, teams=(await f.create_team(desk.db),))
    await clients.screen(elsewhere)
    widget = await clients.widget()
    assert (await widget.start(queue=world.queue_name))["chat"]["state"] == "waiting"


async def test_a_chat_goes_to_the_least_busy_agent_then_to_who_waited_longest(desk, world, clients):
    second = await f.create_staff(desk.db, Role.agent, teams=(world.queue,))
    await clients.screen(world.agent)
    await clients.screen(second)
    given = []
    for _ in range(3):
        widget = await clients.widget()
        answer = await widget.start(queue=world.queue_name)
        assert answer["chat"]["state"] == "active"
        given.append(await assignee(desk.db, answer))
    first, other = given[0], given[1]
    assert {first, other} == {world.agent.user.id, second.user.id}
    assert given[2] == first  # one chat each; the first has waited longer since theirs


async def test_an_agent_at_capacity_gets_no_more_chats(desk, world, clients):
    await clients.screen(world.agent)
    states = []
    for _ in range(CAPACITY + 1):
        widget = await clients.widget()
        states.append((await widget.start(queue=world.queue_name))["chat"]["state"])
    assert states == ["active"] * CAPACITY + ["waiting"]


async def test_two_chats_at_once_for_one_free_slot_give_it_to_exactly_one(desk, world, clients):
    await clients.screen(world.agent)
    for _ in range(CAPACITY - 1):
        widget = await clients.widget()
        assert (await widget.start(queue=world.queue_name))["chat"]["state"] == "active"
    widgets = [await clients.widget(), await clients.widget()]
    answers = await asyncio.gather(*(w.start(queue=world.queue_name) for w in widgets))
    assert sorted(a["chat"]["state"] for a in answers) == ["active", "waiting"]
    async with desk.db.read_session() as session:
        busy = await session.scalar(
            select(func.count())
            .select_from(Chat)
            .where(col(Chat.agent_user_id) == world.agent.user.id)
            .where(col(Chat.state) == ChatState.active)
        )
    assert busy == CAPACITY


async def test_an_agent_who_is_away_gets_no_chat(desk, world, clients):
    await clients.screen(world.agent)
    async with desk.db.unit_of_work(Actor.system()) as uow:
        assert world.agent.user.id is not None
        await presence.set_status(uow, world.agent.user.id, PresenceStatus.away, utcnow())
    widget = await clients.widget()
    assert (await widget.start(queue=world.queue_name))["chat"]["state"] == "waiting"


async def test_a_waiting_chat_is_taken_when_an_agent_opens_their_screen(desk, world, clients):
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "waiting"
    await clients.screen(world.agent)
    joined = await widget.pushes.wait("chat.state", lambda s: s["state"] == "active")
    assert joined["agent"] == world.agent.user.name.split()[0]
    assert await assignee(desk.db, answer) == world.agent.user.id


async def test_unassigning_puts_the_chat_back_in_the_wait(desk, world, clients):
    await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "active"
    async with desk.db.unit_of_work(Actor.system()) as uow:  # away: not given it again
        assert world.agent.user.id is not None
        await presence.set_status(uow, world.agent.user.id, PresenceStatus.away, utcnow())
    async with desk.db.unit_of_work(Actor.system()) as uow:
        ticket = await uow.session.scalar(
            select(Ticket).where(col(Ticket.number) == answer["chat"]["ticket"])
        )
        assert ticket is not None
        await tickets.update_ticket(
            uow, ticket, tickets.TicketChanges(assignee_id=None, set_assignee=True)
        )
    back = await widget.pushes.wait("chat.state", lambda s: s["state"] == "waiting")
    assert back["agent"] is None


async def test_with_nobody_free_in_time_the_chat_goes_on_by_email_with_its_transcript(
    desk, world, clients, chat_settings, sink
):
    widget = await clients.widget()
    email = f"late.{new_id()[:8]}@example.com"
    answer = await widget.start(name="Rana", email=email, queue=world.queue_name)
    await widget.say("Anyone there?")
    await sweep_until_over(desk.db, chat_settings, answer, utcnow() + timedelta(seconds=3601))

    state = await widget.pushes.wait("chat.state", lambda s: s["state"] == "ended")
    assert state["end_reason"] == "no_agent"
    async with desk.db.read_session() as session:
        ticket = await session.scalar(
            select(Ticket).where(col(Ticket.number) == answer["chat"]["ticket"])
        )
    assert ticket is not None
    assert ticket.channel == Channel.email
    await send_mail(desk.db, chat_settings)
    text = (await mail_to(sink, email)).message.get_body(("plain",)).get_content()
    assert "No agent was free to chat just now" in text
    assert "Rana: Anyone there?" in text


async def test_out_of_hours_the_chat_goes_on_by_email_at_once(
    desk, world, clients, chat_settings, sink
):
    async with desk.db.unit_of_work(Actor.system()) as uow:
        await load_policy_set(uow, closed_now(), user_id=None)
    email = f"night.{new_id()[:8]}@example.com"
    await f.create_customer(desk.db, name="Yael Night", email=email, tier=Tier.platinum)
    await clients.screen(world.agent)  # someone is there, but the line is closed
    widget = await clients.widget()
    answer = await widget.start(name="Yael", email=email, language="he", queue=world.queue_name)
    assert answer["chat"]["state"] == "ended"
    assert answer["chat"]["end_reason"] == "out_of_hours"
    await send_mail(desk.db, chat_settings)
    text = (await mail_to(sink, email)).message.get_body(("plain",)).get_content()
    assert "המוקד סגור כעת; נחזור לפעילות ב־" in text  # in their language, with the opening


async def test_a_chat_whose_customer_went_away_ends(desk, world, clients, chat_settings):
    await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "active"
    await widget.close()
    later = utcnow() + timedelta(seconds=chat_settings.chat_idle_seconds + 1)
    chat = await sweep_until_over(desk.db, chat_settings, answer, later)
    assert chat.end_reason is not None
    assert chat.end_reason.value == "idle"
