"""Phone calls through Twilio's voice webhooks, signed as Twilio signs them: the menu,
the queue, an agent answering through the REST API (a local server speaking Twilio's
API shape), voicemail, and every ending filed on a ticket once. These tests commit
for real, on a database of their own."""

from __future__ import annotations

import asyncio
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select, text
from starlette.datastructures import Secret

from servicedesk import migrate
from servicedesk.app import create_app
from servicedesk.channels.voice.models import CallOutcome, CallState, PhoneCall
from servicedesk.db import Actor, Database, make_engine, utcnow
from servicedesk.enums import Channel, Role, TicketStatus
from servicedesk.events import EventBus
from servicedesk.products import service as products
from servicedesk.routing import dispatch, presence
from servicedesk.routing.dispatch import Capacity
from servicedesk.routing.models import PresenceStatus, WorkClass
from servicedesk.settings import Settings
from servicedesk.sla_tracking.service import load_policy_set
from servicedesk.staff import service as staff
from servicedesk.staff.models import Team, User
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Message, Ticket
from servicedesk.wiring import subscribe_domain
from telephony import signature
from tests import factories as f
from tests.twilio_api import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, TwilioApi, running_twilio_api
from tests.web.conftest import csrf_of, sign_in

PUBLIC = "https://desk.example"
_numbers = itertools.count(2_000_000)
_sids = itertools.count(1)


def call_sid() -> str:
    return f"CA{next(_sids):032x}"


def number() -> str:
    return f"+97252{next(_numbers):07d}"


@dataclass
class Desk:
    front: Team
    appliances_he: Team
    appliances_en: Team
    unstaffed: Team
    night: Team
    agent: f.Staff
    other_agent: f.Staff
    menu_file: Path


@pytest.fixture(scope="module")
async def voice_db(databases, settings) -> AsyncIterator[Database]:
    url = await databases.create("sd_voice")
    engine = make_engine(url, pool_size=6)
    await migrate.upgrade(engine)
    bus = EventBus()
    subscribe_domain(bus, settings)
    yield Database(engine, bus)
    await engine.dispose()


@pytest.fixture(scope="module")
async def desk(voice_db, tmp_path_factory) -> Desk:
    front = await f.create_team(voice_db, "Front desk", default=True)
    he = await f.create_team(voice_db, "Appliances HE")
    en = await f.create_team(voice_db, "Appliances EN")
    unstaffed = await f.create_team(voice_db, "Unstaffed")
    night = await f.create_team(voice_db, "Night desk")
    agent = await f.create_staff(voice_db, Role.agent, teams=(front, he, en, night))
    other = await f.create_staff(voice_db, Role.agent, teams=(front, he, en, night))
    menu = tmp_path_factory.mktemp("voice") / "menu.toml"
    menu.write_text(
        """
[[options]]
key = "1"
product_category = "appliances"
label = { he = "למכשירי חשמל", en = "For appliances" }
queue = { he = "Appliances HE", en = "Appliances EN" }
words = { he = ["מקרר"], en = ["fridge"] }

[[options]]
key = "3"
label = "Nobody home"
queue = "Unstaffed"

[[options]]
key = "4"
label = { he = "לילה", en = "Night line" }
queue = "Night desk"
""",
        encoding="utf-8",
    )
    await _close_the_night_desk(voice_db)
    return Desk(front, he, en, unstaffed, night, agent, other, menu)


async def _close_the_night_desk(db: Database) -> None:
    """An SLA calendar open only on a weekday three days from today: the night desk's
    queue is closed whenever the tests run. Other queues match no policy: always open."""
    zone = ZoneInfo("Asia/Jerusalem")
    day = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[
        (datetime.now(zone).weekday() + 3) % 7
    ]
    source = f"""
[calendars.night]
timezone = "Asia/Jerusalem"
[calendars.night.hours]
{day} = ["09:00-17:00"]

[[policies]]
name = "Night desk"
calendar = "night"
match = {{ queue = "Night desk" }}
[policies.targets]
normal = {{ first_response = "4h", resolution = "24h" }}
"""
    async with db.unit_of_work(Actor.system()) as uow:
        await load_policy_set(uow, source, user_id=None)


