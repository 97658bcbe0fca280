"""IMAP polling against a real Dovecot (tests/dovecot.py): a message is marked
or moved only after its ticket is committed, and never when it was not."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager

from servicedesk.app import create_app
from servicedesk.channels.email.imap import FILED, REJECTED, Mailbox, MailboxPoller
from servicedesk.db import Database, make_engine
from servicedesk.events import EventBus
from tests.channels.email.transport_support import filed, sample_mail
from tests.dovecot import Dovecot, MailAccount, running_dovecot
from tests.live_server import free_port

LIMIT = 32 * 1024


@pytest.fixture(scope="module")
async def dovecot() -> AsyncIterator[Dovecot]:
    async with running_dovecot() as server:
        yield server


@pytest.fixture
def account(dovecot: Dovecot) -> MailAccount:
    return dovecot.add_account()


@pytest.fixture
def imap_settings(settings):
    return dataclasses.replace(settings, mail_max_bytes=LIMIT, run_worker=False)


def poller(db: Database, settings, url: str) -> MailboxPoller:
    return MailboxPoller(db, settings, Mailbox.parse(url))


async def test_a_new_message_is_filed_then_marked(
    dovecot, account, committed_db, committed_engine, imap_settings
):
    mail = sample_mail()
    await dovecot.deliver(account, mail.raw)
    report = await poller(committed_db, imap_settings, account.url()).poll_once()
    [(uid, result)] = report.filed.items()
    stored = await filed(committed_engine, mail.message_id)
    assert stored.ticket_ids == [result.ticket_id]
    assert {"\\Seen", FILED} <= (await dovecot.messages(account))[uid]


async def test_a_marked_message_is_not_fetched_again(
    dovecot, account, committed_db, committed_engine, imap_settings
):
    mail = sample_mail()
    await dovecot.deliver(account, mail.raw)
    polling = poller(committed_db, imap_settings, account.url())
    assert len((await polling.poll_once()).filed) == 1
    again = await polling.poll_once()
    assert again.filed == {}
    assert len((await filed(committed_engine, mail.message_id)).ticket_ids) == 1


async def test_the_same_message_delivered_twice_is_stored_once(
    dovecot, account, committed_db, committed_engine, imap_settings
):
    mail = sample_mail()
    await dovecot.deliver(account, mail.raw)
    await dovecot.deliver(account, mail.raw)
    report = await poller(committed_db, imap_settings, account.url()).poll_once()
    assert len(report.filed) == 2  # both copies are marked done…
    outcomes = sorted(result.outcome for result in report.filed.values())
    assert outcomes == ["created", "duplicate"]
    stored = await filed(committed_engine, mail.message_id)
    assert len(stored.ticket_ids) == 1  # …and the desk holds one
    assert all(FILED in flags for flags in (await dovecot.messages(account)).values())


async def test_with_move_the_message_lands_in_the_folder_made_for_it(
    dovecot, account, committed_db, committed_engine, imap_settings
):
    mail = sample_mail()
    await dovecot.deliver(account, mail.raw)
    report = await poller(committed_db, imap_settings, account.url(move="Done")).poll_once()
    assert len(report.filed) == 1
    assert await dovecot.messages(account) == {}
    [flags] = (await dovecot.messages(account, "Done")).values()
    assert {"\\Seen", FILED} <= flags
    assert len((await filed(committed_engine, mail.message_id)).ticket_ids) == 1


async def test_a_message_marked_but_not_moved_is_moved_on_the_next_poll(
    dovecot, account, committed_db, committed_engine, imap_settings
):
    """As after a connection lost between the mark and the move."""
    mail = sample_mail()
    await dovecot.deliver(account, mail.raw)
    await poller(committed_db, imap_settings, account.url()).poll_once()  # marks, no move
    report = await poller(committed_db, imap_settings, account.url(move="Done")).poll_once()
    assert report.filed == {}
    assert len(report.moved_late) == 1
    assert await dovecot.messages(account) == {}
    assert len(await dovecot.messages(account, "Done")) == 1
    assert len((await filed(committed_engine, mail.message_id)).ticket_ids) == 1


async def test_database_down_leaves_every_message_untouched(dovecot, account, imap_settings):
    for _ in range(2):
        await dovecot.deliver(account, sample_mail().raw)
    down = Database(
        make_engine(f"postgresql+asyncpg://desk:desk@127.0.0.1:{free_port()}/desk", pool_size=1),
        EventBus(),
    )
    try:
        report = await poller(down, imap_settings, account.url(move="Done")).poll_once()
    finally:
        await down.dispose()
    assert report.deferred
    assert report.filed == {}
    assert len(report.failed) == 1  # the first one failed; the second waits without a try
    flags = await dovecot.messages(account)
    assert len(flags) == 2
    assert all(
        not ({"\\Seen", FILED, REJECTED} & message_flags) for message_flags in flags.values()
    )


async def test_an_oversize_message_is_flagged_rejected_not_retried(
    dovecot, account, committed_db, committed_engine, imap_settings
):
    big = sample_mail(padding=2 * LIMIT)
    small = sample_mail()
    await dovecot.deliver(account, big.raw)
    await dovecot.deliver(account, small.raw)
    polling = poller(committed_db, imap_settings, account.url(move="Done"))
    report = await polling.poll_once()
    assert len(report.rejected) == 1
    assert len(report.filed) == 1
    [(uid, flags)] = (await dovecot.messages(account)).items()  # the big one stays, unread
    assert uid == report.rejected[0]
    assert {"\\Flagged", REJECTED} <= flags
    assert "\\Seen" not in flags
    assert (await filed(committed_engine, big.message_id)).ticket_ids == []
    again = await polling.poll_once()
    assert again.rejected == []
    assert again.filed == {}


async def test_the_app_polls_configured_mailboxes(
    dovecot, account, committed_db, committed_engine, imap_settings
):
    """IMAP_MAILBOXES starts a poller in the lifespan; the message comes in."""
    mail = sample_mail()
    await dovecot.deliver(account, mail.raw)
    configured = dataclasses.replace(
        imap_settings, imap_mailboxes=(account.url(move="Done"),), imap_poll_seconds=0.2
    )
    await dovecot.create_folder(account, "Done")
    async with LifespanManager(create_app(configured, database=committed_db)):
        async with asyncio.timeout(60):  # a guard against hanging, nothing is timed
            await dovecot.wait_for_message(account, "Done")  # IMAP IDLE: told, not polled
    assert len((await filed(committed_engine, mail.message_id)).ticket_ids) == 1


def test_mailbox_urls_decode_user_password_and_folders():
    box = Mailbox.parse("imaps://desk%40example.com:p%40ss%20w@imap.example/Support%20In?move=Done")
    assert (box.tls, box.host, box.port) == (True, "imap.example", 993)
    assert (box.user, box.password) == ("desk@example.com", "p@ss w")
    assert (box.folder, box.move_to) == ("Support In", "Done")
    assert "p@ss" not in str(box)
    assert "p@ss" not in repr(box)
    plain = Mailbox.parse("imap://u:p@127.0.0.1:1143")
    assert (plain.tls, plain.port, plain.folder, plain.move_to) == (False, 1143, "INBOX", None)


@pytest.mark.parametrize(
    "url",
    ["pop3://u:p@h/", "imap://h/INBOX", "imap://u@h/", "imap://u:p@h/INBOX?delete=yes"],
)
def test_bad_mailbox_urls_are_refused_without_showing_the_password(url):
    with pytest.raises(ValueError, match="IMAP mailbox") as refused:
        Mailbox.parse(url)
    assert ":p@" not in str(refused.value)


def test_failed_polls_back_off_up_to_the_ceiling(imap_settings):
    polling = poller(None, dataclasses.replace(imap_settings, imap_poll_seconds=30), "imap://u:p@h")  # type: ignore[arg-type]
    assert [polling.next_delay(n) for n in range(6)] == [30, 60, 120, 240, 300, 300]
