"""A web chat end to end, through a real Socket.IO client against the served desk:
start, lines kept on the ticket as they come, resume after a reconnect, resends
stored once, an agent accepting the chat's offer, their replies pushed and
acknowledged, typing both ways, and the transcript by e-mail when the chat ends."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlmodel import col

from servicedesk.channels.chat.models import Chat, ChatEnd, ChatState
from servicedesk.customers.models import CustomerIdentity
from servicedesk.db import Actor
from servicedesk.enums import Channel, DeliveryState, Direction, IdentityKind, Role, TicketStatus
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Message, Ticket
from tests import factories as f
from tests.channels.chat.support import accepted, mail_to, new_id, send_mail
from tests.web.conftest import sign_in


async def ticket_number_of(db, chat_id_or_token_answer) -> Ticket:
    number = chat_id_or_token_answer["chat"]["ticket"]
    async with db.read_session() as session:
        found = await session.scalar(select(Ticket).where(col(Ticket.number) == number))
    assert found is not None
    return found


async def ticket_of(db, answer) -> Ticket:
    return await ticket_number_of(db, answer)


async def messages_of(db, ticket_id: int) -> list[Message]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(Message).where(col(Message.ticket_id) == ticket_id).order_by(col(Message.id))
        )
        return list(rows)


async def message(db, message_id: int) -> Message:
    async with db.read_session() as session:
        found = await session.get(Message, message_id)
    assert found is not None
    return found


async def chat_of_ticket(db, ticket_id: int) -> Chat:
    async with db.read_session() as session:
        found = await session.scalar(
            select(Chat).where(col(Chat.ticket_id) == ticket_id).order_by(col(Chat.id).desc())
        )
    assert found is not None
    return found


async def agent_client(desk, person: f.Staff) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=desk.base_url)
    await sign_in(client, person.user.email)
    return client


async def reply_as(desk, person: f.Staff, number: int, body: str) -> None:
    """The agent's reply form on the ticket screen, as the browser posts it."""
    async with httpx.AsyncClient(base_url=desk.base_url) as client:
        csrf = await sign_in(client, person.user.email)
        resp = await client.post(
            f"/tickets/{number}/replies",
            data={"body": body, "kind": "public", "csrf_token": csrf},
        )
        assert resp.status_code == 303, resp.text


# ---- starting ------------------------------------------------------------------------


async def test_a_chat_starts_on_a_new_ticket_in_the_asked_queue_and_waits(desk, world, clients):
    widget = await clients.widget()
    email = f"noa.{new_id()[:8]}@example.com"
    answer = await widget.start(name="Noa Cohen", email=email, queue=world.queue_name)
    assert answer["ok"], answer
    assert answer["token"]
    assert answer["chat"]["state"] == "waiting"
    assert answer["chat"]["email"] == email
    [first] = answer["messages"]
    assert (first["from"], first["text"]) == ("customer", "My dishwasher shows E24")

    ticket = await ticket_of(desk.db, answer)
    assert ticket.channel == Channel.chat
    assert ticket.queue_id == world.queue.id
    assert ticket.subject == "My dishwasher shows E24"
    [stored] = await messages_of(desk.db, ticket.id)  # no e-mail acknowledgement of a chat
    assert (stored.channel, stored.direction) == (Channel.chat, Direction.inbound)
    async with desk.db.read_session() as session:
        identity = await session.scalar(
            select(CustomerIdentity).where(col(CustomerIdentity.value) == email)
        )
    assert identity is not None
    assert identity.kind == IdentityKind.email
    assert identity.customer_id == ticket.customer_id


async def test_an_available_agent_accepts_the_chats_offer_and_hears_of_it(desk, world, clients):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    assert answer["chat"]["state"] == "waiting"  # offered to the agent, who has not answered
    await accepted(desk.db, screen, widget, answer)
    state = await widget.pushes.wait("chat.state", lambda s: s["state"] == "active")
    assert state["agent"] == world.agent.user.name.split()[0]
    ticket = await ticket_of(desk.db, answer)
    assert ticket.assignee_id == world.agent.user.id
    assert ticket.status == TicketStatus.open
    pushed = await screen.pushes.wait("chat", lambda p: p["ticket_id"] == ticket.id)
    assert pushed == {"event": "chat.assigned", "ticket_id": ticket.id, "number": ticket.number}


async def test_a_known_customer_is_recognised_by_email_and_continues_their_open_ticket(
    desk, world, clients
):
    customer = await f.create_customer(desk.db, email=f"known.{new_id()[:8]}@example.com")
    emailed = await f.create_ticket(desk.db, customer, queue=world.queue)
    widget = await clients.widget()
    address = (await _emails(desk.db, customer.id))[0]
    answer = await widget.start(email=address.upper(), queue=world.queue_name)
    assert answer["chat"]["ticket"] == emailed.number
    ticket = await ticket_of(desk.db, answer)
    assert ticket.channel == Channel.chat  # replies go to the chat while it lasts
    # The widget shows this chat only, never the ticket's earlier e-mail.
    assert [m["text"] for m in answer["messages"]] == ["My dishwasher shows E24"]