@pytest.fixture
async def twilio_api() -> AsyncIterator[TwilioApi]:
    async with running_twilio_api() as api:
        yield api


@pytest.fixture
def voice_settings(settings: Settings, twilio_api: TwilioApi, desk: Desk) -> Settings:
    return replace(
        settings,
        public_base_url=PUBLIC,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=Secret(AUTH_TOKEN),
        twilio_sms_from=OUR_NUMBER,
        twilio_api_base=twilio_api.base_url,
        voice_menu_file=desk.menu_file,
        voice_language="he",
        voice_max_wait_seconds=300,
        run_worker=False,
    )


@pytest.fixture
async def client(voice_db, voice_settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(voice_settings, database=voice_db)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c,
    ):
        yield c


# ---- playing Twilio ------------------------------------------------------------


@dataclass
class Caller:
    """One call, as Twilio would drive it."""

    client: httpx.AsyncClient
    sid: str
    from_number: str

    def form(self, **fields: str) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": ACCOUNT_SID,
            "From": self.from_number,
            "To": OUR_NUMBER,
            "Direction": "inbound",
            "CallStatus": "in-progress",
            **fields,
        }

    async def post(self, step: str, **fields: str) -> httpx.Response:
        form = self.form(**fields)
        path = f"/twilio/voice{step}"
        sig = signature.sign(AUTH_TOKEN, PUBLIC + path, form)
        return await self.client.post(path, data=form, headers={signature.HEADER: sig})

    async def twiml(self, step: str, **fields: str) -> ET.Element:
        resp = await self.post(step, **fields)
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"].startswith("text/xml")
        return ET.fromstring(resp.text)


def calling(client: httpx.AsyncClient, from_number: str | None = None) -> Caller:
    return Caller(client, call_sid(), from_number or number())


def said(document: ET.Element) -> str:
    return " ".join(el.text or "" for el in document.iter("Say"))


async def call_row(db: Database, sid: str) -> PhoneCall:
    async with db.read_session() as session:
        row = await session.scalar(select(PhoneCall).where(PhoneCall.call_sid == sid))
    assert row is not None
    return row


async def call_message(db: Database, sid: str) -> Message:
    async with db.read_session() as session:
        rows = list(
            await session.scalars(
                select(Message).where(Message.channel == Channel.voice, Message.provider_id == sid)
            )
        )
    assert len(rows) == 1
    return rows[0]


async def ticket_of(db: Database, ticket_id: int) -> Ticket:
    async with db.read_session() as session:
        found = await session.get(Ticket, ticket_id)
    assert found is not None
    return found


async def queued(caller: Caller, digit: str = "1") -> ET.Element:
    await caller.twiml("")
    return await caller.twiml("/menu", Digits=digit)


# ---- the menu ------------------------------------------------------------------


async def test_a_known_caller_is_greeted_by_name_and_offered_their_open_ticket(
    client, voice_db, desk
):
    phone = number()
    customer = await f.create_customer(voice_db, name="Dana Levi", phone=phone)
    ticket = await f.create_ticket(voice_db, customer, queue=desk.appliances_he)
    document = await calling(client, phone).twiml("")
    gather = document.find("Gather")
    assert gather is not None
    assert gather.get("input") == "dtmf speech"
    assert gather.get("action") == f"{PUBLIC}/twilio/voice/menu"
    assert gather.get("language") == "he-IL"
    words = said(document)
    assert "Dana Levi" in words
    assert str(ticket.number) in words  # "to continue with request N, press 9"
    assert "הקישו 1" in words


async def test_an_unknown_caller_hears_the_desks_language_and_star_switches_to_english(
    client, voice_db
):
    caller = calling(client)
    first = await caller.twiml("")
    assert first.find("Gather").get("language") == "he-IL"
    assert "9" not in re.findall(r"\d", said(first))  # no open ticket to offer
    english = await caller.twiml("/menu", Digits="*")
    assert english.find("Gather").get("language") == "en-US"
    assert "press 1" in said(english)
    assert (await call_row(voice_db, caller.sid)).language == "en"


