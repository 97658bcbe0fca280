"""SMS both ways through Twilio's webhooks and REST API: signed inbound texts land on
tickets once, opt-out keywords are honoured, agent replies go out through the job
queue to a local server speaking Twilio's API, and delivery reports settle them.
These tests commit for real, on a database of their own."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select, text
from starlette.datastructures import Secret

from servicedesk import migrate
from servicedesk.app import create_app
from servicedesk.audit.models import AuditEvent
from servicedesk.channels.sms.status import mark_sent
from servicedesk.customers.models import CustomerIdentity
from servicedesk.db import Actor, Database, make_engine
from servicedesk.enums import Channel, DeliveryState, Direction, Role, TicketStatus
from servicedesk.events import EventBus
from servicedesk.jobs import Backoff, create_job_app
from servicedesk.settings import Settings
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Message, Ticket
from servicedesk.web.twilio import twilio_routes
from servicedesk.wiring import subscribe_domain
from telephony import signature
from tests import factories as f
from tests.twilio_api import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, TwilioApi, running_twilio_api
from tests.web.conftest import sign_in

PUBLIC = "https://desk.example"
RETRY = Backoff(attempts=3, first=3600)
_numbers = itertools.count(1_000_000)
_sids = itertools.count(1)


def sid(prefix: str = "SM") -> str:
    return f"{prefix}{next(_sids):032x}"


def number() -> str:
    return f"+97254{next(_numbers):07d}"


@pytest.fixture(scope="module")
async def sms_db(databases, settings) -> AsyncIterator[Database]:
    url = await databases.create("sd_sms")
    engine = make_engine(url, pool_size=4)
    await migrate.upgrade(engine)
    bus = EventBus()
    subscribe_domain(bus, settings)
    yield Database(engine, bus)
    await engine.dispose()


@pytest.fixture
async def twilio_api() -> AsyncIterator[TwilioApi]:
    async with running_twilio_api() as api:
        yield api


@pytest.fixture
def sms_settings(settings: Settings, twilio_api: TwilioApi) -> Settings:
    return replace(
        settings,
        public_base_url=PUBLIC,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=Secret(AUTH_TOKEN),
        twilio_sms_from=OUR_NUMBER,
        twilio_api_base=twilio_api.base_url,
        run_worker=False,
    )


@pytest.fixture
async def client(sms_db, sms_settings) -> AsyncIterator[httpx.AsyncClient]:
    async with sms_db.engine.begin() as conn:
        await conn.execute(text("TRUNCATE procrastinate_jobs CASCADE"))
    app = create_app(sms_settings, database=sms_db)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c,
    ):
        yield c


async def post(
    client: httpx.AsyncClient, path: str, form: dict[str, str], *, token: str = AUTH_TOKEN
) -> httpx.Response:
    """As Twilio calls us: the form, signed for the public URL."""
    sig = signature.sign(token, PUBLIC + path, form)
    return await client.post(path, data=form, headers={signature.HEADER: sig})


def text_form(
    sender: str, body: str, message_sid: str | None = None, **extra: str
) -> dict[str, str]:
    return {
        "MessageSid": message_sid or sid(),
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": OUR_NUMBER,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


async def texts_of(db: Database, sender: str) -> list[Message]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(Message)
            .where(Message.channel == Channel.sms, Message.direction == Direction.inbound)
            .where(text("meta->'sms'->>'from' = :n").bindparams(n=sender))
            .order_by(Message.id)
        )
        return list(rows)


async def ticket_of(db: Database, ticket_id: int) -> Ticket:
    async with db.read_session() as session:
        found = await session.get(Ticket, ticket_id)
    assert found is not None
    return found


async def count(db: Database, model) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def work(db: Database, settings: Settings) -> None:
    """procrastinate's own worker on the real queue, until no job is due."""
    app = create_job_app(settings, db, retry=RETRY)
    async with app.open_async():
        await app.run_worker_async(wait=False, install_signal_handlers=False, listen_notify=False)


# ---- inbound ---------------------------------------------------------------------


