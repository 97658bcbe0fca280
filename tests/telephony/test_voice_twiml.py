"""The TwiML voice answers, read back as XML: the verbs Twilio will run, their
attributes, and every text escaped (Hebrew included)."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from telephony import twiml

URLS = twiml.Urls(
    gather="https://desk.example/twilio/voice/menu",
    enqueue_action="https://desk.example/twilio/voice/queued",
    wait="https://desk.example/twilio/voice/wait",
    record_action="https://desk.example/twilio/voice/recording",
    transcription="https://desk.example/twilio/voice/transcription",
    dial_action="https://desk.example/twilio/voice/dialled",
    agent_status="https://desk.example/twilio/voice/agent-status",
)
HOSTILE = "שלום <script>alert(\"x\")</script> & ]]> 'bye'"


def verbs(document: str) -> list[ElementTree.Element]:
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ElementTree.fromstring(document)
    assert root.tag == "Response"
    return list(root)


def assert_says(element: ElementTree.Element, text: str, language: str, voice: str) -> None:
    assert element.tag == "Say"
    assert element.text == text
    assert element.attrib == {"language": language, "voice": voice}


HEBREW = ("he-IL", "Google.he-IL-Standard-A")
ENGLISH = ("en-US", "Google.en-US-Standard-C")


# -- the menu ----------------------------------------------------------------------------


def test_the_menu_listens_for_one_key_or_words_while_it_speaks():
    document = twiml.menu(
        ["לשירות לקוחות הקישו 1", "For English press star"],
        "he",
        "https://desk.example/twilio/voice/menu?step=main&try=2",
        hints=["מקרר", "fridge"],
    )
    [gather] = verbs(document)
    assert gather.tag == "Gather"
    assert gather.attrib == {
        "input": "dtmf speech",
        "action": "https://desk.example/twilio/voice/menu?step=main&try=2",
        "method": "POST",
        "language": "he-IL",
        "timeout": "6",
        "speechTimeout": "auto",
        "actionOnEmptyResult": "true",
        "numDigits": "1",
        "hints": "מקרר, fridge",
    }
    first, second = list(gather)
    assert_says(first, "לשירות לקוחות הקישו 1", *HEBREW)
    assert_says(second, "For English press star", *HEBREW)


def test_a_longer_entry_ends_with_the_hash_key():
    [gather] = verbs(twiml.menu(["Type the serial number"], "en", URLS.gather, digits=20))
    assert gather.get("finishOnKey") == "#"
    assert "numDigits" not in gather.attrib
    assert "hints" not in gather.attrib
    assert gather.get("language") == "en-US"


def test_the_menu_timeout_can_be_changed():
    [gather] = verbs(twiml.menu(["x"], "en", URLS.gather, timeout=10))
    assert gather.get("timeout") == "10"


def test_hints_are_cut_to_what_twilio_accepts():
    [gather] = verbs(twiml.menu(["x"], "en", URLS.gather, hints=["word"] * 500))
    assert len(gather.get("hints", "")) == 900


@pytest.mark.parametrize("language", ["fr", ""])
def test_an_unknown_language_speaks_english(language):
    [gather] = verbs(twiml.menu(["Hello"], language, URLS.gather))
    assert gather.get("language") == "en-US"
    assert_says(gather[0], "Hello", *ENGLISH)


def test_hebrew_text_and_markup_are_escaped_not_run():
    document = twiml.menu([HOSTILE], "he", URLS.gather)
    assert "<script>" not in document
    [gather] = verbs(document)
    [say] = list(gather)
    assert say.text == HOSTILE
    assert list(say) == []


# -- the queue ---------------------------------------------------------------------------


def test_enqueue_names_the_queue_and_where_twilio_posts():
    document = twiml.enqueue("מכשירי חשמל ביתיים", "he", URLS, before=["מיד נעביר אותך לנציג"])
    say, enqueue = verbs(document)
    assert_says(say, "מיד נעביר אותך לנציג", *HEBREW)
    assert enqueue.tag == "Enqueue"
    assert enqueue.text == "מכשירי חשמל ביתיים"
    assert enqueue.attrib == {
        "action": URLS.enqueue_action,
        "method": "POST",
        "waitUrl": URLS.wait,
        "waitUrlMethod": "POST",
    }


def test_enqueue_needs_nothing_said_first():
    [enqueue] = verbs(twiml.enqueue("Billing & <Refunds>", "en", URLS))
    assert enqueue.text == "Billing & <Refunds>"


def test_a_waiting_caller_hears_their_place_then_hold_music():
    music = "https://cdn.example/hold.mp3"
    say, play = verbs(twiml.waiting(["You are third in line"], "en", hold_music=music, pause=9))
    assert_says(say, "You are third in line", *ENGLISH)
    assert play.tag == "Play"
    assert play.text == music


@pytest.mark.parametrize("hold_music", [None, ""])
def test_without_hold_music_a_waiting_caller_hears_silence(hold_music):
    say, pause = verbs(twiml.waiting(["אתם הבאים בתור"], "he", hold_music=hold_music, pause=20))
    assert_says(say, "אתם הבאים בתור", *HEBREW)
    assert pause.tag == "Pause"
    assert pause.attrib == {"length": "20"}


def test_waiting_may_say_nothing():
    [pause] = verbs(twiml.waiting([], "en", hold_music=None, pause=5))
    assert pause.tag == "Pause"


def test_leaving_the_queue_is_one_leave():
    [leave] = verbs(twiml.leave_queue())
    assert leave.tag == "Leave"
    assert leave.attrib == {}


# -- voicemail ---------------------------------------------------------------------------


def test_voicemail_records_with_a_transcription_then_hangs_up():
    first, second, record, hangup = verbs(
        twiml.voicemail(["אין נציג פנוי", "השאירו הודעה אחרי הצפצוף"], "he", URLS, max_seconds=120)
    )
    assert_says(first, "אין נציג פנוי", *HEBREW)
    assert_says(second, "השאירו הודעה אחרי הצפצוף", *HEBREW)
    assert record.tag == "Record"
    assert record.attrib == {
        "action": URLS.record_action,
        "method": "POST",
        "maxLength": "120",
        "playBeep": "true",
        "finishOnKey": "#",
        "transcribe": "true",
        "transcribeCallback": URLS.transcription,
    }
    assert hangup.tag == "Hangup"


# -- an agent ----------------------------------------------------------------------------


def test_an_agent_in_the_browser_is_dialled_as_a_client():
    [dial] = verbs(
        twiml.dial_agent(client="agent_7", number=None, caller_id=None, urls=URLS, ring=25)
    )
    assert dial.tag == "Dial"
    assert dial.attrib == {"action": URLS.dial_action, "method": "POST", "timeout": "25"}
    [client] = list(dial)
    assert client.tag == "Client"
    assert client.text == "agent_7"
    assert client.attrib == {
        "statusCallbackEvent": "answered completed",
        "statusCallback": URLS.agent_status,
    }


def test_an_agent_on_their_phone_is_dialled_with_our_caller_id():
    [dial] = verbs(
        twiml.dial_agent(
            client=None, number="+972541234567", caller_id="+97233760000", urls=URLS, ring=20
        )
    )
    assert dial.get("callerId") == "+97233760000"
    [number] = list(dial)
    assert number.tag == "Number"
    assert number.text == "+972541234567"
    assert number.get("statusCallbackEvent") == "answered completed"
    assert number.get("statusCallback") == URLS.agent_status


def test_a_client_identity_wins_over_a_number():
    document = twiml.dial_agent(
        client="agent_7", number="+972541234567", caller_id=None, urls=URLS, ring=20
    )
    [dial] = verbs(document)
    assert [child.tag for child in dial] == ["Client"]


def test_an_agent_needs_a_client_or_a_number():
    with pytest.raises(ValueError, match="client identity or a number"):
        twiml.dial_agent(client=None, number=None, caller_id=None, urls=URLS, ring=20)


# -- the end -----------------------------------------------------------------------------


def test_goodbye_speaks_then_hangs_up():
    say, hangup = verbs(twiml.goodbye([HOSTILE], "he"))
    assert_says(say, HOSTILE, *HEBREW)
    assert hangup.tag == "Hangup"


def test_empty_is_a_response_with_nothing_in_it():
    assert verbs(twiml.empty()) == []


def test_urls_default_to_empty():
    assert twiml.Urls() == twiml.Urls("", "", "", "", "", "", "")
