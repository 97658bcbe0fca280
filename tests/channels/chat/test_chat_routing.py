"""Chats are offered through routing, as calls are: only agents of the chat's queue
with their screen open and available, below their chat capacity, the longest idle
first; one offer per agent, so two chats at once for one agent make one offer; the
agent's accepting gives them the chat; declining or a timeout passes it on; a chat
that ends while offered withdraws its offer; with nobody accepting in time, or out
of hours, the chat goes on by e-mail with its transcript."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlmodel import col

from servicedesk.channels.chat.models import Chat, ChatState
from servicedesk.channels.chat.sweeper import ChatSweeper
from servicedesk.db import Actor, utcnow
from servicedesk.enums import Channel, Role, Tier
from servicedesk.routing import presence
from servicedesk.routing.dispatch import capacity_of
from servicedesk.routing.models import PresenceStatus
from servicedesk.routing.router import Router
from servicedesk.sla_tracking.service import load_policy_set
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from tests import factories as f
from tests.channels.chat.conftest import CAPACITY
from tests.channels.chat.support import (
    WAIT,
    accepted,
    mail_to,
    new_id,
    send_mail,
    ticket_id_of,
)


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


async def offers_of(db, answer) -> list[tuple[int, str]]:
    """(agent, state) of every offer of the chat's ticket, oldest first."""
    ticket_id = await ticket_id_of(db, answer)
    async with db.read_session() as session:
        rows = await session.execute(
            text("SELECT user_id, state FROM routing_offer WHERE ticket_id = :t ORDER BY id"),
            {"t": ticket_id},
        )
        return [(r.user_id, r.state) for r in rows]


async def status(db, person: f.Staff) -> tuple[str, str]:
    async with db.read_session() as session:
        row = (
            await session.execute(
                text("SELECT status, reason FROM agent_presence WHERE user_id = :u"),
                {"u": person.user.id},
            )
        ).one()
    return row.status, row.reason


async def set_away(db, person: f.Staff) -> None:
    async with db.unit_of_work(Actor.system()) as uow:
        assert person.user.id is not None
        await presence.set_status(uow, person.user.id, PresenceStatus.away, utcnow())


async def sweep_until_over(db, settings, answer, now) -> Chat:
    """Sweep as a process would at `now` until the chat has ended. The desk's own
    sweeper may hold the chat for a moment, and sweepers skip what another holds."""
    sweeper = ChatSweeper(db, settings)
    async with asyncio.timeout(WAIT):
        while (chat := await chat_of(db, answer)).state != ChatState.ended:
            await sweeper.sweep(now=now)
    return chat


# ---- who is offered a chat ---------------------------------------------------------


async def test_only_agents_of_the_chats_queue_with_a_screen_open_are_offered_it(
    desk, world, clients
):
    elsewhere = await f.create_staff(desk.db, Role.agent, teams=(await f.create_team(desk.db),))
    await clients.screen(elsewhere)  # present, but of another queue
    widget = await clients.widget()  # world.agent, of the queue, has no screen open
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "waiting"
    assert await offers_of(desk.db, answer) == []  # the start offers it in its transaction
    assert await assignee(desk.db, answer) is None


async def test_an_available_agent_is_offered_the_chat_and_accepting_gives_it_to_them(
    desk, world, clients
):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "waiting"  # offered, not given
    ticket_id = await ticket_id_of(desk.db, answer)
    offer = await screen.offer(ticket_id)
    assert offer["channel"] == "chat"
    assert await offers_of(desk.db, answer) == [(world.agent.user.id, "pending")]
    assert await assignee(desk.db, answer) is None

    resp = await screen.answer(offer["offer_id"])
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/tickets/{answer['chat']['ticket']}"
    joined = await widget.pushes.wait("chat.state", lambda s: s["state"] == "active")
    assert joined["agent"] == world.agent.user.name.split()[0]
    assert await assignee(desk.db, answer) == world.agent.user.id
    pushed = await screen.pushes.wait("chat", lambda p: p["ticket_id"] == ticket_id)
    assert pushed["event"] == "chat.assigned"
    assert (await chat_of(desk.db, answer)).agent_user_id == world.agent.user.id


async def test_an_agent_who_is_away_is_not_offered_a_chat(desk, world, clients):
    await clients.screen(world.agent)
    await set_away(desk.db, world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "waiting"
    assert await offers_of(desk.db, answer) == []


async def test_an_agent_at_chat_capacity_is_not_offered_another(desk, world, clients):
    screen = await clients.screen(world.agent)
    for _ in range(CAPACITY):
        widget = await clients.widget()
        await accepted(desk.db, screen, widget, await widget.start(queue=world.queue_name))
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "waiting"
    assert await offers_of(desk.db, answer) == []


async def test_an_agents_own_chat_capacity_overrides_the_desks(desk, world, clients):
    other = await f.create_staff(desk.db, Role.agent, teams=(world.queue,))
    async with desk.db.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text("INSERT INTO agent_capacity (user_id, work_class, slots) VALUES (:u, 'chat', 0)"),
            {"u": world.agent.user.id},
        )
    await clients.screen(world.agent)  # idle longest, but takes no chats
    screen = await clients.screen(other)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    await screen.offer(await ticket_id_of(desk.db, answer))
    assert await offers_of(desk.db, answer) == [(other.user.id, "pending")]