async def test_a_text_from_a_new_number_opens_a_ticket_after_commit(client, sms_db):
    sender = number()
    resp = await post(client, "/twilio/sms", text_form(sender, "The dryer stopped mid-cycle"))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/xml")
    assert "<Response" in resp.text
    [stored] = await texts_of(sms_db, sender)
    ticket = await ticket_of(sms_db, stored.ticket_id)
    assert ticket.channel == Channel.sms
    assert ticket.subject == "The dryer stopped mid-cycle"
    assert stored.body_text == "The dryer stopped mid-cycle"
    async with sms_db.read_session() as session:
        ident = await session.scalar(
            select(CustomerIdentity).where(CustomerIdentity.value == sender)
        )
    assert ident is not None
    assert ident.customer_id == ticket.customer_id


async def test_twilios_retry_of_the_same_text_files_it_once(client, sms_db):
    sender, message_sid = number(), sid()
    form = text_form(sender, "Hello?", message_sid)
    assert (await post(client, "/twilio/sms", form)).status_code == 200
    assert (await post(client, "/twilio/sms", form)).status_code == 200
    assert len(await texts_of(sms_db, sender)) == 1


async def test_the_next_text_continues_the_open_ticket_and_a_closed_one_is_not_reopened(
    client, sms_db
):
    sender = number()
    await post(client, "/twilio/sms", text_form(sender, "First"))
    await post(client, "/twilio/sms", text_form(sender, "Second"))
    first, second = await texts_of(sms_db, sender)
    assert first.ticket_id == second.ticket_id
    async with sms_db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, first.ticket_id)
        await tickets.update_ticket(uow, held, tickets.TicketChanges(status=TicketStatus.closed))
    await post(client, "/twilio/sms", text_form(sender, "Third"))
    third = (await texts_of(sms_db, sender))[-1]
    assert third.ticket_id != first.ticket_id


async def test_a_text_from_a_known_customer_lands_on_their_ticket_from_another_channel(
    client, sms_db
):
    phone = number()
    customer = await f.create_customer(sms_db, phone=phone)
    emailed = await f.create_ticket(sms_db, customer, channel=Channel.email)
    await post(client, "/twilio/sms", text_form(phone, "Any news?"))
    [stored] = await texts_of(sms_db, phone)
    assert stored.ticket_id == emailed.id


@pytest.mark.parametrize("how", ["missing", "wrong-token", "other-url", "tampered"])
async def test_an_unsigned_or_badly_signed_request_is_refused_and_changes_nothing(
    client, sms_db, how
):
    sender = number()
    form = text_form(sender, "Forged")
    headers = {}
    if how == "wrong-token":
        headers[signature.HEADER] = signature.sign("not-our-token", PUBLIC + "/twilio/sms", form)
    elif how == "other-url":
        headers[signature.HEADER] = signature.sign(
            AUTH_TOKEN, "https://evil.example/twilio/sms", form
        )
    elif how == "tampered":
        headers[signature.HEADER] = signature.sign(AUTH_TOKEN, PUBLIC + "/twilio/sms", form)
        form = {**form, "Body": "Changed on the way"}
    before = await count(sms_db, Message)
    resp = await client.post("/twilio/sms", data=form, headers=headers)
    assert resp.status_code == 403
    assert await count(sms_db, Message) == before


async def test_every_twilio_route_refuses_an_unsigned_request(client, sms_db):
    paths = [route.path for route in twilio_routes()]
    assert {"/sms", "/sms/status", "/voice", "/voice/menu", "/voice/status"} <= set(paths)
    for path in paths:
        resp = await client.post("/twilio" + path, data=text_form(number(), "x"))
        assert resp.status_code == 403


async def test_without_an_auth_token_every_webhook_is_refused(sms_db, sms_settings):
    app = create_app(replace(sms_settings, twilio_auth_token=None), database=sms_db)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c,
    ):
        for path in ("/twilio/sms", "/twilio/sms/status"):
            assert (await post(c, path, text_form(number(), "x"))).status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [("MessageSid", ""), ("MessageSid", "SM-not-a-sid"), ("From", ""), ("NumMedia", "lots")],
)
async def test_a_malformed_webhook_gets_400_and_changes_nothing(client, sms_db, field, value):
    form = text_form(number(), "Hello")
    form[field] = value
    before = await count(sms_db, Message)
    resp = await post(client, "/twilio/sms", form)
    assert resp.status_code == 400
    assert field in resp.text
    assert await count(sms_db, Message) == before