async def test_choosing_a_product_line_queues_the_call_and_files_it_on_a_ticket_there(
    client, voice_db, desk
):
    caller = calling(client)
    document = await queued(caller)
    enqueue = document.find("Enqueue")
    assert enqueue is not None
    assert enqueue.text == f"queue-{desk.appliances_he.id}"
    assert enqueue.get("waitUrl") == f"{PUBLIC}/twilio/voice/wait"
    assert enqueue.get("action") == f"{PUBLIC}/twilio/voice/queued"
    row = await call_row(voice_db, caller.sid)
    assert row.state == CallState.queued
    assert row.queue_id == desk.appliances_he.id
    assert row.product_line == "appliances"
    message = await call_message(voice_db, caller.sid)
    ticket = await ticket_of(voice_db, message.ticket_id)
    assert ticket.channel == Channel.voice
    assert ticket.queue_id == desk.appliances_he.id
    assert row.ticket_id == ticket.id
    assert row.message_id == message.id
    assert message.meta["voice"]["from"] == caller.from_number
    assert message.meta["voice"]["state"] == "queued"


async def test_saying_the_product_line_chooses_it(client, voice_db, desk):
    caller = calling(client)
    await caller.twiml("")
    document = await caller.twiml("/menu", SpeechResult="המקרר שלי לא מקרר", Confidence="0.9")
    assert document.find("Enqueue").text == f"queue-{desk.appliances_he.id}"


async def test_garbage_keys_and_silence_repeat_the_menu_then_reach_the_default_queue(
    client, voice_db, desk
):
    caller = calling(client)
    await caller.twiml("")
    silence = await caller.twiml("/menu")
    assert silence.find("Gather") is not None
    assert "לא שמעתי" in said(silence)
    garbage = await caller.twiml("/menu", Digits="5<script>")
    assert "אינה קיימת" in said(garbage)
    third = await caller.twiml("/menu", Digits="7")
    assert third.find("Enqueue").text == f"queue-{desk.front.id}"
    assert (await call_row(voice_db, caller.sid)).menu_errors == 3


async def test_a_serial_number_finds_the_callers_unit_and_puts_it_on_the_ticket(
    client, voice_db, desk
):
    phone = number()
    customer = await f.create_customer(voice_db, phone=phone)
    async with voice_db.unit_of_work(Actor.system()) as uow:
        sku = f"WSH-{next(_sids)}"
        await products.create_product(
            uow, sku=sku, name="8 kg washing machine", category="appliances"
        )
        asset = await products.create_asset(
            uow,
            serial=f"AR8-{next(_sids):06d}",
            product_sku=sku,
            customer_id=customer.id,
            purchased_on=date.today(),
        )
    caller = calling(client, phone)
    await caller.twiml("")
    ask = await caller.twiml("/menu", Digits="8")
    assert ask.find("Gather").get("action") == f"{PUBLIC}/twilio/voice/serial"
    assert ask.find("Gather").get("finishOnKey") == "#"
    digits = re.sub(r"\D", "", asset.serial)
    document = await caller.twiml("/serial", Digits=digits)
    assert "8 kg washing machine" in said(document)
    assert document.find("Enqueue").text == f"queue-{desk.appliances_he.id}"
    ticket = await ticket_of(voice_db, (await call_message(voice_db, caller.sid)).ticket_id)
    assert ticket.asset_id == asset.id


async def test_an_unknown_serial_is_asked_for_three_times_then_kept_for_the_agent(
    client, voice_db, desk
):
    caller = calling(client)
    await caller.twiml("")
    await caller.twiml("/menu", Digits="8")
    again = await caller.twiml("/serial", Digits="12345")
    assert again.find("Gather") is not None
    assert "לא מצאתי" in said(again)
    assert (await caller.twiml("/serial", Digits="")).find("Gather") is not None
    document = await caller.twiml("/serial", SpeechResult="one two 3 4 5")  # third try
    assert document.find("Enqueue").text == f"queue-{desk.front.id}"
    row = await call_row(voice_db, caller.sid)
    assert row.serial_given == "345"
    assert row.asset_id is None


async def test_the_open_ticket_choice_files_the_call_on_that_ticket(client, voice_db, desk):
    phone = number()
    customer = await f.create_customer(voice_db, phone=phone)
    older = await f.create_ticket(voice_db, customer, queue=desk.appliances_en)
    caller = calling(client, phone)
    document = await queued(caller, "9")
    assert document.find("Enqueue").text == f"queue-{desk.appliances_en.id}"
    assert (await call_message(voice_db, caller.sid)).ticket_id == older.id


