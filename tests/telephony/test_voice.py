"""Voice webhook forms into typed events: what Twilio always sends is checked and
named when bad; what the caller typed or said is passed on, cleaned and cut."""

from __future__ import annotations

import pytest

from telephony import voice
from telephony.parse import BadWebhook

CALL = "CA" + "c" * 32
AGENT_LEG = "CA" + "d" * 32
ACCOUNT = "AC" + "b" * 32
RECORDING = "RE" + "e" * 32
RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}"


def standard(**extra: str) -> dict[str, str]:
    """The parameters Twilio sends with every voice request (an inbound call)."""
    return {
        "CallSid": CALL,
        "AccountSid": ACCOUNT,
        "From": "+972541234567",
        "To": "+97233760000",
        "Caller": "+972541234567",
        "Called": "+97233760000",
        "CallStatus": "ringing",
        "ApiVersion": "2010-04-01",
        "Direction": "inbound",
        "FromCountry": "IL",
        "ToCountry": "IL",
        **extra,
    }


def without(form: dict[str, str], field: str) -> dict[str, str]:
    return {name: value for name, value in form.items() if name != field}


def assert_names(caught: pytest.ExceptionInfo[BadWebhook], field: str) -> None:
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


# -- the call itself ---------------------------------------------------------------------


def test_an_incoming_call_is_read():
    assert voice.call(standard(CallerName="Dana Levi")) == voice.Call(
        CALL, ACCOUNT, "+972541234567", "+97233760000", "inbound", "Dana Levi"
    )


def test_a_call_from_a_browser_client_keeps_its_identity():
    event = voice.call(standard(From="client:agent_7", Direction="outbound-api"))
    assert event.from_number == "client:agent_7"
    assert event.direction == "outbound-api"


@pytest.mark.parametrize(
    "form",
    [without(standard(), "Direction"), standard(Direction="")],
    ids=["absent", "empty"],
)
def test_a_call_without_a_direction_is_inbound(form):
    assert voice.call(form).direction == "inbound"


def test_an_overlong_direction_is_cut():
    assert voice.call(standard(Direction="x" * 100)).direction == "x" * 16


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("", ""),
        ("  DANA   LEVI ", "DANA LEVI"),
        ("דנה\x00לוי\r\nבע״מ", "דנה לוי בע״מ"),
        ("Evil\x1b[31m\x7fName", "Evil [31m Name"),
        ("x" * 300, "x" * 100),
    ],
    ids=["empty", "spaces", "controls-in-hebrew", "escape-and-delete", "too-long"],
)
def test_the_caller_name_is_cleaned_and_cut(raw, clean):
    assert voice.call(standard(CallerName=raw)).caller_name == clean


def test_no_caller_name_is_empty():
    assert voice.call(without(standard(), "CallerName")).caller_name == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("CallSid", None),
        ("CallSid", ""),
        ("CallSid", "CA123"),
        ("CallSid", "SM" + "c" * 32),
        ("CallSid", "CA" + "g" * 32),
        ("AccountSid", None),
        ("AccountSid", "AC-nope"),
        ("From", None),
        ("From", "+9725\x00"),
        ("From", "9" * 200),
        ("To", None),
        ("To", ""),
    ],
)
def test_a_call_missing_or_malformed_field_is_named(field, value):
    form = without(standard(), field)
    if value is not None:
        form[field] = value
    with pytest.raises(BadWebhook) as caught:
        voice.call(form)
    assert_names(caught, field)
    assert caught.value.problem == ("missing" if not value else "malformed")


# -- what the caller pressed or said -----------------------------------------------------


def test_keys_pressed_at_the_menu_are_read():
    form = standard(Digits="1", FinishedOnKey="", CallStatus="in-progress")
    assert voice.gathered(form) == voice.Gathered(CALL, "1", "", None)


def test_words_said_at_the_menu_are_read_with_their_confidence():
    form = standard(SpeechResult="המקרר שלי לא מקרר", Confidence="0.9123", Language="he-IL")
    assert voice.gathered(form) == voice.Gathered(CALL, "", "המקרר שלי לא מקרר", 0.9123)


def test_nothing_pressed_or_said_is_empty():
    """`actionOnEmptyResult`: Twilio posts without Digits or SpeechResult."""
    assert voice.gathered(standard()) == voice.Gathered(CALL, "", "", None)


@pytest.mark.parametrize(
    "digits",
    ["0", "9", "*", "#", "12345678", "*9#", "1" * voice.MAX_DIGITS],
)
def test_keys_a_phone_can_send_are_kept(digits):
    assert voice.gathered(standard(Digits=digits)).digits == digits


@pytest.mark.parametrize(
    "digits",
    ["A", "1a", "12 34", "-1", "١", "1\x00", "1" * (voice.MAX_DIGITS + 1)],
    ids=["letter", "mixed", "space", "minus", "arabic-digit", "control", "too-long"],
)
def test_keys_no_phone_sends_become_a_question_mark(digits):
    """So the menu answers "not an option" rather than the webhook failing."""
    assert voice.gathered(standard(Digits=digits)).digits == "?"


