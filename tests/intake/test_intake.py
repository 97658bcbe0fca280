"""Intake: a normalised message in, a ticket or a threaded reply out, on a real database.

The messages are built as a channel adapter builds them, so these tests hold for
every channel; the e-mail parser has its own tests."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from servicedesk.channels.message import Bounce, InboundAttachment, InboundMessage, Party
from servicedesk.customers.models import Customer, CustomerIdentity
from servicedesk.db import Actor, Database, make_engine
from servicedesk.enums import Channel, DeliveryState, Direction, IdentityKind, Role, TicketStatus
from servicedesk.events import EventBus
from servicedesk.intake.service import TemporaryFailure, ingest
from servicedesk.settings import Settings
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Attachment, Blob, Message, Ticket, TicketCollaborator
from tests.api.conftest import create_api_user


def email(address: str, name: str = "") -> Party:
    return Party(IdentityKind.email, address, name)


def inbound(**overrides: Any) -> InboundMessage:
    values: dict[str, Any] = {
        "channel": Channel.email,
        "provider_id": f"{secrets.token_hex(8)}@mail.example",
        "sender": email(f"dana.{secrets.token_hex(3)}@example.com", "Dana Levi"),
        "subject": "The washing machine leaks",
        "body_text": "Water under the machine since Sunday.",
        "full_text": "Water under the machine since Sunday.",
        "to": (email("support@servicedesk.example"),),
        "raw": b"From: dana\r\n\r\nWater under the machine since Sunday.\r\n",
    }
    values.update(overrides)
    return InboundMessage(**values)


def reply_to(first: InboundMessage, **overrides: Any) -> InboundMessage:
    return inbound(
        sender=first.sender,
        subject=f"Re: {first.subject}",
        in_reply_to=(first.provider_id,),
        references=(first.provider_id,),
        **overrides,
    )


async def messages_of(db: Database, ticket_id: int) -> list[Message]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(col(Message.id))
        )
        return list(rows)


async def ticket(db: Database, ticket_id: int | None) -> Ticket:
    assert ticket_id is not None
    async with db.read_session() as session:
        found = await session.get(Ticket, ticket_id)
        assert found is not None
        return found


async def test_a_first_message_opens_a_ticket_for_a_new_customer(db, settings):
    message = inbound()
    result = await ingest(db, message, settings)
    assert result.outcome == "created"
    opened = await ticket(db, result.ticket_id)
    assert opened.subject == "The washing machine leaks"
    assert opened.channel == Channel.email
    assert opened.number == result.ticket_number
    first = (await messages_of(db, opened.id))[0]
    assert first.provider_id == message.provider_id
    assert first.direction == Direction.inbound
    assert first.meta["email"]["from"] == f"Dana Levi <{message.sender.value}>"
    async with db.read_session() as session:
        customer = await session.get(Customer, opened.customer_id)
        assert customer.name == "Dana Levi"
        assert customer.preferred_language == "en"
        blob = await session.get(Blob, first.meta["raw_sha256"])
        assert blob.data == message.raw


async def test_a_hebrew_writer_becomes_a_hebrew_speaking_customer(db, settings):
    result = await ingest(db, inbound(subject="המכונה דולפת", body_text="יש מים"), settings)
    opened = await ticket(db, result.ticket_id)
    async with db.read_session() as session:
        customer = await session.get(Customer, opened.customer_id)
    assert customer.preferred_language == "he"


async def test_the_same_message_delivered_twice_is_one_message(db, settings):
    message = inbound()
    first = await ingest(db, message, settings)
    again = await ingest(db, message, settings)
    assert again.outcome == "duplicate"
    assert (again.ticket_id, again.message_id) == (first.ticket_id, first.message_id)
    customer_messages = [
        m for m in await messages_of(db, first.ticket_id) if m.direction == Direction.inbound
    ]
    assert len(customer_messages) == 1


async def test_a_reply_threads_by_in_reply_to_and_reopens_a_solved_ticket(db, settings):
    first = inbound()
    opened = await ingest(db, first, settings)
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, opened.ticket_id)
        await tickets.update_ticket(uow, row, tickets.TicketChanges(status=TicketStatus.solved))
    result = await ingest(db, reply_to(first, body_text="Still leaking."), settings)
    assert result.outcome == "appended"
    assert result.ticket_id == opened.ticket_id
    assert (await ticket(db, opened.ticket_id)).status == TicketStatus.open


async def test_a_reply_threads_by_references_alone(db, settings):
    first = inbound()
    opened = await ingest(db, first, settings)
    later = inbound(
        sender=first.sender,
        subject="something else entirely",
        references=("unknown@elsewhere", first.provider_id),
    )
    assert (await ingest(db, later, settings)).ticket_id == opened.ticket_id


async def test_the_ticket_tag_in_the_subject_threads_but_the_subject_alone_does_not(db, settings):
    first = inbound()
    opened = await ingest(db, first, settings)
    tagged = inbound(subject=f"Re: [#{opened.ticket_number}] The washing machine leaks")
    assert (await ingest(db, tagged, settings)).ticket_id == opened.ticket_id
    same_subject = inbound(sender=first.sender, subject=first.subject)
    other = await ingest(db, same_subject, settings)
    assert other.outcome == "created"
    assert other.ticket_id != opened.ticket_id


async def test_a_tag_for_a_ticket_that_does_not_exist_opens_a_new_one(db, settings):
    result = await ingest(db, inbound(subject="[#999999999999] hello"), settings)
    assert result.outcome == "created"
    assert (await ticket(db, result.ticket_id)).subject == "hello"


async def test_mail_on_a_closed_ticket_opens_a_follow_up(db, settings):
    first = inbound()
    opened = await ingest(db, first, settings)
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, opened.ticket_id)
        await tickets.update_ticket(uow, row, tickets.TicketChanges(status=TicketStatus.closed))
    result = await ingest(db, reply_to(first), settings)
    assert result.outcome == "created"
    assert result.ticket_id != opened.ticket_id
    follow_up = (await messages_of(db, result.ticket_id))[0]
    assert follow_up.meta["follow_up_of"] == opened.ticket_number


async def test_cc_and_other_recipients_become_collaborators(db, settings):
    message = inbound(
        to=(email("support@servicedesk.example"), email("boss@example.com", "Boss")),
        cc=(email("wife@example.com", "Noa"), email("support@servicedesk.example")),
    )
    result = await ingest(db, message, settings)
    await ingest(db, reply_to(message, cc=(email("wife@example.com"),)), settings)
    async with db.read_session() as session:
        rows = await session.scalars(
            select(TicketCollaborator).where(TicketCollaborator.ticket_id == result.ticket_id)
        )
        people = {(r.address, r.name) for r in rows}
    assert people == {("boss@example.com", "Boss"), ("wife@example.com", "Noa")}


async def test_attachments_are_stored_once_per_content(db, settings):
    logo = InboundAttachment("logo.png", "image/png", b"\x89PNG" + b"x" * 100, "logo@1", True)
    invoice = InboundAttachment("חשבונית.pdf", "application/pdf", b"%PDF-1.4 " + b"y" * 50)
    first = await ingest(db, inbound(attachments=(logo, invoice)), settings)
    second = await ingest(db, inbound(attachments=(logo,)), settings)
    async with db.read_session() as session:
        rows = list(
            await session.scalars(
                select(Attachment).where(
                    col(Attachment.message_id).in_([first.message_id, second.message_id])
                )
            )
        )
        blobs = await session.scalar(
            select(func.count())
            .select_from(Blob)
            .where(col(Blob.sha256).in_({r.sha256 for r in rows}))
        )
    assert sorted(r.filename for r in rows) == ["logo.png", "logo.png", "חשבונית.pdf"]
    assert blobs == 2
    inline = [r for r in rows if r.content_id == "logo@1"]
    assert all(r.inline for r in inline)
    assert len(inline) == 2


async def test_a_new_ticket_is_acknowledged_once_in_the_customers_language(db, settings):
    result = await ingest(db, inbound(subject="המכונה דולפת", body_text="יש מים"), settings)
    acks = [m for m in await messages_of(db, result.ticket_id) if m.direction == Direction.outbound]
    assert len(acks) == 1
    ack = acks[0]
    assert ack.meta["auto"] == "acknowledgement"
    assert ack.delivery_state == DeliveryState.queued
    assert str(result.ticket_number) in ack.body_text
    assert "קיבלנו" in ack.body_text
    assert ack.author_user_id is None  # not an agent's answer: no first response
    assert (await ticket(db, result.ticket_id)).first_responded_at is None


@pytest.mark.parametrize(
    "noise",
    [
        {"auto_submitted": True},  # Auto-Submitted, Precedence: bulk, list mail, …
        {"sender": None, "reply_to": None},
    ],
    ids=["auto-submitted", "no-sender"],
)
async def test_automatic_or_unanswerable_mail_gets_no_acknowledgement(db, settings, noise):
    result = await ingest(db, inbound(**noise), settings)
    assert result.outcome == "created"
    outbound = [
        m for m in await messages_of(db, result.ticket_id) if m.direction == Direction.outbound
    ]
    assert outbound == []


async def test_mail_without_a_sender_is_kept_with_a_warning(db, settings):
    result = await ingest(db, inbound(sender=None, warnings=("No From header.",)), settings)
    first = (await messages_of(db, result.ticket_id))[0]
    assert "No From header." in first.meta["warnings"]
    assert any("no sender" in w for w in first.meta["warnings"])


async def test_a_mail_loop_is_braked_by_the_per_sender_limit(db, settings):
    robot = email(f"robot.{secrets.token_hex(3)}@example.com")
    acknowledged = 0
    for n in range(settings.ack_limit_per_hour + 2):
        result = await ingest(db, inbound(sender=robot, subject=f"Ticket {n}"), settings)
        assert result.outcome == "created"  # every message is still filed
        acknowledged += sum(
            m.direction == Direction.outbound for m in await messages_of(db, result.ticket_id)
        )
    assert acknowledged == settings.ack_limit_per_hour


async def test_mail_from_the_desks_own_address_is_ignored(db, settings):
    own = dataclasses.replace(settings, mail_addresses=("Sales <sales@desk.example>",))
    result = await ingest(db, inbound(sender=email("sales@desk.example")), own)
    assert result.outcome == "ignored"
    assert result.ticket_id is None
    looped = await ingest(db, inbound(sender=email("support@servicedesk.example")), settings)
    assert looped.outcome == "ignored"


async def _agent_reply_with_id(db: Database, ticket_id: int, provider_id: str) -> int:
    """An outbound e-mail as the outbox leaves it: sent, with its Message-ID."""
    async with db.unit_of_work(Actor.system()) as uow:
        row = await uow.session.get(Ticket, ticket_id)
        sent = await tickets.add_message(
            uow,
            row,
            tickets.NewMessage(
                channel=Channel.email,
                direction=Direction.outbound,
                body_text="Please send a photo.",
                provider_id=provider_id,
            ),
            deliver=True,
        )
        return sent.id


async def test_a_bounce_lands_on_the_ticket_flags_the_address_and_opens_nothing(db, settings):
    first = inbound()
    opened = await ingest(db, first, settings)
    our_id = f"{secrets.token_hex(6)}@servicedesk.example"
    sent_id = await _agent_reply_with_id(db, opened.ticket_id, our_id)
    dsn = inbound(
        sender=email("mailer-daemon@mx.example.com"),
        subject="Undelivered Mail Returned to Sender",
        auto_submitted=True,
        bounce=Bounce(our_id, (first.sender.value,), True, "550 5.1.1 user unknown"),
    )
    result = await ingest(db, dsn, settings)
    assert result.outcome == "bounce"
    assert result.ticket_id == opened.ticket_id
    rows = await messages_of(db, opened.ticket_id)
    note = rows[-1]
    assert not note.is_public
    assert "550 5.1.1 user unknown" in note.body_text
    assert next(m for m in rows if m.id == sent_id).delivery_state == DeliveryState.bounced
    async with db.read_session() as session:
        identity = await session.scalar(
            select(CustomerIdentity).where(CustomerIdentity.value == first.sender.value)
        )
    assert identity.bounced_at is not None
    # They write again, which shows the address works: the flag is cleared.
    again = await ingest(db, inbound(sender=first.sender, subject="new problem"), settings)
    assert again.outcome == "created"
    async with db.read_session() as session:
        identity = await session.scalar(
            select(CustomerIdentity).where(CustomerIdentity.value == first.sender.value)
        )
    assert identity.bounced_at is None


async def test_no_acknowledgement_goes_to_an_address_that_bounces(db, settings):
    dead = email(f"gone.{secrets.token_hex(3)}@example.com")
    await ingest(db, inbound(sender=dead), settings)  # known customer address
    dsn = inbound(
        sender=email("mailer-daemon@mx.example.com"),
        auto_submitted=True,
        bounce=Bounce("never-sent@elsewhere", (dead.value,), True, "550 mailbox gone"),
    )
    await ingest(db, dsn, settings)
    result = await ingest(db, inbound(reply_to=dead), settings)
    outbound = [
        m for m in await messages_of(db, result.ticket_id) if m.direction == Direction.outbound
    ]
    assert outbound == []


async def test_a_bounce_of_unknown_mail_opens_no_ticket(db, settings):
    before = await _count(db, Ticket)
    dsn = inbound(
        sender=email("mailer-daemon@mx.example.com"),
        auto_submitted=True,
        bounce=Bounce("never-sent@elsewhere", ("x@example.com",), True, "550 no such user"),
    )
    result = await ingest(db, dsn, settings)
    assert result.outcome == "ignored"
    assert await _count(db, Ticket) == before


async def _count(db: Database, model: Any) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)))


async def test_an_unreachable_database_is_a_temporary_failure(settings: Settings):
    closed = Database(
        make_engine("postgresql+asyncpg://nobody@127.0.0.1:9/nothing", pool_size=1), EventBus()
    )
    try:
        with pytest.raises(TemporaryFailure):
            await ingest(closed, inbound(), settings)
    finally:
        await closed.dispose()


async def test_concurrent_deliveries_of_one_message_store_it_once(committed_db, settings):
    message = inbound()
    results = await asyncio.gather(*(ingest(committed_db, message, settings) for _ in range(4)))
    assert len({r.ticket_id for r in results}) == 1
    assert sorted(r.outcome for r in results).count("created") == 1
    async with committed_db.read_session() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.provider_id == message.provider_id)
        )
    assert stored == 1


async def test_collaborators_show_on_the_ticket_in_the_api(client, db, settings):
    message = inbound(cc=(email("noa@example.com", "Noa"),))
    result = await ingest(db, message, settings)
    supervisor = await create_api_user(db, Role.supervisor)
    body = (
        await client.get(f"/api/v1/tickets/{result.ticket_id}", headers=supervisor.headers)
    ).json()
    assert body["collaborators"] == [{"address": "noa@example.com", "name": "Noa"}]