# ---- waiting in the queue --------------------------------------------------------


async def test_the_wait_url_tells_the_caller_their_place_and_expected_wait(client, voice_db):
    caller = calling(client)
    await queued(caller)
    document = await caller.twiml(
        "/wait", QueuePosition="3", QueueTime="40", AvgQueueTime="60", CurrentQueueSize="3"
    )
    words = said(document)
    assert "3" in words
    assert "דקות" in words
    assert document.find("Pause") is not None
    next_in_line = await caller.twiml("/wait", QueuePosition="1", QueueTime="80")
    assert "הבאים בתור" in said(next_in_line)


async def test_a_caller_waiting_too_long_leaves_the_queue_for_voicemail(client, voice_db):
    caller = calling(client)
    await queued(caller)
    leave = await caller.twiml("/wait", QueuePosition="2", QueueTime="300")
    assert leave.find("Leave") is not None
    document = await caller.twiml("/queued", QueueResult="leave", QueueTime="300")
    record = document.find("Record")
    assert record is not None
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback") == f"{PUBLIC}/twilio/voice/transcription"
    assert record.get("action") == f"{PUBLIC}/twilio/voice/recording"
    assert (await call_row(voice_db, caller.sid)).state == CallState.voicemail


async def test_a_queue_nobody_works_goes_straight_to_voicemail(client, voice_db):
    caller = calling(client)
    document = await queued(caller, "3")
    assert document.find("Enqueue") is None
    assert document.find("Record") is not None
    assert "הנציגים עסוקים" in said(document)


async def test_out_of_hours_the_caller_hears_when_we_open_and_can_leave_a_message(client, voice_db):
    caller = calling(client)
    document = await queued(caller, "4")
    assert document.find("Enqueue") is None
    assert document.find("Record") is not None
    assert "המוקד סגור" in said(document)
    assert re.search(r"\d\d:\d\d", said(document))  # the opening time
    row = await call_row(voice_db, caller.sid)
    assert row.state == CallState.voicemail
    await call_message(voice_db, caller.sid)  # filed already: nobody is forgotten


# ---- answered ------------------------------------------------------------------


async def test_a_whole_answered_call(client, voice_db, desk, twilio_api):
    caller = calling(client)
    await queued(caller)
    message = await call_message(voice_db, caller.sid)
    ticket = await ticket_of(voice_db, message.ticket_id)
    await sign_in(client, desk.agent.user.email)
    page = await client.get(f"/tickets/{ticket.number}")
    assert "Answer call" in page.text

    resp = await client.post(
        f"/tickets/{ticket.number}/call", data={"csrf_token": csrf_of(page.text)}
    )
    assert resp.status_code == 303
    [update] = twilio_api.call_updates
    assert update["sid"] == caller.sid
    dial = ET.fromstring(update["Twiml"]).find("Dial")
    assert dial.get("action") == f"{PUBLIC}/twilio/voice/dialled"
    assert dial.find("Client").text == f"agent-{desk.agent.user.id}"
    assert (await call_row(voice_db, caller.sid)).state == CallState.connecting

    leg = Caller(client, call_sid(), caller.from_number)
    resp = await leg.post("/agent-status", CallStatus="in-progress", ParentCallSid=caller.sid)
    assert resp.status_code == 200
    answered = await call_message(voice_db, caller.sid)
    assert answered.meta["outcome"] == "answered"
    assert answered.meta["voice"]["agent_name"] == desk.agent.user.name
    ticket = await ticket_of(voice_db, ticket.id)
    row = await call_row(voice_db, caller.sid)
    assert ticket.first_responded_at == row.answered_at  # the answer is the first response
    assert ticket.assignee_id == desk.agent.user.id
    assert ticket.status == TicketStatus.open

    hang_up = await caller.twiml("/dialled", DialCallStatus="completed", DialCallDuration="125")
    assert list(hang_up) == []
    resp = await caller.post("/status", CallStatus="completed", CallDuration="190")
    assert resp.status_code == 200
    done = await call_message(voice_db, caller.sid)
    assert done.meta["voice"]["duration"] == 190
    assert done.meta["voice"]["state"] == "ended"
    assert done.meta["outcome"] == "answered"
    assert "3:10" in done.body_text
    page = await client.get(f"/tickets/{ticket.number}")
    assert 'data-outcome="answered"' in page.text
    assert "Answer call" not in page.text