@pytest.mark.parametrize(
    ("said", "clean"),
    [
        ("  I need\tan   agent\n", "I need an agent"),
        ("נציג\x00בבקשה\x7f", "נציג בבקשה"),
        ("x" * 2000, "x" * voice.MAX_SPEECH),
    ],
    ids=["whitespace", "controls", "too-long"],
)
def test_speech_is_cleaned_and_cut(said, clean):
    assert voice.gathered(standard(SpeechResult=said)).speech == clean


@pytest.mark.parametrize(
    ("raw", "confidence"),
    [("0.5", 0.5), ("1", 1.0), ("", None), ("high", None)],
)
def test_the_confidence_is_a_number_or_none(raw, confidence):
    assert voice.gathered(standard(Confidence=raw)).confidence == confidence


@pytest.mark.parametrize("value", [None, "CA1"])
def test_a_gather_without_a_good_call_sid_is_refused(value):
    form = without(standard(Digits="1"), "CallSid")
    if value is not None:
        form["CallSid"] = value
    with pytest.raises(BadWebhook) as caught:
        voice.gathered(form)
    assert_names(caught, "CallSid")


# -- call status -------------------------------------------------------------------------


def test_a_finished_call_reports_its_duration():
    form = standard(CallStatus="completed", CallDuration="184", Duration="4", Timestamp="x")
    assert voice.call_status(form) == voice.CallStatus(CALL, "completed", 184, None)


def test_the_agents_leg_names_the_callers_call():
    form = standard(CallSid=AGENT_LEG, ParentCallSid=CALL, CallStatus="in-progress")
    assert voice.call_status(form) == voice.CallStatus(AGENT_LEG, "in-progress", None, CALL)


@pytest.mark.parametrize("status", voice.CALL_STATES)
def test_every_state_twilio_reports_is_accepted(status):
    assert voice.call_status(standard(CallStatus=status, ParentCallSid="")).status == status


def test_the_ended_states_are_call_states():
    assert voice.ENDED_STATES < set(voice.CALL_STATES)
    assert "in-progress" not in voice.ENDED_STATES


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"CallStatus": None}, "CallStatus"),
        ({"CallStatus": "exploded"}, "CallStatus"),
        ({"CallStatus": "Completed"}, "CallStatus"),
        ({"ParentCallSid": "CA-parent"}, "ParentCallSid"),
        ({"CallSid": None}, "CallSid"),
        ({"CallDuration": "3.5"}, "CallDuration"),
        ({"CallDuration": "-4"}, "CallDuration"),
        ({"CallDuration": "²"}, "CallDuration"),
        ({"CallDuration": "1" * 10}, "CallDuration"),
    ],
)
def test_a_bad_status_report_is_named(changes, field):
    form = standard(CallStatus="completed")
    for name, value in changes.items():
        form = without(form, name)
        if value is not None:
            form[name] = value
    with pytest.raises(BadWebhook) as caught:
        voice.call_status(form)
    assert_names(caught, field)


def test_an_unknown_state_is_quoted_and_cut_in_the_error():
    with pytest.raises(BadWebhook, match=r"unknown state 'x{40}'$"):
        voice.call_status(standard(CallStatus="x" * 500))


# -- the queue ---------------------------------------------------------------------------


def test_a_queued_caller_learns_their_place():
    form = standard(
        CallStatus="in-progress",
        QueueSid="QU" + "f" * 32,
        QueuePosition="3",
        QueueTime="95",
        AvgQueueTime="120",
        CurrentQueueSize="7",
        MaxQueueSize="100",
    )
    assert voice.queue_wait(form) == voice.QueueWait(CALL, 3, 95, 120, 7)


def test_only_the_queue_position_is_needed():
    assert voice.queue_wait(standard(QueuePosition="1")) == voice.QueueWait(CALL, 1, 0, 0, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "QueuePosition"),
        ({"QueuePosition": ""}, "QueuePosition"),
        ({"QueuePosition": "first"}, "QueuePosition"),
        ({"QueuePosition": "2", "QueueTime": "1.5"}, "QueueTime"),
        ({"QueuePosition": "2", "AvgQueueTime": "x"}, "AvgQueueTime"),
        ({"QueuePosition": "2", "CurrentQueueSize": "-1"}, "CurrentQueueSize"),
    ],
)
def test_a_bad_queue_report_is_named(changes, field):
    with pytest.raises(BadWebhook) as caught:
        voice.queue_wait(standard(**changes))
    assert_names(caught, field)


def test_a_caller_who_left_the_queue_says_why():
    form = standard(QueueResult="leave", QueueSid="QU" + "f" * 32, QueueTime="301")
    assert voice.queue_left(form) == voice.QueueLeft(CALL, "leave", 301)