async def _emails(db, customer_id: int) -> list[str]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(CustomerIdentity.value).where(
                col(CustomerIdentity.customer_id) == customer_id,
                col(CustomerIdentity.kind) == IdentityKind.email,
            )
        )
        return list(rows)


# ---- lines -----------------------------------------------------------------------------


async def test_lines_are_kept_as_they_come_and_a_resend_is_stored_once(desk, world, clients):
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    ticket = await ticket_of(desk.db, answer)
    line_id = new_id()
    said = await widget.say("It beeps three times", client_id=line_id)
    assert said["ok"], said
    assert said["message"]["client_id"] == line_id
    stored = await messages_of(desk.db, ticket.id)
    assert [m.body_text for m in stored] == ["My dishwasher shows E24", "It beeps three times"]

    again = await widget.say("It beeps three times", client_id=line_id)  # lost answer, resent
    assert again["message"]["id"] == said["message"]["id"]
    assert len(await messages_of(desk.db, ticket.id)) == 2


async def test_a_start_sent_again_finds_the_same_chat(desk, world, clients):
    widget = await clients.widget()
    client_id, email = new_id(), f"{new_id()[:8]}@chat.example"
    first = await widget.start(email=email, client_id=client_id, queue=world.queue_name)
    again = await widget.start(email=email, client_id=client_id, queue=world.queue_name)
    assert again["ok"]
    assert again["chat"]["ticket"] == first["chat"]["ticket"]
    ticket = await ticket_of(desk.db, first)
    assert len(await messages_of(desk.db, ticket.id)) == 1
    async with desk.db.read_session() as session:
        chats = list(await session.scalars(select(Chat).where(col(Chat.ticket_id) == ticket.id)))
    assert len(chats) == 1


async def test_a_reload_resumes_the_same_conversation(desk, world, clients):
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    await widget.say("Still there?")
    await widget.close()  # the browser reloads; a new connection

    back = await clients.widget()
    resumed = await back.call("resume", {"token": answer["token"]})
    assert resumed["ok"], resumed
    assert resumed["chat"]["ticket"] == answer["chat"]["ticket"]
    assert [m["text"] for m in resumed["messages"]] == ["My dishwasher shows E24", "Still there?"]
    said = await back.say("Yes, on the new connection")
    assert said["ok"]
    ticket = await ticket_of(desk.db, answer)
    assert len(await messages_of(desk.db, ticket.id)) == 3


# ---- agents' replies -------------------------------------------------------------------


async def test_an_agents_reply_is_pushed_sent_and_acknowledged_as_delivered(desk, world, clients):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    await accepted(desk.db, screen, widget, answer)
    ticket = await ticket_of(desk.db, answer)

    await reply_as(desk, world.agent, ticket.number, "Hello Dana, is the door closed?")
    pushed = await widget.pushes.wait("chat.message", lambda m: m["from"] == "agent")
    assert pushed["text"] == "Hello Dana, is the door closed?"
    assert pushed["name"] == world.agent.user.name.split()[0]
    reply = await message(desk.db, pushed["id"])
    assert (reply.channel, reply.direction) == (Channel.chat, Direction.outbound)
    assert reply.delivery_state == DeliveryState.sent  # pushed to an open widget

    acked = await widget.call("delivered", {"ids": [pushed["id"]]})
    assert acked == {"ok": True, "delivered": [pushed["id"]]}
    assert (await message(desk.db, pushed["id"])).delivery_state == DeliveryState.delivered
    assert (await widget.call("delivered", {"ids": [pushed["id"]]}))["delivered"] == []


async def test_a_reply_while_the_customer_is_away_is_shown_when_they_come_back(
    desk, world, clients
):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    await accepted(desk.db, screen, widget, answer)
    ticket = await ticket_of(desk.db, answer)
    await screen.watch(ticket.id)
    await widget.close()
    # The desk tells the screens the customer has gone (not typing any more) once it
    # has seen the widget's connection close.
    await screen.pushes.wait("typing", lambda p: p["ticket_id"] == ticket.id and not p["typing"])

    await reply_as(desk, world.agent, ticket.number, "We found a technician for tomorrow")
    [*_, reply] = await messages_of(desk.db, ticket.id)
    assert reply.delivery_state == DeliveryState.queued  # nobody to show it to

    back = await clients.widget()
    resumed = await back.call("resume", {"token": answer["token"]})
    shown = resumed["messages"][-1]
    assert (shown["id"], shown["from"]) == (reply.id, "agent")
    assert (await message(desk.db, reply.id)).delivery_state == DeliveryState.sent
    await back.call("delivered", {"ids": [reply.id]})
    assert (await message(desk.db, reply.id)).delivery_state == DeliveryState.delivered