async def test_the_longest_idle_agent_is_offered_first(desk, world, clients):
    second = await f.create_staff(desk.db, Role.agent, teams=(world.queue,))
    first_screen = await clients.screen(world.agent)  # idle since before the second
    second_screen = await clients.screen(second)
    one = await clients.widget()
    answer = await one.start(queue=world.queue_name)
    await accepted(desk.db, first_screen, one, answer)  # work taken: idle again from now
    two = await clients.widget()
    answer = await two.start(queue=world.queue_name)
    # The first agent is free and has room, but the second has waited longer.
    await accepted(desk.db, second_screen, two, answer)
    three = await clients.widget()
    answer = await three.start(queue=world.queue_name)
    await first_screen.offer(await ticket_id_of(desk.db, answer))
    assert await offers_of(desk.db, answer) == [(world.agent.user.id, "pending")]


async def test_two_chats_at_once_for_one_free_agent_make_one_offer_the_other_waits(
    desk, world, clients
):
    screen = await clients.screen(world.agent)
    widgets = [await clients.widget(), await clients.widget()]
    answers = await asyncio.gather(*(w.start(queue=world.queue_name) for w in widgets))
    assert [a["chat"]["state"] for a in answers] == ["waiting", "waiting"]
    made = [await offers_of(desk.db, a) for a in answers]
    # An agent holds one offer at a time: one chat is offered, the other waits.
    assert sorted(made, key=len) == [[], [(world.agent.user.id, "pending")]]
    first = 0 if made[0] else 1
    await accepted(desk.db, screen, widgets[first], answers[first])
    # Answered, the agent (with room for another chat) is offered the one that waited.
    other = answers[1 - first]
    await accepted(desk.db, screen, widgets[1 - first], other)
    assert await assignee(desk.db, other) == world.agent.user.id


async def test_declining_passes_the_chat_to_another_agent(desk, world, clients):
    second = await f.create_staff(desk.db, Role.agent, teams=(world.queue,))
    first_screen = await clients.screen(world.agent)
    second_screen = await clients.screen(second)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    ticket_id = await ticket_id_of(desk.db, answer)
    offer = await first_screen.offer(ticket_id)
    resp = await first_screen.answer(offer["offer_id"], "decline")
    assert resp.status_code == 303
    await second_screen.offer(ticket_id)
    assert await offers_of(desk.db, answer) == [
        (world.agent.user.id, "declined"),
        (second.user.id, "pending"),
    ]
    assert await status(desk.db, world.agent) == ("available", "connected")
    await accepted(desk.db, second_screen, widget, answer)
    assert await assignee(desk.db, answer) == second.user.id


async def test_an_offer_not_answered_in_time_passes_on_and_sets_the_agent_away(
    desk, world, clients, chat_settings
):
    second = await f.create_staff(desk.db, Role.agent, teams=(world.queue,))
    first_screen = await clients.screen(world.agent)
    second_screen = await clients.screen(second)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    ticket_id = await ticket_id_of(desk.db, answer)
    offer = await first_screen.offer(ticket_id)
    expired = datetime.fromisoformat(offer["expires_at"]) + timedelta(seconds=1)
    await Router(desk.db, capacity_of(chat_settings)).sweep(expired)  # a router's pass

    gone = await first_screen.pushes.wait("offer.expired", lambda o: o["ticket_id"] == ticket_id)
    assert gone["reason"] == "timeout"
    assert await status(desk.db, world.agent) == ("away", "missed_offer")
    await accepted(desk.db, second_screen, widget, answer)
    assert await assignee(desk.db, answer) == second.user.id


async def test_a_waiting_chat_is_offered_when_an_agent_opens_their_screen(desk, world, clients):
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert await offers_of(desk.db, answer) == []
    screen = await clients.screen(world.agent)
    await accepted(desk.db, screen, widget, answer)
    assert await assignee(desk.db, answer) == world.agent.user.id


async def test_a_chat_on_a_ticket_its_assignee_holds_stays_with_them(desk, world, clients):
    screen = await clients.screen(world.agent)
    email = f"twice.{new_id()[:8]}@example.com"
    widget = await clients.widget()
    first = await widget.start(email=email, queue=world.queue_name)
    await accepted(desk.db, screen, widget, first)
    # The customer starts again on another device: the same ticket, the same agent.
    phone = await clients.widget()
    again = await phone.start(email=email, queue=world.queue_name)
    assert again["chat"]["ticket"] == first["chat"]["ticket"]
    assert again["chat"]["state"] == "active"
    assert again["chat"]["agent"] == world.agent.user.name.split()[0]
    assert len(await offers_of(desk.db, again)) == 1  # the first chat's, accepted