async def test_html_and_script_in_a_text_are_kept_as_text_and_shown_escaped(client, sms_db):
    sender = number()
    body = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await post(client, "/twilio/sms", text_form(sender, body))
    [stored] = await texts_of(sms_db, sender)
    assert stored.body_text == body
    assert "<script>" not in stored.body_html  # rendered from the text, escaped
    assert "&lt;script&gt;" in stored.body_html
    ticket = await ticket_of(sms_db, stored.ticket_id)
    agent = await f.create_staff(sms_db, Role.admin)
    await sign_in(client, agent.user.email)
    page = await client.get(f"/tickets/{ticket.number}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert" in page.text


async def test_a_huge_text_is_kept_cut_with_a_warning(client, sms_db):
    sender = number()
    await post(client, "/twilio/sms", text_form(sender, "א" * 20_000))
    [stored] = await texts_of(sms_db, sender)
    assert len(stored.body_text) == 5_000
    assert "20,000 characters" in stored.meta["warnings"][0]


async def test_a_short_code_sender_is_filed_under_an_unknown_sender(client, sms_db):
    form = text_form("TWILIO", "Your code is 1234")
    assert (await post(client, "/twilio/sms", form)).status_code == 200
    [stored] = await texts_of(sms_db, "TWILIO")
    assert "not a phone number" in stored.meta["warnings"][0]


async def test_picture_messages_keep_their_media_links(client, sms_db):
    sender = number()
    form = text_form(
        sender,
        "",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/m/1",
        MediaContentType0="image/png",
    )
    await post(client, "/twilio/sms", form)
    [stored] = await texts_of(sms_db, sender)
    assert stored.body_text == "(picture message)"
    assert stored.meta["sms"]["media"] == [
        {"url": "https://api.twilio.com/m/1", "content_type": "image/png"}
    ]


# ---- opt-out keywords ------------------------------------------------------------------


async def opted_out_at(db: Database, phone: str):
    async with db.read_session() as session:
        ident = await session.scalar(
            select(CustomerIdentity).where(CustomerIdentity.value == phone)
        )
    assert ident is not None
    return ident.opted_out_at


async def test_stop_and_start_are_recorded_and_audited_and_open_no_ticket(client, sms_db):
    phone = number()
    before = await count(sms_db, Ticket)
    stop = text_form(phone, "STOP")
    assert (await post(client, "/twilio/sms", stop)).status_code == 200
    assert (await post(client, "/twilio/sms", stop)).status_code == 200  # Twilio's retry
    assert await opted_out_at(sms_db, phone) is not None
    assert await count(sms_db, Ticket) == before
    await post(client, "/twilio/sms", text_form(phone, "start"))
    assert await opted_out_at(sms_db, phone) is None
    async with sms_db.read_session() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.in_(["customer.sms_opt_out", "customer.sms_opt_in"]))
                .where(text("after->>'number' = :n").bindparams(n=phone))
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["customer.sms_opt_out", "customer.sms_opt_in"]


async def test_help_is_answered_with_the_help_text_in_the_senders_language(client, sms_db):
    english = await post(client, "/twilio/sms", text_form(number(), "HELP"))
    assert "<Message>" in english.text
    assert "Text STOP" in english.text
    hebrew = await post(client, "/twilio/sms", text_form(number(), "עזרה"))
    assert "הסר" in hebrew.text


# ---- outbound ---------------------------------------------------------------------------


async def sms_ticket(client, db: Database) -> tuple[str, Ticket]:
    phone = number()
    await post(client, "/twilio/sms", text_form(phone, "My fridge is warm"))
    [stored] = await texts_of(db, phone)
    return phone, await ticket_of(db, stored.ticket_id)


async def agent_reply(
    db: Database, ticket: Ticket, body: str = "A technician comes at 10:00"
) -> int:
    agent = await f.create_staff(db, Role.agent)
    async with db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, ticket.id)
        written = await tickets.add_reply(uow, held, author=agent.user, body=body, public=True)
    assert written.id is not None
    return written.id


async def outbound(db: Database, message_id: int) -> Message:
    async with db.read_session() as session:
        found = await session.get(Message, message_id)
    assert found is not None
    return found


