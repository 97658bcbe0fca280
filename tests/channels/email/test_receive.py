"""Real mail, good and hostile, through the one intake function every transport
calls: each becomes a ticket (or a threaded reply, or a bounce note), or a clear
rejection, never a crash and never a silent drop."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from servicedesk.channels.email.receive import MessageTooLarge, receive_email
from servicedesk.enums import Direction
from servicedesk.tickets.models import Attachment, Blob, Message, Ticket

FIXTURES = Path(__file__).parents[2] / "fixtures" / "mail"
MB = 1024 * 1024


async def stored(db, message_id: int) -> Message:
    async with db.read_session() as session:
        row = await session.get(Message, message_id)
        assert row is not None
        return row


async def raw_of(db, message: Message) -> bytes:
    async with db.read_session() as session:
        blob = await session.get(Blob, message.meta["raw_sha256"])
        assert blob is not None
        return blob.data


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.eml")))
async def test_every_sample_lands_with_its_source_kept(db, settings, fixture):
    raw = (FIXTURES / fixture).read_bytes()
    result = await receive_email(db, raw, settings)
    if result.outcome == "ignored":  # a bounce of mail this desk never sent
        assert "bounce" in result.reason
        return
    assert result.outcome in ("created", "appended", "bounce")
    message = await stored(db, result.message_id)
    assert await raw_of(db, message) == raw
    assert message.direction == Direction.inbound


def _plain(subject: str = "Hello", body: str = "Hi there.") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Dana Levi <dana.receive@example.com>"
    mail["To"] = "support@servicedesk.example"
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="mail.example")
    mail.set_content(body)
    return mail


def _many_parts(count: int) -> bytes:
    mail = _plain("Two thousand parts")
    mail.make_mixed()
    for n in range(count):
        mail.add_attachment(f"part {n}".encode(), maintype="text", subtype="plain")
    return mail.as_bytes()


def _header_bomb() -> bytes:
    head = "".join(f"X-Filler-{n}: {'x' * 60}\r\n" for n in range(20_000))
    return (
        f"From: bomb@example.com\r\nSubject: header bomb\r\nMessage-ID: <{make_msgid()[1:-1]}>\r\n"
        f"{head}\r\nbody\r\n"
    ).encode()


HOSTILE = {
    "no-from": b"To: support@servicedesk.example\r\nSubject: who am I\r\n\r\nhello\r\n",
    "malformed-headers": (
        b"From: <<<@@@>>>\r\nTo: ,,,;;\r\nSubject: =?utf-8?B?broken?=\r\nDate: yesterday\r\n"
        b"Message-ID: not an id\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n"
    ),
    "unknown-charset": (
        b"From: a@example.com\r\nSubject: charset\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n\xf9\xec\xe5\xed\r\n"
    ),
    "nul-bytes": b"From: a@example.com\r\nSubject: nul\x00here\r\n\r\nbody\x00with\x00nuls\r\n",
    "garbage": bytes(range(256)) * 40,
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_mail_becomes_a_ticket_with_a_warning_or_the_source(db, settings, name):
    raw = HOSTILE[name]
    result = await receive_email(db, raw, settings)
    assert result.outcome == "created"
    message = await stored(db, result.message_id)
    assert await raw_of(db, message) == raw
    assert "\x00" not in message.body_text
    if name in ("no-from", "garbage", "empty", "malformed-headers"):
        assert message.meta["warnings"]


async def test_two_thousand_parts_are_read_up_to_the_limit_and_filed(db, settings):
    result = await receive_email(db, _many_parts(2000), settings)
    assert result.outcome == "created"
    message = await stored(db, result.message_id)
    assert any("part" in w for w in message.meta["warnings"])
    async with db.read_session() as session:
        kept = await session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.message_id == message.id)
        )
    assert 0 < kept < 2000


async def test_a_header_bomb_is_filed(db, settings):
    result = await receive_email(db, _header_bomb(), settings)
    assert result.outcome == "created"
    async with db.read_session() as session:
        ticket = await session.get(Ticket, result.ticket_id)
    assert ticket.subject == "header bomb"


async def test_a_30_mb_attachment_is_refused_whole_over_the_size_limit(db, settings):
    mail = _plain("Big file")
    mail.add_attachment(b"\x00" * (30 * MB), maintype="application", subtype="octet-stream")
    raw = mail.as_bytes()
    with pytest.raises(MessageTooLarge):
        await receive_email(db, raw, settings)


async def test_an_attachment_over_its_limit_is_dropped_with_a_warning(db, settings):
    roomy = dataclasses.replace(settings, mail_max_bytes=60 * MB, max_attachment_bytes=25 * MB)
    mail = _plain("Big file")
    mail.add_attachment(
        b"\x00" * (30 * MB), maintype="application", subtype="octet-stream", filename="disk.img"
    )
    mail.add_attachment(b"small", maintype="text", subtype="plain", filename="note.txt")
    result = await receive_email(db, mail.as_bytes(), roomy)
    message = await stored(db, result.message_id)
    assert any("disk.img" in w for w in message.meta["warnings"])
    async with db.read_session() as session:
        names = list(
            await session.scalars(
                select(Attachment.filename).where(Attachment.message_id == message.id)
            )
        )
    assert names == ["note.txt"]


async def test_a_reply_from_a_mail_client_threads_onto_the_ticket(db, settings):
    first = _plain("Dishwasher error E24", "It shows E24.")
    opened = await receive_email(db, first.as_bytes(), settings)
    reply = _plain("Re: Dishwasher error E24", "Still E24.\n\nOn Sun, Dana wrote:\n> It shows E24.")
    reply["In-Reply-To"] = first["Message-ID"]
    reply["References"] = first["Message-ID"]
    result = await receive_email(db, reply.as_bytes(), settings)
    assert result.outcome == "appended"
    assert result.ticket_id == opened.ticket_id
    message = await stored(db, result.message_id)
    assert message.body_text == "Still E24."
    assert "It shows E24." in message.meta["full_text"]


async def test_mail_from_the_desks_default_address_comes_back_ignored(db, settings):
    mail = _plain("Out of office: your ticket")
    del mail["From"]
    mail["From"] = settings.mail_from
    result = await receive_email(db, mail.as_bytes(), settings)
    assert result.outcome == "ignored"
    assert result.ticket_id is None