async def test_two_agents_answering_the_same_caller_connect_only_one(
    client, voice_db, desk, voice_settings, twilio_api
):
    caller = calling(client)
    await queued(caller)
    ticket_id = (await call_message(voice_db, caller.sid)).ticket_id
    number_ = (await ticket_of(voice_db, ticket_id)).number
    app = create_app(voice_settings, database=voice_db)
    async with LifespanManager(app):
        sessions = []
        for person in (desk.agent, desk.other_agent):
            c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC)
            await sign_in(c, person.user.email)
            page = await c.get(f"/tickets/{number_}")
            sessions.append((c, csrf_of(page.text)))
        results = await asyncio.gather(
            *(c.post(f"/tickets/{number_}/call", data={"csrf_token": t}) for c, t in sessions)
        )
        for c, _ in sessions:
            await c.aclose()
    assert sorted(r.status_code for r in results) == [303, 409]
    assert len(twilio_api.call_updates) == 1


async def test_an_agent_who_does_not_pick_up_puts_the_caller_back_in_the_queue(
    client, voice_db, desk, twilio_api
):
    caller = calling(client)
    await queued(caller)
    number_ = (
        await ticket_of(voice_db, (await call_message(voice_db, caller.sid)).ticket_id)
    ).number
    await sign_in(client, desk.agent.user.email)
    page = await client.get(f"/tickets/{number_}")
    await client.post(f"/tickets/{number_}/call", data={"csrf_token": csrf_of(page.text)})
    document = await caller.twiml("/dialled", DialCallStatus="no-answer", DialCallDuration="0")
    assert document.find("Enqueue") is not None
    row = await call_row(voice_db, caller.sid)
    assert row.state == CallState.queued
    assert row.agent_user_id is None
    assert "Answer call" in (await client.get(f"/tickets/{number_}")).text


async def test_a_caller_gone_before_the_agent_connects_is_put_back_and_the_agent_told(
    client, voice_db, desk, twilio_api
):
    caller = calling(client)
    await queued(caller)
    number_ = (
        await ticket_of(voice_db, (await call_message(voice_db, caller.sid)).ticket_id)
    ).number
    twilio_api.ended_calls.add(caller.sid)
    await sign_in(client, desk.agent.user.email)
    page = await client.get(f"/tickets/{number_}")
    resp = await client.post(f"/tickets/{number_}/call", data={"csrf_token": csrf_of(page.text)})
    assert resp.status_code == 502
    assert "Twilio did not connect the call" in resp.text
    assert (await call_row(voice_db, caller.sid)).state == CallState.queued


async def test_ringing_the_agents_phone_needs_their_number(
    voice_db, desk, voice_settings, twilio_api
):
    settings = replace(voice_settings, voice_agent_dial="phone")
    app = create_app(settings, database=voice_db)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c,
    ):
        caller = calling(c)
        await queued(caller)
        number_ = (
            await ticket_of(voice_db, (await call_message(voice_db, caller.sid)).ticket_id)
        ).number
        agent = await f.create_staff(voice_db, Role.agent, teams=(desk.appliances_he,))
        await sign_in(c, agent.user.email)
        page = await c.get(f"/tickets/{number_}")
        refused = await c.post(f"/tickets/{number_}/call", data={"csrf_token": csrf_of(page.text)})
        assert refused.status_code == 422
        assert twilio_api.call_updates == []
        async with voice_db.unit_of_work(Actor.system()) as uow:
            user = await uow.session.get(User, agent.user.id)
            user.phone = "+972501234567"
            uow.session.add(user)
        resp = await c.post(f"/tickets/{number_}/call", data={"csrf_token": csrf_of(page.text)})
        assert resp.status_code == 303
    dial = ET.fromstring(twilio_api.call_updates[0]["Twiml"]).find("Dial")
    assert dial.find("Number").text == "+972501234567"


# ---- not answered ----------------------------------------------------------------