async def test_typing_is_shown_both_ways(desk, world, clients):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    answer = await widget.start(queue=world.queue_name)
    await accepted(desk.db, screen, widget, answer)
    ticket = await ticket_of(desk.db, answer)
    assert await screen.watch(ticket.id) == {"ok": True}

    await widget.emit("typing", {"typing": True})
    heard = await screen.pushes.wait("typing", lambda p: p["ticket_id"] == ticket.id)
    assert heard == {"ticket_id": ticket.id, "typing": True, "who": "customer"}

    await screen.typing(ticket.id, True)
    seen = await widget.pushes.wait("chat.typing")
    assert seen == {"typing": True, "name": world.agent.user.name.split()[0]}


async def test_a_screen_may_watch_only_a_ticket_its_user_may_see(desk, world, clients):
    other_queue = await f.create_team(desk.db)
    outsider = await f.create_staff(desk.db, Role.agent, teams=(other_queue,))
    widget = await clients.widget()
    ticket = await ticket_of(desk.db, await widget.start(queue=world.queue_name))
    screen = await clients.screen(outsider)
    assert await screen.watch(ticket.id) == {"ok": False, "error": "forbidden"}
    await screen.typing(ticket.id, True)  # not watching: relayed nowhere
    await widget.emit("typing", {"typing": True})
    await widget.say("A line after the typing")  # answered after the typing was handled
    assert widget.pushes.seen["chat.typing"] == []
    assert screen.pushes.seen["typing"] == []


# ---- the end ---------------------------------------------------------------------------


async def test_the_customer_ends_the_chat_and_gets_the_transcript_by_email(
    desk, world, clients, chat_settings, sink
):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    email = f"dana.{new_id()[:8]}@example.com"
    answer = await widget.start(name="Dana Levi", email=email, queue=world.queue_name)
    await accepted(desk.db, screen, widget, answer)
    ticket = await ticket_of(desk.db, answer)
    await widget.say("It shows E24 again")
    await reply_as(desk, world.agent, ticket.number, "Please clean the filter")

    ended = await widget.call("end")
    assert ended["chat"]["state"] == "ended"
    assert ended["chat"]["end_reason"] == "customer"
    chat = await chat_of_ticket(desk.db, ticket.id)
    assert (chat.state, chat.end_reason) == (ChatState.ended, ChatEnd.customer)
    assert (await ticket_of(desk.db, answer)).channel == Channel.email  # it goes on by e-mail
    assert (await widget.say("One more thing"))["error"]["code"] == "chat_ended"

    await send_mail(desk.db, chat_settings)
    mail = (await mail_to(sink, email)).message
    assert f"[#{ticket.number}]" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    for said in ("Dana Levi: My dishwasher shows E24", "Dana Levi: It shows E24 again"):
        assert said in text
    assert f"{world.agent.user.name.split()[0]}: Please clean the filter" in text
    transcript = await message(desk.db, chat.transcript_message_id)
    assert transcript.delivery_state == DeliveryState.sent

    # The agent's next reply goes by e-mail, as on any e-mail ticket.
    await reply_as(desk, world.agent, ticket.number, "Did cleaning the filter help?")
    [*_, later] = await messages_of(desk.db, ticket.id)
    assert later.channel == Channel.email


async def test_solving_the_ticket_ends_the_chat_and_emails_the_transcript(
    desk, world, clients, chat_settings, sink
):
    screen = await clients.screen(world.agent)
    widget = await clients.widget()
    email = f"omer.{new_id()[:8]}@example.com"
    answer = await widget.start(name="Omer", email=email, queue=world.queue_name)
    await accepted(desk.db, screen, widget, answer)
    ticket = await ticket_of(desk.db, answer)
    async with desk.db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, ticket.id)
        assert held is not None
        await tickets.update_ticket(uow, held, tickets.TicketChanges(status=TicketStatus.solved))

    state = await widget.pushes.wait("chat.state", lambda s: s["state"] == "ended")
    assert state["end_reason"] == "agent"
    await send_mail(desk.db, chat_settings)
    text = (await mail_to(sink, email)).message.get_body(("plain",)).get_content()
    assert "Omer: My dishwasher shows E24" in text


async def test_a_reply_on_a_chat_ticket_without_a_chat_fails_clearly_then_goes_by_email(
    desk, world
):
    customer = await f.create_customer(desk.db)
    ticket = await f.create_ticket(desk.db, customer, queue=world.queue, channel=Channel.chat)
    await reply_as(desk, world.agent, ticket.number, "Are you still there?")
    [*_, failed] = await messages_of(desk.db, ticket.id)
    assert failed.delivery_state == DeliveryState.failed
    assert "no chat going on" in failed.delivery_error
    await reply_as(desk, world.agent, ticket.number, "Are you still there?")
    [*_, again] = await messages_of(desk.db, ticket.id)
    assert again.channel == Channel.email
    assert again.delivery_state == DeliveryState.queued  # the e-mail outbox's job sends it