async def test_a_chat_on_a_ticket_whose_assignee_is_away_is_offered_to_another(
    desk, world, clients
):
    owner = await f.create_staff(desk.db, Role.agent, teams=(world.queue,))
    email = f"back.{new_id()[:8]}@example.com"
    customer = await f.create_customer(desk.db, email=email)
    emailed = await f.create_ticket(desk.db, customer, queue=world.queue)
    async with desk.db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, emailed.id)
        assert held is not None
        await tickets.update_ticket(
            uow, held, tickets.TicketChanges(assignee_id=owner.user.id, set_assignee=True)
        )
    screen = await clients.screen(world.agent)  # the owner has no screen open
    widget = await clients.widget()
    answer = await widget.start(email=email, queue=world.queue_name)
    assert answer["chat"]["ticket"] == emailed.number
    assert answer["chat"]["state"] == "waiting"
    await accepted(desk.db, screen, widget, answer)
    assert await assignee(desk.db, answer) == world.agent.user.id


async def test_unassigning_puts_the_chat_back_in_the_wait(desk, world, clients):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    await accepted(desk.db, screen, widget, answer)
    await set_away(desk.db, world.agent)  # away: not offered it again
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


# ---- a chat that ends while offered, or is never taken ----------------------------


async def test_a_chat_that_ends_withdraws_its_offer(desk, world, clients):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    ticket_id = await ticket_id_of(desk.db, answer)
    offer = await screen.offer(ticket_id)
    assert (await widget.call("end"))["chat"]["end_reason"] == "customer"

    gone = await screen.pushes.wait("offer.expired", lambda o: o["ticket_id"] == ticket_id)
    assert gone["reason"] == "withdrawn"
    assert await offers_of(desk.db, answer) == [(world.agent.user.id, "withdrawn")]
    assert await status(desk.db, world.agent) == ("available", "connected")  # not a miss
    async with desk.db.read_session() as session:
        entry = (
            await session.execute(
                text("SELECT work_class, offer_id FROM routing_entry WHERE ticket_id = :t"),
                {"t": ticket_id},
            )
        ).one()
    assert (entry.work_class, entry.offer_id) == ("email", None)  # written work now
    resp = await screen.answer(offer["offer_id"])  # too late
    assert resp.headers["location"] == "/workspace?notice=offer_gone"
    assert await assignee(desk.db, answer) is None


async def test_with_nobody_accepting_in_time_the_chat_goes_on_by_email_with_its_transcript(
    desk, world, clients, chat_settings, sink
):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    email = f"late.{new_id()[:8]}@example.com"
    answer = await widget.start(name="Rana", email=email, queue=world.queue_name)
    await widget.say("Anyone there?")
    offer = await screen.offer(await ticket_id_of(desk.db, answer))
    over = utcnow() + timedelta(seconds=chat_settings.chat_wait_seconds + 1)

    # The wait is over, but an offer is out: its answer (or timeout) decides first.
    await ChatSweeper(desk.db, chat_settings).sweep(now=over)
    assert (await chat_of(desk.db, answer)).state == ChatState.waiting
    assert datetime.fromisoformat(offer["expires_at"]) < over
    await Router(desk.db, capacity_of(chat_settings)).sweep(over)  # it times out
    chat = await sweep_until_over(desk.db, chat_settings, answer, over)
    assert chat.end_reason is not None
    assert chat.end_reason.value == "no_agent"

    state = await widget.pushes.wait("chat.state", lambda s: s["state"] == "ended")
    assert state["end_reason"] == "no_agent"
    async with desk.db.read_session() as session:
        ticket = await session.scalar(
            select(Ticket).where(col(Ticket.number) == answer["chat"]["ticket"])
        )
    assert ticket is not None
    assert ticket.channel == Channel.email
    assert await offers_of(desk.db, answer) == [(world.agent.user.id, "timeout")]
    await send_mail(desk.db, chat_settings)
    text_part = (await mail_to(sink, email)).message.get_body(("plain",)).get_content()
    assert "No agent was free to chat just now" in text_part
    assert "Rana: Anyone there?" in text_part


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
    assert await offers_of(desk.db, answer) == []
    await send_mail(desk.db, chat_settings)
    text_part = (await mail_to(sink, email)).message.get_body(("plain",)).get_content()
    assert "המוקד סגור כעת; נחזור לפעילות ב־" in text_part  # in their language, with the opening


async def test_a_chat_whose_customer_went_away_ends(desk, world, clients, chat_settings):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    await accepted(desk.db, screen, widget, answer)
    await widget.close()
    later = utcnow() + timedelta(seconds=chat_settings.chat_idle_seconds + 1)
    chat = await sweep_until_over(desk.db, chat_settings, answer, later)
    assert chat.end_reason is not None
    assert chat.end_reason.value == "idle"
