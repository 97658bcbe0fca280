"""Outbound e-mail, piece by piece: the outbox inside the caller's transaction (on
the rolled-back test database), the composed mail (no database), the worker's
configuration, and the delivery badge on the ticket screen."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import text

from servicedesk.channels.email.compose import (
    MAX_REFERENCES,
    Outgoing,
    StoredFile,
    Undeliverable,
    compose,
    subject,
)
from servicedesk.channels.email.outbox import SEND_TASK, message_id_domain
from servicedesk.channels.email.send import Relay, parse_host_port
from servicedesk.customers.models import Customer
from servicedesk.db import Actor, Database, utcnow
from servicedesk.enums import Channel, DeliveryState, Direction, Role
from servicedesk.jobs import (
    DEFAULT_BACKOFF,
    Backoff,
    create_job_app,
    libpq_conninfo,
    work_forever,
)
from servicedesk.settings import Settings
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Message, Ticket
from servicedesk.wiring import subscribe_domain
from tests import factories as f
from tests.web.conftest import sign_in

DESK = "support@desk.example"


@pytest.fixture
def mail(settings: Settings) -> Settings:
    return replace(settings, mail_from=f"Service desk <{DESK}>", mail_addresses=(DESK,))


async def _jobs(db: Database) -> list[dict[str, Any]]:
    async with db.read_session() as session:
        rows = await session.execute(
            text(
                "SELECT queue_name, task_name, priority, lock, queueing_lock, args, status,"
                " scheduled_at FROM procrastinate_jobs ORDER BY id"
            )
        )
        return [dict(row) for row in rows.mappings()]


async def _reply(db: Database, ticket: Ticket, *, public: bool = True, fail: bool = False):
    agent = await f.create_staff(db, Role.agent)
    async with db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, ticket.id)
        assert held is not None
        written = await tickets.add_reply(uow, held, author=agent.user, body="Hi", public=public)
        if fail:
            waiting = await uow.execute(text("SELECT count(*) FROM procrastinate_jobs"))
            assert waiting.scalar() == 1  # the job is there, in this transaction…
            raise RuntimeError("…and the request fails after the reply was written")
    return written


# -- the outbox ------------------------------------------------------------------------------


async def test_the_send_job_is_written_in_the_replys_transaction(db, mail):
    subscribe_domain(db.bus, mail)
    ticket = await f.create_ticket(db, await f.create_customer(db))
    written = await _reply(db, ticket)
    (job,) = await _jobs(db)
    assert job == {
        "queue_name": "email",
        "task_name": SEND_TASK,
        "priority": 0,
        "lock": f"ticket:{ticket.id}",
        "queueing_lock": None,
        "args": {"message_id": written.id},
        "status": "todo",
        "scheduled_at": None,
    }
    assert written.delivery_state == DeliveryState.queued
    assert written.provider_id is not None
    assert written.provider_id.endswith("@desk.example")
    assert "<" not in written.provider_id
    async with db.read_session() as session:
        stored = await session.get(Message, written.id)
    assert stored is not None
    assert stored.provider_id == written.provider_id  # committed with the message


async def test_a_rolled_back_reply_leaves_no_job(db, mail):
    subscribe_domain(db.bus, mail)
    ticket = await f.create_ticket(db, await f.create_customer(db))
    with pytest.raises(RuntimeError):
        await _reply(db, ticket, fail=True)
    assert await _jobs(db) == []
    async with db.read_session() as session:
        replies = await session.scalar(
            text("SELECT count(*) FROM message WHERE ticket_id = :t AND direction = 'out'"),
            {"t": ticket.id},
        )
    assert replies == 0


async def test_only_public_email_replies_get_a_job(db, mail):
    subscribe_domain(db.bus, mail)
    subscribe_domain(db.bus, mail)  # wiring twice changes nothing
    customer = await f.create_customer(db)
    by_mail = await f.create_ticket(db, customer)
    on_web = await f.create_ticket(db, customer, channel=Channel.web)
    note = await _reply(db, by_mail, public=False)
    web = await _reply(db, on_web)
    sent = await _reply(db, by_mail)
    assert [job["args"] for job in await _jobs(db)] == [{"message_id": sent.id}]
    assert note.provider_id is None
    assert note.delivery_state is None
    assert web.delivery_state is None


def test_message_ids_use_the_domain_of_mail_from():
    assert message_id_domain("Service desk <Support@Desk.Example>") == "desk.example"
    assert message_id_domain("support@desk.example") == "desk.example"
    assert message_id_domain("not an address") == "servicedesk.example"


# -- the composed mail -----------------------------------------------------------------------

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def _message(n: int, direction: Direction, provider_id: str | None, **meta: Any) -> Message:
    return Message(
        id=n,
        ticket_id=1,
        channel=Channel.email,
        direction=direction,
        body_text=f"message {n}",
        body_html=f"<p>message {n}</p>",
        provider_id=provider_id,
        meta=meta,
        created_at=T0 + timedelta(minutes=n),
    )


def _outgoing(
    *,
    earlier: list[Message] | None = None,
    language: str = "en",
    emails: tuple[str, ...] = ("noa@mail.example",),
    files: tuple[StoredFile, ...] = (),
    subject_line: str = "Washer leaks",
    **meta: Any,
) -> Outgoing:
    out = _message(99, Direction.outbound, "reply-99@desk.example", **meta)
    out.body_text = "A technician comes on Sunday."
    out.body_html = "<p>A technician comes on Sunday.</p>"
    return Outgoing(
        message=out,
        ticket=Ticket(id=1, number=10042, subject=subject_line, channel=Channel.email),
        customer=Customer(id=1, name="Noa Levi", preferred_language=language),
        customer_emails=list(emails),
        collaborators=[],
        earlier=earlier if earlier is not None else [],
        files=list(files),
    )


def _html(mail: EmailMessage) -> str:
    part = mail.get_body(("html",))
    assert part is not None
    return str(part.get_content())


@pytest.mark.parametrize(
    ("stored", "reply", "expected"),
    [
        ("Washer leaks", False, "[#10042] Washer leaks"),
        ("Washer leaks", True, "Re: [#10042] Washer leaks"),
        ("Re: RE: Fwd: Washer leaks", True, "Re: [#10042] Washer leaks"),
        ("[#10042] Washer leaks", True, "Re: [#10042] Washer leaks"),
        ("תשובה: המקרר לא מקרר", True, "Re: [#10042] המקרר לא מקרר"),
    ],
    ids=["new", "reply", "stacked-prefixes", "already-tagged", "hebrew-prefix"],
)
def test_subject_carries_the_ticket_tag_once(stored, reply, expected):
    assert subject(stored, 10042, reply=reply) == expected


def test_a_first_message_is_not_a_reply(mail):
    composed = compose(_outgoing(), mail)
    m = composed.email
    assert m["Subject"] == "[#10042] Washer leaks"
    assert "In-Reply-To" not in m
    assert "References" not in m
    assert m["Message-ID"] == "<reply-99@desk.example>"
    assert m["Date"] == "Sun, 29 Nov 2026 10:39:00 +0000"
    assert composed.sender == DESK
    assert composed.recipients == ["noa@mail.example"]


def test_threading_skips_ids_we_derived_and_answers_a_person_not_an_auto_reply(mail):
    earlier = [
        _message(1, Direction.inbound, "root@mail.example"),
        _message(2, Direction.outbound, "ack@desk.example", auto="acknowledgement"),
        _message(3, Direction.inbound, "sha256-4f2a9c"),  # mail that came without an id
        _message(4, Direction.inbound, "person@mail.example"),
        _message(5, Direction.inbound, "ooo@mail.example", auto_submitted=True),
    ]
    m = compose(_outgoing(earlier=earlier), mail).email
    assert m["In-Reply-To"] == "<person@mail.example>"
    assert m["References"] == (
        "<root@mail.example> <ack@desk.example> <person@mail.example> <ooo@mail.example>"
    )


def test_references_keep_the_root_and_the_newest(mail):
    earlier = [_message(n, Direction.inbound, f"m{n}@mail.example") for n in range(1, 31)]
    refs = compose(_outgoing(earlier=earlier), mail).email["References"].split()
    assert len(refs) == MAX_REFERENCES
    assert refs[0] == "<m1@mail.example>"
    assert refs[1] == "<m12@mail.example>"
    assert refs[-1] == "<m30@mail.example>"


def test_an_acknowledgement_is_marked_automatic_and_goes_where_it_was_addressed(mail):
    earlier = [_message(1, Direction.inbound, "root@mail.example")]
    composed = compose(
        _outgoing(earlier=earlier, auto="acknowledgement", to="Noa@Work.Example"), mail
    )
    m = composed.email
    assert m["Auto-Submitted"] == "auto-replied"
    assert m["X-Auto-Response-Suppress"] == "All"
    assert composed.recipients == ["noa@work.example"]


@pytest.mark.parametrize(
    "reply_to",
    [{"address": "noa.home@mail.example"}, "Noa <noa.home@mail.example>"],
    ids=["dict", "string"],
)
def test_the_reply_to_of_the_latest_mail_wins(mail, reply_to):
    earlier = [
        _message(1, Direction.inbound, "a@mail.example", email={"reply_to": "old@mail.example"}),
        _message(2, Direction.inbound, "b@mail.example", email={"reply_to": reply_to}),
    ]
    assert compose(_outgoing(earlier=earlier), mail).recipients == ["noa.home@mail.example"]


@pytest.mark.parametrize("junk", [42, ["x"], "not an address", {"address": None}])
def test_an_unreadable_reply_to_falls_back_to_the_customers_address(mail, junk):
    earlier = [_message(1, Direction.inbound, "a@mail.example", email={"reply_to": junk})]
    assert compose(_outgoing(earlier=earlier), mail).recipients == ["noa@mail.example"]


def test_no_address_at_all_is_undeliverable(mail):
    with pytest.raises(Undeliverable):
        compose(_outgoing(emails=()), mail)


def test_the_desk_never_mails_itself(mail):
    with pytest.raises(Undeliverable):  # a customer record holding our own address
        compose(_outgoing(emails=("Support@Desk.Example",)), mail)


@pytest.mark.parametrize(
    ("language", "direction", "footer"),
    [
        ("he", "rtl", "השיבו למכתב זה"),
        ("en", "ltr", "reply to this e-mail"),
        ("ar", "rtl", "reply to this e-mail"),  # right to left; the footer in English
        ("ru", "ltr", "reply to this e-mail"),
    ],
)
def test_html_follows_the_customers_language(mail, language, direction, footer):
    m = compose(_outgoing(language=language), mail).email
    html = _html(m)
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert "<p>A technician comes on Sunday.</p>" in html
    assert footer in html
    assert m["Content-Language"] == language


def test_inline_pictures_stay_with_the_html_and_files_are_attached(mail):
    files = (
        StoredFile("logo.png", "image/png", b"\x89PNG", content_id="<logo@desk>", inline=True),
        StoredFile("manual.pdf", "application/pdf", b"%PDF"),
        StoredFile("odd.bin", "nonsense", b"\x00\x01"),
    )
    m = compose(_outgoing(files=files), mail).email
    related = m.get_body(("related",))
    assert related is not None
    assert [p.get_content_type() for p in related.iter_parts()] == ["text/html", "image/png"]
    attached = {a.get_filename(): a.get_content_type() for a in m.iter_attachments()}
    assert attached == {"manual.pdf": "application/pdf", "odd.bin": "application/octet-stream"}


# -- the worker's configuration ------------------------------------------------------------


def test_the_embedded_servers_socket_url_becomes_a_libpq_conninfo():
    url = "postgresql+asyncpg://postgres@/sd_test?host=/tmp/pg%20socket"
    assert conninfo_to_dict(libpq_conninfo(url)) == {
        "host": "/tmp/pg socket",
        "user": "postgres",
        "dbname": "sd_test",
        "application_name": "servicedesk-worker",
    }


def test_asyncpg_parameters_become_libpq_ones_or_are_left_out():
    url = (
        "postgresql+asyncpg://desk:p%40ss%20word@db.example:6543/desk"
        "?ssl=require&prepared_statement_cache_size=0&connect_timeout=5"
    )
    assert conninfo_to_dict(libpq_conninfo(url)) == {
        "host": "db.example",
        "port": "6543",
        "user": "desk",
        "password": "p@ss word",
        "dbname": "desk",
        "sslmode": "require",
        "connect_timeout": "5",
        "application_name": "servicedesk-worker",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("smtp.example", ("smtp.example", None)),
        ("smtp.example:2525", ("smtp.example", 2525)),
        ("[::1]:25", ("::1", 25)),
        ("[::1]", ("::1", None)),
    ],
)
def test_relay_addresses(value, expected):
    assert parse_host_port(value) == expected


@pytest.mark.parametrize("bad", ["smtp.example:smtp", ":25", "[::1]:x"])
def test_bad_relay_addresses_are_refused(bad):
    with pytest.raises(ValueError, match="SMTP_RELAY"):
        parse_host_port(bad)


def test_relay_settings(settings):
    assert Relay.from_settings(replace(settings, smtp_relay=None)) is None
    tls = Relay.from_settings(
        replace(
            settings,
            smtp_relay="smtp.example",
            smtp_relay_tls="tls",
            smtp_relay_user="desk",
        )
    )
    assert tls == Relay("smtp.example", 465, "tls", "desk", None)
    with pytest.raises(ValueError, match="SMTP_RELAY_TLS"):
        Relay.from_settings(replace(settings, smtp_relay="smtp.example", smtp_relay_tls="ssl"))


def test_the_default_back_off_spans_hours():
    waits = [DEFAULT_BACKOFF.delay(n) for n in range(1, DEFAULT_BACKOFF.attempts)]
    assert waits == sorted(waits)
    assert waits[0] == 60
    assert 4 * 3600 < sum(waits) < 12 * 3600
    assert not DEFAULT_BACKOFF.is_last(DEFAULT_BACKOFF.attempts - 2)
    assert DEFAULT_BACKOFF.is_last(DEFAULT_BACKOFF.attempts - 1)
    assert Backoff(attempts=1).is_last(0)


async def test_a_worker_that_stops_is_started_again_until_cancelled():
    runs: list[dict[str, Any]] = []
    third = asyncio.Event()

    class Jobs:
        async def run_worker_async(self, **options: Any) -> None:
            runs.append(options)
            if len(runs) == 1:
                raise OSError("the database went away")
            if len(runs) == 3:
                third.set()
                await asyncio.Event().wait()  # works until cancelled
            # the second run stops on its own, as procrastinate's does when a side task dies

    task = asyncio.create_task(
        work_forever(Jobs(), name="t", concurrency=2, first_delay=0)  # type: ignore[arg-type]
    )
    async with asyncio.timeout(30):  # a guard against hanging, nothing is timed
        await third.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(runs) == 3
    assert all(run == runs[0] for run in runs)
    assert runs[0]["install_signal_handlers"] is False


async def test_the_job_app_knows_the_task_the_outbox_defers(db, settings):
    assert SEND_TASK in create_job_app(settings, db).tasks


# -- the ticket screen -----------------------------------------------------------------------


async def test_the_conversation_shows_the_delivery_state(app, db, mail):
    subscribe_domain(db.bus, mail)
    admin = await f.create_staff(db, Role.admin)
    ticket = await f.create_ticket(db, await f.create_customer(db))
    written = await _reply(db, ticket)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await sign_in(client, admin.user.email)
        page = (await client.get(f"/tickets/{ticket.number}/conversation")).text
        assert 'data-delivery="queued"' in page
        async with db.unit_of_work(Actor.system()) as uow:
            held = await uow.session.get(Message, written.id)
            assert held is not None
            held.delivery_state = DeliveryState.failed
            held.delivery_error = "550 5.1.1 No such user here"
            held.delivery_updated_at = utcnow()
        page = (await client.get(f"/tickets/{ticket.number}/conversation")).text
        assert 'data-delivery="failed"' in page
        assert "Not delivered" in page
        assert "550 5.1.1 No such user here" in page