@pytest.mark.parametrize(
    "result",
    [
        # Twilio's documented QueueResult values.
        "bridged",
        "bridging-in-process",
        "error",
        "hangup",
        "leave",
        "redirected",
        "redirected-from-bridged",
        "queue-full",
        "system-error",
    ],
)
def test_every_documented_queue_result_is_accepted(result):
    """Never enqueued (queue-full, system-error): no QueueTime comes, so zero."""
    assert voice.queue_left(standard(QueueResult=result)) == voice.QueueLeft(CALL, result, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "QueueResult"),
        ({"QueueResult": "abandoned"}, "QueueResult"),
        ({"QueueResult": "leave", "QueueTime": "soon"}, "QueueTime"),
        ({"QueueResult": "leave", "CallSid": "CA1"}, "CallSid"),
    ],
)
def test_a_bad_queue_result_is_named(changes, field):
    with pytest.raises(BadWebhook) as caught:
        voice.queue_left(standard(**changes))
    assert_names(caught, field)


# -- the leg to an agent -----------------------------------------------------------------


def test_a_dialled_agent_who_talked_reports_how_long():
    form = standard(
        DialCallStatus="completed", DialCallSid=AGENT_LEG, DialCallDuration="62", DialBridged="true"
    )
    assert voice.dialled(form) == voice.Dialled(CALL, "completed", 62)


@pytest.mark.parametrize("status", voice.DIAL_STATES)
def test_every_dial_state_is_accepted_and_unanswered_lasts_zero(status):
    assert voice.dialled(standard(DialCallStatus=status)) == voice.Dialled(CALL, status, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "DialCallStatus"),
        ({"DialCallStatus": "ringing"}, "DialCallStatus"),
        ({"DialCallStatus": "completed", "DialCallDuration": "1m"}, "DialCallDuration"),
        ({"DialCallStatus": "busy", "CallSid": ""}, "CallSid"),
    ],
)
def test_a_bad_dial_result_is_named(changes, field):
    with pytest.raises(BadWebhook) as caught:
        voice.dialled(standard(**changes))
    assert_names(caught, field)


# -- voicemail ---------------------------------------------------------------------------


def test_a_voicemail_recording_is_read():
    form = standard(
        RecordingUrl=RECORDING_URL, RecordingSid=RECORDING, RecordingDuration="17", Digits="#"
    )
    assert voice.recording(form) == voice.Recording(CALL, RECORDING, RECORDING_URL, 17)


def test_a_recording_without_a_duration_lasts_zero():
    form = standard(RecordingUrl=RECORDING_URL, RecordingSid=RECORDING)
    assert voice.recording(form).duration == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"RecordingUrl": None}, "RecordingUrl"),
        ({"RecordingUrl": "http://api.twilio.com/x"}, "RecordingUrl"),
        ({"RecordingUrl": "https://api.twilio.com/" + "x" * 480}, "RecordingUrl"),
        ({"RecordingSid": None}, "RecordingSid"),
        ({"RecordingSid": "RE123"}, "RecordingSid"),
        ({"RecordingDuration": "17s"}, "RecordingDuration"),
        ({"CallSid": None}, "CallSid"),
    ],
)
def test_a_bad_recording_is_named(changes, field):
    form = standard(RecordingUrl=RECORDING_URL, RecordingSid=RECORDING, RecordingDuration="17")
    for name, value in changes.items():
        form = without(form, name)
        if value is not None:
            form[name] = value
    with pytest.raises(BadWebhook) as caught:
        voice.recording(form)
    assert_names(caught, field)


def test_a_transcription_is_read_and_cleaned():
    form = standard(
        TranscriptionSid="TR" + "a" * 32,
        TranscriptionStatus="completed",
        TranscriptionText="Hi,\x00 the dryer\n stopped.",
        TranscriptionUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Transcriptions/x",
        RecordingSid=RECORDING,
        RecordingUrl=RECORDING_URL,
        CallStatus="completed",
    )
    assert voice.transcription(form) == voice.Transcription(
        CALL, RECORDING, True, "Hi, the dryer stopped."
    )


def test_a_long_transcription_is_cut():
    form = standard(TranscriptionStatus="completed", TranscriptionText="word " * 10_000)
    assert len(voice.transcription(form).text) == 20_000


def test_a_failed_transcription_has_no_text_and_may_have_no_recording():
    form = standard(TranscriptionStatus="failed", TranscriptionText="(blank)", RecordingSid="")
    assert voice.transcription(form) == voice.Transcription(CALL, None, False, "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "TranscriptionStatus"),
        ({"TranscriptionStatus": "in-progress"}, "TranscriptionStatus"),
        ({"TranscriptionStatus": "completed", "RecordingSid": "RE-x"}, "RecordingSid"),
        ({"TranscriptionStatus": "completed", "CallSid": "CA"}, "CallSid"),
    ],
)
def test_a_bad_transcription_is_named(changes, field):
    with pytest.raises(BadWebhook) as caught:
        voice.transcription(standard(**changes))
    assert_names(caught, field)
