"""Outbound e-mail end to end: a reply commits with its job (the outbox), procrastinate's
real worker runs the job against the real database, and the mail reaches a real SMTP
server (tests/smtp_sink.py). These tests commit for real, so they share a database of
their own; each starts with an empty job queue."""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from email.message import EmailMessage

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from servicedesk import migrate
from servicedesk.app import create_app
from servicedesk.channels.email.outbox import defer_send
from servicedesk.channels.email.receive import receive_email
from servicedesk.channels.email.send import NO_RELAY
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database, make_engine
from servicedesk.enums import Channel, DeliveryState, Direction, Role
from servicedesk.events import EventBus, TicketUpdated
from servicedesk.jobs import Backoff, create_job_app
from servicedesk.settings import Settings
from servicedesk.tickets import service as tickets
from servicedesk.tickets.attachments import NewAttachment
from servicedesk.tickets.models import Message, Ticket, TicketCollaborator
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.live_server import free_port
from tests.smtp_sink import SmtpSink

_seq = itertools.count(1)
DESK = "support@desk.example"
# Retries are never waited for: a test that wants the next attempt declares the back-off
# over (`back_off_elapsed`). Three attempts keep "gave up" one step away.
RETRY = Backoff(attempts=3, first=3600)


@pytest.fixture(scope="module")
async def mail_db(databases, settings) -> AsyncIterator[Database]:
    url = await databases.create("sd_mail")
    engine = make_engine(url, pool_size=4)
    await migrate.upgrade(engine)
    bus = EventBus()
    subscribe_domain(bus, mail_settings(settings, relay=None))
    yield Database(engine, bus)
    await engine.dispose()


@pytest.fixture(autouse=True)
async def empty_queue(mail_db: Database) -> None:
    async with mail_db.engine.begin() as conn:
        await conn.execute(text("TRUNCATE procrastinate_jobs CASCADE"))


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


def mail_settings(settings: Settings, *, relay: str | None, **changes) -> Settings:
    return replace(
        settings,
        smtp_relay=relay,
        mail_from=f"Service desk <{DESK}>",
        mail_addresses=(DESK,),
        **({"run_worker": False} | changes),
    )


async def work(db: Database, settings: Settings, *, retry: Backoff = RETRY) -> None:
    """procrastinate's own worker on the real queue, until no job is due."""
    app = create_job_app(settings, db, retry=retry)
    async with app.open_async():
        await app.run_worker_async(wait=False, install_signal_handlers=False, listen_notify=False)


async def back_off_elapsed(db: Database) -> None:
    """Time passes: the retries scheduled by the back-off are due now."""
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")
        )


async def jobs_waiting(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int(
            await conn.scalar(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            )
            or 0
        )


async def message(db: Database, message_id: int) -> Message:
    async with db.read_session() as session:
        found = await session.get(Message, message_id)
    assert found is not None
    return found


@dataclass
class Thread:
    ticket: Ticket
    customer: Customer
    address: str  # the customer's e-mail address
    ids: list[str]  # the Message-IDs of the customer's two mails


async def email_ticket(
    db: Database, *, language: str = "en", reply_to: str | None = None, cc=()
) -> Thread:
    """A ticket opened by e-mail, and the customer's follow-up on it."""
    n = next(_seq)
    queue = await f.create_team(db)
    address = f"noa{n}@mail.example"
    customer = await f.create_customer(db, name="Noa Levi", email=address)
    ids = [f"first-{n}@mail.example", f"second-{n}@mail.example"]
    async with db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Customer, customer.id)
        assert held is not None
        held.preferred_language = language
        ticket, _ = await tickets.create_ticket(
            uow,
            subject="Washer leaks",
            customer=held,
            queue_id=queue.id,
            first=tickets.NewMessage(
                channel=Channel.email,
                direction=Direction.inbound,
                body_text="It leaks from the door.",
                author_customer_id=customer.id,
                provider_id=ids[0],
            ),
        )
        await tickets.add_message(
            uow,
            ticket,
            tickets.NewMessage(
                channel=Channel.email,
                direction=Direction.inbound,
                body_text="Still leaking.",
                author_customer_id=customer.id,
                provider_id=ids[1],
                meta={"email": {"reply_to": reply_to}} if reply_to else {},
            ),
        )
        for cc_address, name in cc:
            uow.session.add(TicketCollaborator(ticket_id=ticket.id, address=cc_address, name=name))
    return Thread(ticket, held, address, ids)


async def reply(db: Database, ticket: Ticket, body: str = "We are on it.", files=()) -> int:
    """An agent's public reply through the ticket service, with attachments, in one
    transaction (the outbox defers its job inside it)."""
    agent = await f.create_staff(db, Role.agent)
    async with db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, ticket.id)
        assert held is not None
        written = await tickets.add_reply(
            uow, held, author=agent.user, body=body, public=True, attachments=files
        )
        assert written.id is not None
    return written.id


