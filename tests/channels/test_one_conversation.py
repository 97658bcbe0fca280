"""One customer across channels: a ticket opened by a phone call continues by text and
by e-mail, and the customer's timeline shows every contact in order with its channel.
Driven through the real entry points: signed Twilio webhooks and mail intake."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from starlette.datastructures import Secret

from servicedesk import migrate
from servicedesk.app import create_app
from servicedesk.channels.message import InboundMessage, Party
from servicedesk.db import Database, make_engine
from servicedesk.enums import Channel, IdentityKind, Role
from servicedesk.events import EventBus
from servicedesk.intake.service import ingest
from servicedesk.tickets.models import Message, Ticket
from servicedesk.wiring import subscribe_domain
from telephony import signature
from tests import factories as f
from tests.twilio_api import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER
from tests.web.conftest import sign_in

PUBLIC = "https://desk.example"


@pytest.fixture(scope="module")
async def one_db(databases, settings) -> AsyncIterator[Database]:
    url = await databases.create("sd_one_conversation")
    engine = make_engine(url, pool_size=4)
    await migrate.upgrade(engine)
    bus = EventBus()
    subscribe_domain(bus, settings)
    yield Database(engine, bus)
    await engine.dispose()


@pytest.fixture
async def client(one_db, settings) -> AsyncIterator[httpx.AsyncClient]:
    configured = replace(
        settings,
        public_base_url=PUBLIC,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=Secret(AUTH_TOKEN),
        run_worker=False,
    )
    app = create_app(configured, database=one_db)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c,
    ):
        yield c


async def twilio(client: httpx.AsyncClient, path: str, form: dict[str, str]) -> httpx.Response:
    sig = signature.sign(AUTH_TOKEN, PUBLIC + path, form)
    resp = await client.post(path, data=form, headers={signature.HEADER: sig})
    assert resp.status_code == 200, resp.text
    return resp


async def test_a_call_continues_by_text_and_email_and_the_timeline_shows_them_in_order(
    client, one_db, settings
):
    queue = await f.create_team(one_db, "Everyone", default=True)
    agent = await f.create_staff(one_db, Role.agent, teams=(queue,))
    phone, email = "+972523334455", "noa.cohen@mail.example"
    customer = await f.create_customer(one_db, name="Noa Cohen", phone=phone, email=email)

    call = {
        "CallSid": "CA" + "a" * 32,
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "To": OUR_NUMBER,
        "CallStatus": "ringing",
    }
    await twilio(client, "/twilio/voice", call)
    await twilio(client, "/twilio/voice/menu", {**call, "Digits": "0"})  # an agent
    await twilio(
        client, "/twilio/voice/status", {**call, "CallStatus": "completed", "CallDuration": "40"}
    )
    async with one_db.read_session() as session:
        opened = await session.scalar(select(Message).where(Message.provider_id == call["CallSid"]))
    assert opened is not None
    ticket_id = opened.ticket_id

    await twilio(
        client,
        "/twilio/sms",
        {
            "MessageSid": "SM" + "b" * 32,
            "AccountSid": ACCOUNT_SID,
            "From": phone,
            "To": OUR_NUMBER,
            "Body": "Sorry I hung up. The fridge is still warm",
            "NumMedia": "0",
        },
    )
    async with one_db.read_session() as session:
        number = (await session.get(Ticket, ticket_id)).number
    mailed = await ingest(
        one_db,
        InboundMessage(
            channel=Channel.email,
            provider_id="photo-1@mail.example",
            sender=Party(IdentityKind.email, email, "Noa Cohen"),
            subject=f"Re: [#{number}] photo of the fridge",
            body_text="Here is the photo of the label.",
        ),
        settings,
    )
    assert mailed.ticket_id == ticket_id

    async with one_db.read_session() as session:
        rows = list(
            await session.scalars(
                select(Message).where(Message.ticket_id == ticket_id).order_by(Message.created_at)
            )
        )
    assert [m.channel for m in rows] == [Channel.voice, Channel.sms, Channel.email]

    await sign_in(client, agent.user.email)
    page = await client.get(f"/customers/{customer.id}")
    assert page.status_code == 200
    timeline = page.text[page.text.index('class="timeline"') :]
    shown = re.findall(r'<span class="badge">([^<]+)</span>', timeline)
    assert shown[:3] == ["E-mail", "SMS", "Phone call"]  # newest first