async def test_an_agent_reply_goes_out_as_a_text_and_twilios_reports_settle_it(
    client, sms_db, sms_settings, twilio_api
):
    phone, ticket = await sms_ticket(client, sms_db)
    message_id = await agent_reply(sms_db, ticket)
    assert (await outbound(sms_db, message_id)).delivery_state == DeliveryState.queued
    await work(sms_db, sms_settings)
    [sent] = twilio_api.sent_to(phone)
    assert sent["from"] == OUR_NUMBER
    assert sent["body"] == "A technician comes at 10:00"
    assert sent["status_callback"] == PUBLIC + "/twilio/sms/status"
    reply = await outbound(sms_db, message_id)
    assert reply.delivery_state == DeliveryState.sent
    assert reply.provider_id == sent["sid"]

    delivered = {"MessageSid": sent["sid"], "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    assert (await post(client, "/twilio/sms/status", delivered)).status_code == 200
    assert (await outbound(sms_db, message_id)).delivery_state == DeliveryState.delivered
    late = {**delivered, "MessageStatus": "sent"}  # out of order: never undoes "delivered"
    assert (await post(client, "/twilio/sms/status", late)).status_code == 200
    assert (await outbound(sms_db, message_id)).delivery_state == DeliveryState.delivered
    await work(sms_db, sms_settings)  # the job ran once: nothing more is sent
    assert len(twilio_api.sent_to(phone)) == 1


async def test_a_report_that_comes_before_the_sid_is_stored_is_applied_then(client, sms_db):
    _, ticket = await sms_ticket(client, sms_db)
    message_id = await agent_reply(sms_db, ticket)
    early_sid = sid()
    report = {"MessageSid": early_sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert (await post(client, "/twilio/sms/status", report)).status_code == 200
    await mark_sent(sms_db, message_id, early_sid)  # what the send job does on success
    settled = await outbound(sms_db, message_id)
    assert settled.delivery_state == DeliveryState.failed
    assert "30003" in settled.delivery_error


async def test_no_text_is_sent_to_a_number_that_texted_stop(
    client, sms_db, sms_settings, twilio_api
):
    phone, ticket = await sms_ticket(client, sms_db)
    await post(client, "/twilio/sms", text_form(phone, "stop"))
    message_id = await agent_reply(sms_db, ticket)
    await work(sms_db, sms_settings)
    assert twilio_api.sent_to(phone) == []
    failed = await outbound(sms_db, message_id)
    assert failed.delivery_state == DeliveryState.failed
    assert "STOP" in failed.delivery_error


async def test_a_number_twilio_refuses_for_good_fails_the_reply(
    client, sms_db, sms_settings, twilio_api
):
    phone, ticket = await sms_ticket(client, sms_db)
    twilio_api.refuse[phone] = (400, 21614, "'To' number is not a valid mobile number")
    message_id = await agent_reply(sms_db, ticket)
    await work(sms_db, sms_settings)
    failed = await outbound(sms_db, message_id)
    assert failed.delivery_state == DeliveryState.failed
    assert "21614" in failed.delivery_error


async def test_twilio_failing_keeps_the_reply_queued_for_a_retry(
    client, sms_db, sms_settings, twilio_api
):
    phone, ticket = await sms_ticket(client, sms_db)
    twilio_api.refuse[phone] = (503, 20503, "Service unavailable")
    message_id = await agent_reply(sms_db, ticket)
    await work(sms_db, sms_settings)
    waiting = await outbound(sms_db, message_id)
    assert waiting.delivery_state == DeliveryState.queued
    assert "503" in waiting.delivery_error
    async with sms_db.engine.connect() as conn:
        todo = await conn.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
        )
    assert todo == 1  # retried later with back-off


async def test_without_twilio_configured_a_reply_fails_with_the_reason(
    client, sms_db, sms_settings
):
    _, ticket = await sms_ticket(client, sms_db)
    message_id = await agent_reply(sms_db, ticket)
    await work(sms_db, replace(sms_settings, twilio_account_sid=None))
    failed = await outbound(sms_db, message_id)
    assert failed.delivery_state == DeliveryState.failed
    assert "TWILIO_ACCOUNT_SID" in failed.delivery_error