async def test_voicemail_recording_and_transcript_fill_in_the_calls_message(
    client, voice_db, twilio_api
):
    caller = calling(client)
    await queued(caller, "3")  # nobody works that queue: voicemail
    recording = f"RE{next(_sids):032x}"
    twilio_api.recordings[recording] = b"ID3\x04voicemail"
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording}"
    bye = await caller.twiml(
        "/recording", RecordingSid=recording, RecordingUrl=url, RecordingDuration="42", Digits="#"
    )
    assert "תודה" in said(bye)
    assert bye.find("Hangup") is not None
    resp = await caller.post(
        "/transcription",
        RecordingSid=recording,
        TranscriptionStatus="completed",
        TranscriptionText="Please call me back about the <b>fridge</b>",
    )
    assert resp.status_code == 200
    await caller.post("/status", CallStatus="completed", CallDuration="60")
    message = await call_message(voice_db, caller.sid)
    assert message.meta["outcome"] == "voicemail"
    assert message.meta["voice"]["recording_url"] == url
    assert message.meta["voice"]["transcript"] == "Please call me back about the <b>fridge</b>"
    assert "<b>" not in message.body_html  # shown as text, never as markup
    ticket = await ticket_of(voice_db, message.ticket_id)
    assert ticket.subject == "Phone call: Nobody home"  # filed when voicemail was offered
    assert ticket.first_responded_at is None

    # The recording plays through the desk, for those who may see the ticket.
    supervisor = await f.create_staff(voice_db, Role.supervisor)
    await sign_in(client, supervisor.user.email)
    page = await client.get(f"/tickets/{ticket.number}")
    assert f'src="/calls/{caller.sid}/recording"' in page.text
    audio = await client.get(f"/calls/{caller.sid}/recording")
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/mpeg"
    assert audio.content == b"ID3\x04voicemail"
    assert (await client.get(f"/calls/CA{'0' * 32}/recording")).status_code == 404
    outsider = await f.create_staff(voice_db, Role.agent)  # not in the ticket's queue
    async with httpx.AsyncClient(transport=client._transport, base_url=PUBLIC) as other:
        await sign_in(other, outsider.user.email)
        assert (await other.get(f"/calls/{caller.sid}/recording")).status_code == 403


async def test_a_caller_hanging_up_in_the_queue_is_an_abandoned_call_on_a_ticket(client, voice_db):
    caller = calling(client)
    await queued(caller)
    left = await caller.twiml("/queued", QueueResult="hangup", QueueTime="75")
    assert list(left) == []
    await caller.post("/status", CallStatus="completed", CallDuration="80")
    row = await call_row(voice_db, caller.sid)
    assert row.outcome == CallOutcome.abandoned
    message = await call_message(voice_db, caller.sid)
    assert message.meta["outcome"] == "abandoned"
    assert (await ticket_of(voice_db, message.ticket_id)).first_responded_at is None


async def test_a_caller_hanging_up_in_the_menu_is_a_missed_call_on_a_new_ticket(client, voice_db):
    caller = calling(client)
    await caller.twiml("")
    await caller.post("/status", CallStatus="completed", CallDuration="9")
    message = await call_message(voice_db, caller.sid)
    assert message.meta["outcome"] == "missed"
    ticket = await ticket_of(voice_db, message.ticket_id)
    assert ticket.subject == "Missed call"
    assert ticket.status == TicketStatus.new


async def test_a_call_we_never_saw_start_is_still_filed_when_it_ends(client, voice_db):
    caller = calling(client)
    resp = await caller.post("/status", CallStatus="no-answer")
    assert resp.status_code == 200
    assert (await call_message(voice_db, caller.sid)).meta["outcome"] == "missed"


# ---- retries and bad input ----------------------------------------------------------


