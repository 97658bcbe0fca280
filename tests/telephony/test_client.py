"""The REST client against a local server speaking Twilio's API shape."""

from __future__ import annotations

import pytest

from telephony.client import RestError, TwilioRest
from tests.live_server import free_port
from tests.twilio_api import ACCOUNT_SID, AUTH_TOKEN, running_twilio_api


@pytest.fixture
async def twilio_api():
    async with running_twilio_api() as api:
        yield api


async def test_a_text_is_sent_through_the_messages_api(twilio_api):
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=twilio_api.base_url)
    sent = await rest.send_sms(
        to="+972541234567", from_="+97233760000", body="שלום", status_callback="https://d/x"
    )
    assert sent.sid.startswith("SM")
    assert sent.status == "queued"
    [request] = twilio_api.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.form == {
        "To": "+972541234567",
        "From": "+97233760000",
        "Body": "שלום",
        "StatusCallback": "https://d/x",
    }


async def test_no_status_callback_is_sent_when_none_is_given(twilio_api):
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=twilio_api.base_url + "/")
    await rest.send_sms(to="+972541234567", from_="+97233760000", body="hi", status_callback=None)
    assert "StatusCallback" not in twilio_api.requests[0].form


async def test_a_live_call_is_redirected_with_twiml(twilio_api):
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=twilio_api.base_url)
    await rest.redirect_call("CA" + "1" * 32, "<Response><Dial>+972541234567</Dial></Response>")
    [request] = twilio_api.requests
    assert request.path.endswith("/Calls/CA" + "1" * 32 + ".json")
    assert request.form == {"Twiml": "<Response><Dial>+972541234567</Dial></Response>"}


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [
        (400, 21211, True),  # invalid number
        (400, 21610, True),  # the recipient texted STOP
        (404, 20404, True),
        (401, 20003, False),  # our credentials: fixed without the message
        (429, 20429, False),  # too many requests
        (500, 20500, False),
        (503, 21612, True),  # a code about the message wins over the status
    ],
)
async def test_twilios_refusals_say_whether_a_retry_could_help(twilio_api, status, code, permanent):
    twilio_api.refuse["+15005550001"] = (status, code, "no")
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=twilio_api.base_url)
    with pytest.raises(RestError) as caught:
        await rest.send_sms(to="+15005550001", from_="+97233760000", body="x", status_callback="")
    assert caught.value.status == status
    assert caught.value.code == code
    assert caught.value.permanent is permanent
    assert str(code) in str(caught.value)


async def test_wrong_credentials_are_refused_as_twilio_does(twilio_api):
    rest = TwilioRest(ACCOUNT_SID, "not-the-token", api_base=twilio_api.base_url)
    with pytest.raises(RestError) as caught:
        await rest.send_sms(to="+972541234567", from_="+97233760000", body="x", status_callback="")
    assert caught.value.status == 401
    assert not caught.value.permanent


async def test_an_unreachable_twilio_is_a_temporary_error():
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RestError) as caught:
        await rest.send_sms(to="+972541234567", from_="+97233760000", body="x", status_callback="")
    assert caught.value.status is None
    assert not caught.value.permanent
    assert "could not be reached" in str(caught.value)


def test_only_twilio_hosts_are_rebased():
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base="http://127.0.0.1:9/prefix")
    assert (
        rest.http.rebase("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1")
        == "http://127.0.0.1:9/prefix/2010-04-01/Accounts/AC1/Messages.json?x=1"
    )
    assert rest.http.rebase("https://elsewhere.example/a") == "https://elsewhere.example/a"
    untouched = TwilioRest(ACCOUNT_SID, AUTH_TOKEN)
    assert untouched.http.rebase("https://api.twilio.com/a") == "https://api.twilio.com/a"


async def test_a_request_without_credentials_is_refused(twilio_api):
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=twilio_api.base_url)
    answer = await rest.http.request(
        "post",
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        params={"x": 1},
        data={"To": "+972541234567", "From": "+97233760000", "Body": "x"},
    )
    assert answer.status_code == 401
    assert twilio_api.messages == []


def _recording_url(sid: str, suffix: str = "") -> str:
    return f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}{suffix}"


async def test_a_recording_is_fetched_as_mp3_with_the_accounts_credentials(twilio_api):
    sid = "RE" + "2" * 32
    twilio_api.recordings[sid] = b"ID3\x04audio"
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=twilio_api.base_url)
    assert await rest.recording(_recording_url(sid)) == b"ID3\x04audio"
    assert await rest.recording(_recording_url(sid, ".mp3")) == b"ID3\x04audio"
    assert twilio_api.requests[0].path.endswith(f"/Recordings/{sid}.mp3")


async def test_a_recording_twilio_will_not_give_is_an_error(twilio_api):
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=twilio_api.base_url)
    with pytest.raises(RestError) as missing:
        await rest.recording(_recording_url("RE" + "3" * 32))
    assert missing.value.status == 404
    wrong = TwilioRest(ACCOUNT_SID, "not-the-token", api_base=twilio_api.base_url)
    twilio_api.recordings["RE" + "4" * 32] = b"x"
    with pytest.raises(RestError) as refused:
        await wrong.recording(_recording_url("RE" + "4" * 32))
    assert refused.value.status == 401


@pytest.mark.parametrize(
    "url",
    [
        "http://api.twilio.com/r",
        "https://evil.example/Recordings/RE1",
        "https://twilio.com.evil.example/r",
    ],
)
async def test_only_twilio_recordings_are_fetched(url):
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN)
    with pytest.raises(RestError, match="not a Twilio recording"):
        await rest.recording(url)


async def test_an_unreachable_twilio_recording_is_an_error():
    rest = TwilioRest(ACCOUNT_SID, AUTH_TOKEN, api_base=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RestError, match="could not be reached"):
        await rest.recording(_recording_url("RE" + "5" * 32))
