"""Webhook forms into typed events: every required field checked, named when bad."""

from __future__ import annotations

import pytest

from telephony import parse

SID = "SM" + "a" * 32
ACCOUNT = "AC" + "b" * 32


def sms(**extra: str) -> dict[str, str]:
    return {
        "MessageSid": SID,
        "AccountSid": ACCOUNT,
        "From": "+972541234567",
        "To": "+97233760000",
        "Body": "The dryer stopped",
        "NumMedia": "0",
        **extra,
    }


def test_an_inbound_text_is_read():
    event = parse.inbound_sms(sms())
    assert event == parse.InboundSms(
        SID, ACCOUNT, "+972541234567", "+97233760000", "The dryer stopped"
    )


def test_picture_messages_carry_their_media():
    event = parse.inbound_sms(
        sms(
            NumMedia="2",
            MediaUrl0="https://api.twilio.com/m/0",
            MediaContentType0="image/jpeg",
            MediaUrl1="https://api.twilio.com/m/1",
        )
    )
    assert event.media == (
        parse.Media("https://api.twilio.com/m/0", "image/jpeg"),
        parse.Media("https://api.twilio.com/m/1", "application/octet-stream"),
    )


def test_num_media_may_be_absent():
    form = sms()
    del form["NumMedia"]
    assert parse.inbound_sms(form).media == ()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("MessageSid", None),
        ("MessageSid", "SM123"),
        ("MessageSid", "XX" + "a" * 32),
        ("AccountSid", None),
        ("AccountSid", "AC-nope"),
        ("From", None),
        ("From", ""),
        ("From", "+9725\x00"),
        ("From", "9" * 200),
        ("To", None),
        ("NumMedia", "many"),
        ("NumMedia", "11"),
        ("MediaUrl0", None),
    ],
)
def test_a_missing_or_malformed_field_is_named(field, value):
    form = sms(NumMedia="1", MediaUrl0="https://api.twilio.com/m/0")
    if field in ("NumMedia",):
        form[field] = value
    elif value is None:
        del form[field]
    else:
        form[field] = value
    with pytest.raises(parse.BadWebhook) as caught:
        parse.inbound_sms(form)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_a_media_url_must_be_https():
    with pytest.raises(parse.BadWebhook, match="MediaUrl0"):
        parse.inbound_sms(sms(NumMedia="1", MediaUrl0="http://evil.example/x"))


@pytest.mark.parametrize(
    ("body", "opt_out_type", "expected"),
    [
        ("STOP", None, "stop"),
        ("  stop. ", None, "stop"),
        ("Unsubscribe", None, "stop"),
        ("הסר", None, "stop"),
        ("start", None, "start"),
        ("YES!", None, "start"),
        ("help?", None, "help"),
        ("עזרה", None, "help"),
        ("please stop the noise", None, None),
        ("", None, None),
        ("whatever", "STOP", "stop"),
        ("Arret", "start", "start"),
        ("stop", "other", "stop"),
    ],
)
def test_opt_out_keywords(body, opt_out_type, expected):
    assert parse.keyword(body, opt_out_type) == expected
    form = sms(Body=body, **({"OptOutType": opt_out_type} if opt_out_type else {}))
    assert parse.inbound_sms(form).opt_out == expected


def test_a_status_report_is_read():
    assert parse.sms_status({"MessageSid": SID, "MessageStatus": "delivered"}) == parse.SmsStatus(
        SID, "delivered"
    )
    failed = parse.sms_status({"MessageSid": SID, "SmsStatus": "undelivered", "ErrorCode": "30003"})
    assert failed == parse.SmsStatus(SID, "undelivered", "30003")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"MessageSid": SID}, "MessageStatus"),
        ({"MessageSid": SID, "MessageStatus": "exploded"}, "MessageStatus"),
        ({"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "x1"}, "ErrorCode"),
        ({"MessageStatus": "sent"}, "MessageSid"),
    ],
)
def test_a_bad_status_report_is_named(form, field):
    with pytest.raises(parse.BadWebhook) as caught:
        parse.sms_status(form)
    assert caught.value.field == field
