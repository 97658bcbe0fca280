"""The SMTP intake listener, driven by a real SMTP client (aiosmtplib): started by
the app's lifespan on SMTP_LISTEN, "250" only once the ticket is committed."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import aiosmtplib
import pytest
from asgi_lifespan import LifespanManager

from servicedesk.app import create_app
from servicedesk.channels.email.smtp_listener import SmtpListener, parse_listen
from servicedesk.db import Database, make_engine
from servicedesk.events import EventBus
from tests.channels.email.transport_support import filed, sample_mail
from tests.live_server import free_port

LIMIT = 32 * 1024
DESK = "support@desk.example"


@pytest.fixture
async def smtp_port(committed_db: Database, settings) -> AsyncIterator[int]:
    """The app (lifespan and all) listening for mail on a free port."""
    port = free_port()
    configured = dataclasses.replace(
        settings, smtp_listen=f"127.0.0.1:{port}", mail_max_bytes=LIMIT, run_worker=False
    )
    async with LifespanManager(create_app(configured, database=committed_db)):
        yield port


async def send(port: int, raw: bytes, sender: str = "noa@example.com") -> str:
    """The server's 250 reply text (any other reply raises)."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
        await smtp.ehlo()
        await smtp.mail(sender)
        await smtp.rcpt(DESK)
        response = await smtp.data(raw)
    assert response.code == 250
    return response.message


async def test_accepted_means_committed_on_a_ticket(smtp_port, committed_engine):
    mail = sample_mail()
    reply = await send(smtp_port, mail.raw)
    assert reply.startswith("OK: ticket ")
    ticket_id = int(reply.removeprefix("OK: ticket "))
    stored = await filed(committed_engine, mail.message_id)
    assert stored.ticket_ids == [ticket_id]
    assert stored.subjects == [mail.subject]


async def test_the_same_message_twice_is_stored_once(smtp_port, committed_engine):
    mail = sample_mail()
    first = await send(smtp_port, mail.raw)
    again = await send(smtp_port, mail.raw)
    assert first == again  # the same ticket, said twice
    assert len((await filed(committed_engine, mail.message_id)).ticket_ids) == 1


async def test_every_recipient_is_accepted_and_the_message_filed_once(smtp_port, committed_engine):
    mail = sample_mail()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port) as smtp:
        refused, reply = await smtp.sendmail(
            "noa@example.com", [DESK, "billing@desk.example", "any@else.example"], mail.raw
        )
    assert refused == {}
    assert reply.startswith("OK: ticket ")
    assert len((await filed(committed_engine, mail.message_id)).ticket_ids) == 1


async def test_oversize_announced_with_size_is_refused_at_mail_from(smtp_port):
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port) as smtp:
        await smtp.ehlo()
        assert smtp.supports_extension("size")
        assert smtp.esmtp_extensions["size"] == str(LIMIT)
        with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
            await smtp.mail("noa@example.com", options=[f"SIZE={LIMIT + 1}"])
    assert refused.value.code == 552
    assert refused.value.message.startswith("5.3.4")


async def test_oversize_data_is_refused_with_552_and_nothing_stored(smtp_port, committed_engine):
    mail = sample_mail(padding=2 * LIMIT)
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port) as smtp:
        await smtp.ehlo()
        await smtp.mail("noa@example.com")  # no SIZE announced: found out while reading
        await smtp.rcpt(DESK)
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await smtp.data(mail.raw)
        # The session goes on: the next message is taken.
        small = sample_mail()
        _, reply = await smtp.sendmail("noa@example.com", [DESK], small.raw)
    assert refused.value.code == 552
    assert refused.value.message.startswith("5.3.4")
    assert (await filed(committed_engine, mail.message_id)).ticket_ids == []
    assert reply.startswith("OK: ticket ")


async def test_database_down_answers_451_so_the_client_retries(settings):
    closed = free_port()
    down = Database(
        make_engine(f"postgresql+asyncpg://desk:desk@127.0.0.1:{closed}/desk", pool_size=1),
        EventBus(),
    )
    listener = SmtpListener(down, settings, "127.0.0.1", 0)
    await listener.start()
    try:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=listener.port) as smtp:
            with pytest.raises(aiosmtplib.SMTPDataError) as deferred:
                await smtp.sendmail("noa@example.com", [DESK], sample_mail().raw)
    finally:
        await listener.stop()
        await down.dispose()
    assert deferred.value.code == 451
    assert deferred.value.message.startswith("4.3.0")


async def test_stopping_the_app_closes_the_port(committed_db, settings):
    port = free_port()
    configured = dataclasses.replace(settings, smtp_listen=f"127.0.0.1:{port}", run_worker=False)
    async with LifespanManager(create_app(configured, database=committed_db)):
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
            await smtp.noop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await aiosmtplib.SMTP(hostname="127.0.0.1", port=port).connect()


async def test_stopping_hangs_up_on_a_connected_client(committed_db, settings):
    port = free_port()
    configured = dataclasses.replace(settings, smtp_listen=f"127.0.0.1:{port}", run_worker=False)
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    async with LifespanManager(create_app(configured, database=committed_db)):
        await smtp.connect()
        await smtp.noop()
    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await smtp.noop()
    smtp.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("127.0.0.1:2525", ("127.0.0.1", 2525)), ("[::1]:25", ("::1", 25)), ("mx:0", ("mx", 0))],
)
def test_smtp_listen_is_host_and_port(value, expected):
    assert parse_listen(value) == expected


@pytest.mark.parametrize("value", ["2525", ":2525", "localhost:", "host:smtp", "h:70000"])
def test_smtp_listen_rejects_what_is_not_host_and_port(value):
    with pytest.raises(ValueError, match="SMTP_LISTEN"):
        parse_listen(value)