async def test_twilio_repeating_every_step_files_the_call_once(client, voice_db):
    caller = calling(client)
    for _ in range(2):
        await caller.twiml("")
    first = await caller.twiml("/menu", Digits="1")
    again = await caller.twiml("/menu", Digits="1")  # a retry: the call is queued already
    assert again.find("Enqueue").text == first.find("Enqueue").text
    assert (await caller.twiml("")).find("Enqueue") is not None
    for _ in range(2):
        await caller.post("/status", CallStatus="completed", CallDuration="30")
    async with voice_db.read_session() as session:
        calls = await session.scalar(
            select(func.count()).select_from(PhoneCall).where(PhoneCall.call_sid == caller.sid)
        )
        tickets = await session.scalar(
            text(
                "SELECT count(DISTINCT ticket_id) FROM message "
                "WHERE channel = 'voice' AND provider_id = :sid"
            ).bindparams(sid=caller.sid)
        )
    assert calls == 1
    assert tickets == 1
    await call_message(voice_db, caller.sid)  # exactly one message


async def test_a_step_that_fails_still_answers_twiml_with_an_apology_and_voicemail(client):
    stranger = calling(client)  # its first webhook never came: the menu cannot go on
    document = await stranger.twiml("/menu", Digits="1")
    assert "מצטערים" in said(document)
    assert document.find("Record") is not None


@pytest.mark.parametrize(
    ("step", "fields", "field"),
    [
        ("", {"CallSid": ""}, "CallSid"),
        ("", {"CallSid": "CA-not-a-sid"}, "CallSid"),
        ("", {"From": ""}, "From"),
        ("/status", {"CallStatus": "exploded"}, "CallStatus"),
        ("/status", {"CallStatus": "completed", "CallDuration": "-4"}, "CallDuration"),
        ("/wait", {"QueuePosition": ""}, "QueuePosition"),
        ("/queued", {"QueueResult": "sideways"}, "QueueResult"),
        ("/dialled", {"DialCallStatus": ""}, "DialCallStatus"),
        ("/recording", {"RecordingUrl": "http://insecure.example/r"}, "RecordingUrl"),
        ("/transcription", {"TranscriptionStatus": "maybe"}, "TranscriptionStatus"),
    ],
)
async def test_malformed_voice_webhooks_are_refused_with_the_field_named(
    client, voice_db, step, fields, field
):
    caller = calling(client)
    resp = await caller.post(step, **fields)
    assert resp.status_code == 400
    assert field in resp.text
    async with voice_db.read_session() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(PhoneCall).where(PhoneCall.call_sid == caller.sid)
            )
            == 0
        )


async def test_an_unsigned_call_changes_nothing(client, voice_db):
    caller = calling(client)
    resp = await client.post("/twilio/voice", data=caller.form())
    assert resp.status_code == 403
    async with voice_db.read_session() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(PhoneCall).where(PhoneCall.call_sid == caller.sid)
            )
            == 0
        )


# ---- after the call ----------------------------------------------------------------


async def _reply(client: httpx.AsyncClient, db: Database, number_: int, body: str) -> Message:
    page = await client.get(f"/tickets/{number_}")
    resp = await client.post(
        f"/tickets/{number_}/replies",
        data={"body": body, "kind": "public", "csrf_token": csrf_of(page.text)},
    )
    assert resp.status_code in (200, 303), resp.text
    async with db.read_session() as session:
        return (
            await session.scalars(
                select(Message).where(Message.body_text == body).order_by(Message.id.desc())  # type: ignore[union-attr]
            )
        ).first()


async def test_a_written_answer_to_a_phone_ticket_goes_by_text_or_by_email(client, voice_db, desk):
    await sign_in(client, desk.agent.user.email)
    stranger = calling(client)  # known only by their number: a text back
    await queued(stranger)
    ticket = await ticket_of(voice_db, (await call_message(voice_db, stranger.sid)).ticket_id)
    texted = await _reply(
        client, voice_db, ticket.number, f"We will send a technician {stranger.sid}"
    )
    assert texted.channel == Channel.sms
    assert texted.delivery_state is not None

    phone = number()
    customer = await f.create_customer(voice_db, phone=phone)  # has an e-mail address
    known = calling(client, phone)
    await queued(known)
    ticket = await ticket_of(voice_db, (await call_message(voice_db, known.sid)).ticket_id)
    assert ticket.customer_id == customer.id
    mailed = await _reply(client, voice_db, ticket.number, f"Your repair is booked {known.sid}")
    assert mailed.channel == Channel.email