def parts(mail: EmailMessage) -> tuple[str, str]:
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None
    assert html is not None
    return plain.get_content(), html.get_content()


async def test_agent_reply_via_the_api_reaches_the_customer_threaded(mail_db, settings, sink):
    config = mail_settings(settings, relay=sink.relay)
    thread = await email_ticket(
        mail_db, cc=[("Dan@Mail.Example", "Dan Cohen"), (DESK, "Our own address")]
    )
    ticket, customer_ids = thread.ticket, thread.ids
    agent = await f.create_staff(mail_db, Role.admin)
    app = create_app(config, database=mail_db)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as api,
    ):
        answer = await api.post(
            f"/api/v1/tickets/{ticket.id}/replies",
            json={
                "body": "A technician comes on Sunday.",
                "attachments": [
                    {
                        "filename": "visit.ics",
                        "content_type": "text/calendar",
                        "content_base64": base64.b64encode(b"BEGIN:VCALENDAR").decode(),
                    }
                ],
            },
            headers=agent.headers,
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["delivery_state"] == "queued"
        message_id = answer.json()["id"]

        await work(mail_db, config)

        (mail,) = await sink.wait_for(1)
        stored = await message(mail_db, message_id)
        assert stored.provider_id is not None
        assert stored.provider_id.endswith("@desk.example")
        m = mail.message
        assert m["Message-ID"] == f"<{stored.provider_id}>"
        assert m["In-Reply-To"] == f"<{customer_ids[1]}>"
        assert m["References"] == f"<{customer_ids[0]}> <{customer_ids[1]}>"
        assert m["Subject"] == f"Re: [#{ticket.number}] Washer leaks"
        assert m["From"] == f"Service desk <{DESK}>"
        assert m["To"].addresses[0].addr_spec == thread.address
        assert m["To"].addresses[0].display_name == "Noa Levi"
        assert [a.addr_spec for a in m["Cc"].addresses] == ["dan@mail.example"]
        assert "Auto-Submitted" not in m
        assert m["Content-Language"] == "en"
        assert mail.mail_from == DESK
        assert mail.rcpt_tos == (thread.address, "dan@mail.example")
        plain, html = parts(m)
        assert "A technician comes on Sunday." in plain
        assert f"[#{ticket.number}]" in plain
        assert 'dir="ltr"' in html
        (attached,) = list(m.iter_attachments())
        assert attached.get_filename() == "visit.ics"
        assert attached.get_content_type() == "text/calendar"

        shown = await api.get(f"/api/v1/tickets/{ticket.id}", headers=agent.headers)
        (sent,) = [x for x in shown.json()["messages"] if x["id"] == message_id]
        assert sent["delivery_state"] == "sent"
        assert sent["delivery_error"] == ""
    assert await jobs_waiting(mail_db) == 0


async def test_reply_goes_to_the_reply_to_of_the_customers_latest_mail(mail_db, settings, sink):
    config = mail_settings(settings, relay=sink.relay)
    thread = await email_ticket(mail_db, reply_to="Noa.Home@Mail.Example")
    await reply(mail_db, thread.ticket)
    await work(mail_db, config)
    (mail,) = await sink.wait_for(1)
    assert mail.rcpt_tos == ("noa.home@mail.example",)
    assert mail.message["To"].addresses[0].display_name == thread.customer.name


async def test_hebrew_customer_gets_right_to_left_html_and_the_attachment(mail_db, settings, sink):
    config = mail_settings(settings, relay=sink.relay)
    ticket = (await email_ticket(mail_db, language="he")).ticket
    invoice = NewAttachment("חשבונית.pdf", "application/pdf", b"%PDF-1.4 invoice")
    message_id = await reply(mail_db, ticket, "הטכנאי יגיע ביום ראשון.", files=[invoice])
    await work(mail_db, config)
    (mail,) = await sink.wait_for(1)
    m = mail.message
    assert m["Content-Language"] == "he"
    plain, html = parts(m)
    assert "הטכנאי יגיע ביום ראשון." in plain
    assert '<html lang="he" dir="rtl">' in html
    assert "השיבו למכתב זה" in html  # the Hebrew footer
    (attached,) = list(m.iter_attachments())
    assert attached.get_filename() == "חשבונית.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == b"%PDF-1.4 invoice"
    assert (await message(mail_db, message_id)).delivery_state == DeliveryState.sent


async def test_relay_down_keeps_the_message_queued_then_delivers_it(mail_db, settings):
    down = SmtpSink(free_port())  # nothing listens there yet
    config = mail_settings(settings, relay=down.relay)
    ticket = (await email_ticket(mail_db)).ticket
    message_id = await reply(mail_db, ticket)

    await work(mail_db, config)
    waiting = await message(mail_db, message_id)
    assert waiting.delivery_state == DeliveryState.queued
    assert "Connect" in waiting.delivery_error or "refused" in waiting.delivery_error
    assert await jobs_waiting(mail_db) == 1  # the retry, scheduled by the back-off

    async with down:  # the relay is back
        await back_off_elapsed(mail_db)
        await work(mail_db, config)
        (mail,) = await down.wait_for(1)
    delivered = await message(mail_db, message_id)
    assert delivered.delivery_state == DeliveryState.sent
    assert delivered.delivery_error == ""
    assert mail.message["Message-ID"] == f"<{delivered.provider_id}>"
    assert await jobs_waiting(mail_db) == 0


async def test_the_last_attempt_gives_up_and_marks_the_message_failed(mail_db, settings):
    config = mail_settings(settings, relay=SmtpSink(free_port()).relay)
    ticket = (await email_ticket(mail_db)).ticket
    message_id = await reply(mail_db, ticket)
    for _ in range(RETRY.attempts - 1):
        await work(mail_db, config)
        assert (await message(mail_db, message_id)).delivery_state == DeliveryState.queued
        await back_off_elapsed(mail_db)
    await work(mail_db, config)
    failed = await message(mail_db, message_id)
    assert failed.delivery_state == DeliveryState.failed
    assert failed.delivery_error.startswith("gave up: ")
    assert await jobs_waiting(mail_db) == 0


async def test_a_temporary_refusal_is_retried(mail_db, settings, sink):
    config = mail_settings(settings, relay=sink.relay)
    ticket = (await email_ticket(mail_db)).ticket
    message_id = await reply(mail_db, ticket)
    sink.refuse_rcpt = "451 4.3.0 Mailbox busy, try later"
    await work(mail_db, config)
    waiting = await message(mail_db, message_id)
    assert waiting.delivery_state == DeliveryState.queued
    assert "451" in waiting.delivery_error
    sink.refuse_rcpt = None
    await back_off_elapsed(mail_db)
    await work(mail_db, config)
    await sink.wait_for(1)
    assert (await message(mail_db, message_id)).delivery_state == DeliveryState.sent


async def test_a_permanent_refusal_fails_without_retrying(mail_db, settings, sink):
    config = mail_settings(settings, relay=sink.relay)
    ticket = (await email_ticket(mail_db)).ticket
    message_id = await reply(mail_db, ticket)
    sink.refuse_rcpt = "550 5.1.1 No such user here"
    await work(mail_db, config)
    failed = await message(mail_db, message_id)
    assert failed.delivery_state == DeliveryState.failed
    assert "550 5.1.1 No such user here" in failed.delivery_error
    assert failed.delivery_updated_at is not None
    assert await jobs_waiting(mail_db) == 0
    assert sink.received == []


async def test_without_a_relay_the_message_fails_with_a_clear_error(mail_db, settings):
    ticket = (await email_ticket(mail_db)).ticket
    message_id = await reply(mail_db, ticket)
    await work(mail_db, mail_settings(settings, relay=None))
    failed = await message(mail_db, message_id)
    assert failed.delivery_state == DeliveryState.failed
    assert failed.delivery_error == NO_RELAY == "no SMTP relay configured (SMTP_RELAY)"


async def test_a_job_run_twice_sends_one_mail(mail_db, settings, sink):
    config = mail_settings(settings, relay=sink.relay)
    ticket = (await email_ticket(mail_db)).ticket
    message_id = await reply(mail_db, ticket)
    assert ticket.id is not None
    async with mail_db.unit_of_work(Actor.system()) as uow:  # the same job, once more
        await defer_send(uow, message_id=message_id, ticket_id=ticket.id)
    await work(mail_db, config)
    async with mail_db.unit_of_work(Actor.system()) as uow:  # and again, after it was sent
        await defer_send(uow, message_id=message_id, ticket_id=ticket.id)
    await work(mail_db, config)
    await sink.wait_for(1)
    assert len(sink.received) == 1
    assert (await message(mail_db, message_id)).delivery_state == DeliveryState.sent


async def test_replies_on_one_ticket_leave_in_order(mail_db, settings, sink):
    config = mail_settings(settings, relay=sink.relay)
    ticket = (await email_ticket(mail_db)).ticket
    bodies = ["First answer.", "Second answer.", "Third answer."]
    for body in bodies:
        await reply(mail_db, ticket, body)
    app = create_job_app(config, mail_db, retry=RETRY)
    async with app.open_async():
        # Three at a time if it could; the ticket's lock lets one run, the others wait
        # (a worker that does not wait stops then, so it is started again).
        for _ in range(len(bodies)):
            await app.run_worker_async(
                wait=False, install_signal_handlers=False, listen_notify=False, concurrency=3
            )
    mails = await sink.wait_for(3)
    assert [parts(m.message)[0].splitlines()[0] for m in mails] == bodies
    # Each later reply names the earlier ones we sent: the thread is one chain.
    assert mails[0].message["Message-ID"].strip("<>") in mails[2].message["References"]


async def test_the_in_process_worker_sends_and_the_screens_hear_of_it(mail_db, settings, sink):
    config = mail_settings(settings, relay=sink.relay, run_worker=True)
    ticket = (await email_ticket(mail_db)).ticket
    heard: list[TicketUpdated] = []
    delivered = asyncio.Event()

    async def on_update(event: TicketUpdated) -> None:
        if event.changed == ("delivery_state",):
            heard.append(event)
            delivered.set()

    served = Database(mail_db.engine, EventBus())  # the app's own bus, wired by its lifespan
    served.bus.subscribe_after_commit(TicketUpdated, on_update)
    app = create_app(config, database=served)
    async with LifespanManager(app):  # its lifespan starts the worker, and stops it
        message_id = await reply(served, ticket)
        await sink.wait_for(1)
        async with asyncio.timeout(30):  # a guard against hanging, nothing is timed
            await delivered.wait()
    assert (await message(mail_db, message_id)).delivery_state == DeliveryState.sent
    assert heard[0].ticket_id == ticket.id
    assert heard[0].version == (await _ticket(mail_db, ticket)).version  # not bumped


async def _ticket(db: Database, ticket: Ticket) -> Ticket:
    async with db.read_session() as session:
        found = await session.get(Ticket, ticket.id)
    assert found is not None
    return found


async def test_the_worker_command_sends_and_stops_on_sigterm(mail_db, settings, sink, tmp_path):
    """`servicedesk worker` in its own process, stopped the way a service manager stops it."""
    ticket = (await email_ticket(mail_db)).ticket
    message_id = await reply(mail_db, ticket)
    exe = shutil.which("servicedesk", path=os.path.dirname(sys.executable))
    assert exe is not None
    env = {
        **os.environ,
        "DATABASE_URL": mail_db.engine.url.render_as_string(hide_password=False),
        "SERVICEDESK_HOME": str(tmp_path),
        "SECRET_KEY": "worker-test-secret",
        "SMTP_RELAY": sink.relay,
        "MAIL_FROM": DESK,
        "LOG_LEVEL": "WARNING",
    }
    proc = await asyncio.create_subprocess_exec(
        exe, "worker", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        await sink.wait_for(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, log = await proc.communicate()
    assert proc.returncode == 0, log.decode()
    assert (await message(mail_db, message_id)).delivery_state == DeliveryState.sent


def customer_mail(
    message_id: str, subject: str, *, in_reply_to: str | None = None, cc: str | None = None
) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Noa Levi <noa.loop@mail.example>"
    mail["To"] = DESK
    if cc:
        mail["Cc"] = cc
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        mail["In-Reply-To"] = f"<{in_reply_to}>"
        mail["References"] = f"<{in_reply_to}>"
    mail.set_content("The washer leaks from the door.")
    return mail.as_bytes()


async def test_the_whole_loop_mail_in_acknowledgement_reply_and_the_answer_threads_back(
    mail_db, settings, sink
):
    config = mail_settings(settings, relay=sink.relay)
    first = await receive_email(
        mail_db,
        customer_mail("loop-1@mail.example", "Washer leaks", cc="Dan <dan.loop@mail.example>"),
        config,
    )
    assert first.outcome == "created"
    await work(mail_db, config)
    (ack,) = await sink.wait_for(1)
    assert ack.message["Auto-Submitted"] == "auto-replied"
    assert ack.message["In-Reply-To"] == "<loop-1@mail.example>"
    assert ack.rcpt_tos == ("noa.loop@mail.example",)  # the one who wrote, nobody else

    agent = await f.create_staff(mail_db, Role.admin)
    app = create_app(config, database=mail_db)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as api,
    ):
        answer = await api.post(
            f"/api/v1/tickets/{first.ticket_id}/replies",
            json={"body": "Please send a photo of the door seal."},
            headers=agent.headers,
        )
        assert answer.status_code == 201, answer.text
    await work(mail_db, config)
    _, reply_mail = await sink.wait_for(2)
    assert reply_mail.rcpt_tos == ("noa.loop@mail.example", "dan.loop@mail.example")
    assert reply_mail.message["In-Reply-To"] == "<loop-1@mail.example>"
    ours = reply_mail.message["Message-ID"].strip("<>")

    # The customer answers our reply; the subject lost its tag, the header did not.
    answered = await receive_email(
        mail_db, customer_mail("loop-2@mail.example", "Re: photo", in_reply_to=ours), config
    )
    assert answered.outcome == "appended"
    assert answered.ticket_id == first.ticket_id