async def test_a_withheld_number_hears_the_menu_and_its_missed_call_is_still_filed(
    client, voice_db
):
    caller = calling(client, "anonymous")
    document = await caller.twiml("")
    assert document.find("Gather") is not None
    assert "שלום, הגעתם" in said(document)  # no name to greet
    await caller.post("/status", CallStatus="completed", CallDuration="4")
    message = await call_message(voice_db, caller.sid)
    assert message.meta["outcome"] == "missed"
    assert message.author_customer_id is not None  # filed under "Unknown sender"
    assert "withheld" in " ".join(message.meta.get("warnings", []))


# ---- calls offered by routing --------------------------------------------------


async def _presence_of(db: Database, user: User) -> tuple[str, str]:
    async with db.read_session() as session:
        row = (
            await session.execute(
                text("SELECT status, reason FROM agent_presence WHERE user_id = :u"),
                {"u": user.id},
            )
        ).one()
    return row.status, row.reason


async def test_a_routed_call_rings_the_agent_who_accepts_and_comes_back_if_unanswered(
    client, voice_db, desk, twilio_api
):
    caller = calling(client)
    await queued(caller)
    ticket = await ticket_of(voice_db, (await call_message(voice_db, caller.sid)).ticket_id)
    # A queue of its own, so that routing has only this call to offer.
    line = await f.create_team(voice_db)
    agent = desk.agent.user
    assert agent.id is not None
    assert line.id is not None
    async with voice_db.unit_of_work(Actor.system()) as uow:
        await staff.add_member(uow, line.id, agent.id)
        held = await uow.session.get(Ticket, ticket.id)
        assert held is not None
        await tickets.update_ticket(
            uow, held, tickets.TicketChanges(queue_id=line.id, set_queue=True)
        )
        await presence.connected(uow, sid="voice-offer", user_id=agent.id, node="t", now=utcnow())
    try:
        async with voice_db.unit_of_work(Actor.system()) as uow:
            offer = await dispatch.offer_next(uow, line.id, WorkClass.voice, Capacity(), utcnow())
        assert offer is not None
        assert (offer.ticket_id, offer.user_id) == (ticket.id, agent.id)

        await sign_in(client, agent.email)
        page = await client.get("/workspace")
        assert f'data-offer="{offer.offer_id}"' in page.text
        resp = await client.post(
            f"/offers/{offer.offer_id}/accept", data={"csrf_token": csrf_of(page.text)}
        )
        assert resp.status_code == 303
        assert resp.headers["location"] == f"/tickets/{ticket.number}"
        [update] = twilio_api.call_updates
        assert update["sid"] == caller.sid
        dial = ET.fromstring(update["Twiml"]).find("Dial")
        assert dial.find("Client").text == f"agent-{agent.id}"
        assert (await ticket_of(voice_db, ticket.id)).assignee_id == agent.id
        assert await _presence_of(voice_db, agent) == ("on_call", "call")

        # The softphone rang out: the caller is queued again, the ticket waits for
        # the next agent, and this agent (not at their desk) is set away.
        document = await caller.twiml("/dialled", DialCallStatus="no-answer", DialCallDuration="0")
        assert document.find("Enqueue") is not None
        assert (await ticket_of(voice_db, ticket.id)).assignee_id is None
        assert await _presence_of(voice_db, agent) == ("away", "missed_call")
        async with voice_db.read_session() as session:
            waiting_again = await session.scalar(
                text("SELECT count(*) FROM routing_entry WHERE ticket_id = :t"), {"t": ticket.id}
            )
        assert waiting_again == 1

        # Back at the desk, offered again, accepted, talked: available once it is over.
        async with voice_db.unit_of_work(Actor.system()) as uow:
            await presence.set_status(uow, agent.id, PresenceStatus.available, utcnow())
            again = await dispatch.offer_next(uow, line.id, WorkClass.voice, Capacity(), utcnow())
        assert again is not None
        page = await client.get("/workspace")
        await client.post(
            f"/offers/{again.offer_id}/accept", data={"csrf_token": csrf_of(page.text)}
        )
        assert len(twilio_api.call_updates) == 2
        await caller.twiml("/dialled", DialCallStatus="completed", DialCallDuration="95")
        assert await _presence_of(voice_db, agent) == ("available", "call_ended")
    finally:
        async with voice_db.unit_of_work(Actor.system()) as uow:
            await presence.disconnected(uow, "voice-offer")
