"""parse_email on mail as real clients and MTAs write it (tests/fixtures/mail/*.eml):
who sent it, what it says, what is new in a reply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from servicedesk.channels.email.parse import parse_email
from servicedesk.channels.message import InboundMessage
from servicedesk.enums import Channel

FIXTURES = Path(__file__).parents[2] / "fixtures" / "mail"
LIMIT = 25 * 1024 * 1024
ISRAEL_WINTER = timezone(timedelta(hours=2))


def load(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


def parse(name: str) -> InboundMessage:
    return parse_email(load(name), max_attachment_bytes=LIMIT)


def test_every_fixture_is_a_complete_email_message() -> None:
    names = sorted(p.stem for p in FIXTURES.glob("*.eml"))
    assert len(names) >= 25
    for name in names:
        message = parse(name)
        assert message.channel is Channel.email
        assert message.raw == load(name)
        assert message.provider_id


@pytest.mark.parametrize(
    ("fixture", "value", "name"),
    [
        ("gmail_reply_en", "dana.levi@gmail.com", "Dana Levi"),
        ("gmail_reply_he", "ronit.cohen@gmail.com", "רונית כהן"),
        ("outlook_reply_en", "moshe.peretz@example.com", "Moshe Peretz"),
        ("outlook_reply_he", "merav@example.co.il", "מירב שטרן"),
        ("thunderbird_signature", "juergen@example.org", "Jürgen Müller"),
        ("raw_8bit_headers", "michal@example.co.il", "מיכל אברהם"),
        ("mislabelled_utf8_is_cp1255", "avi@example.co.il", "אבי"),
        ("rfc2047_mixed", "dana@example.co.il", "דנה כהן"),
        ("bounce_postfix", "mailer-daemon@mx.kitchen.example.co.il", "Mail Delivery System"),
        ("no_from", "webform@shop.example.co.il", "Web Form"),
    ],
)
def test_sender_is_normalised_with_decoded_name(fixture: str, value: str, name: str) -> None:
    sender = parse(fixture).sender
    assert sender is not None
    assert (sender.value, sender.name) == (value, name)


def test_sender_falls_back_to_sender_header_with_a_warning() -> None:
    message = parse("no_from")
    assert any("no From address" in w for w in message.warnings)


def test_invalid_from_gives_no_sender_and_a_warning() -> None:
    message = parse("broken_headers")
    assert message.sender is None
    assert "The sender 'not an address at all' is not a valid e-mail address." in message.warnings


@pytest.mark.parametrize(
    ("fixture", "subject"),
    [
        ("gmail_reply_en", "Re: [#1042] Oven does not heat"),
        ("gmail_reply_he", "Re: [#1043] המקרר לא מקרר"),
        ("outlook_reply_he", "RE: [#1045] תיקון כיריים"),  # windows-1255, B encoding
        ("outlook_block_he_iso8859_8", "RE: [#1046] מדיח כלים רועש"),  # iso-8859-8-i, Q
        ("thunderbird_signature", "Ersatzteil für Kühlschrank"),
        ("raw_8bit_headers", "שאלה לגבי האחריות"),  # raw UTF-8, folded, spaces collapsed
        ("mislabelled_utf8_is_cp1255", "בקשה להחזר"),  # raw windows-1255 bytes
        ("unknown_charset", "בדיקה"),  # unknown charset in an encoded word
        ("rfc2047_mixed", "שלוםעולם שלום with spaces"),  # split, glued, spaced words
        ("broken_headers", "בדיקה broken ע בא"),  # missing padding, garbage words
        ("related_cid", "נזק במקרר"),
        ("nul_bytes", "hasnul"),
    ],
)
def test_subject_is_decoded_and_collapsed(fixture: str, subject: str) -> None:
    assert parse(fixture).subject == subject


@pytest.mark.parametrize(
    ("fixture", "provider_id"),
    [
        ("gmail_reply_en", "CAJx9Qw+5bK2mZ=Lr7hX0p_Fv8n@mail.gmail.com"),
        ("apple_mail_reply", "8E1F2A3B-4C5D-6E7F-8091-A2B3C4D5E6F7@icloud.com"),
        ("outlook_reply_he", "000001db2e1f$4a5b6c70$df7e4550$@example.co.il"),
        ("rfc2047_mixed", "spaced-id@example.co.il"),  # "< spaced-id@… >"
        (
            "bounce_exchange",
            "ab12cd34-ef56-7890-abcd-ef1234567890@AM0PR01MB1111.eurprd01.prod.exchangelabs.com",
        ),
        ("nul_bytes", "nul-1@example.com"),
    ],
)
def test_provider_id_is_the_message_id_without_brackets(fixture: str, provider_id: str) -> None:
    assert parse(fixture).provider_id == provider_id


def test_provider_id_without_a_usable_message_id_is_a_hash_of_the_bytes() -> None:
    first = parse("broken_headers")
    again = parse("broken_headers")
    assert first.provider_id == again.provider_id
    assert first.provider_id.startswith("sha256-")
    assert first.provider_id.endswith("@servicedesk.invalid")
    other = parse_email(load("broken_headers") + b"\n", max_attachment_bytes=LIMIT)
    assert other.provider_id != first.provider_id


@pytest.mark.parametrize(
    ("fixture", "in_reply_to", "references"),
    [
        (
            "gmail_reply_en",
            ("20261103080000.1111.support@kitchen.example.co.il",),
            ("20261103080000.1111.support@kitchen.example.co.il", "CAJx1=abc123@mail.gmail.com"),
        ),
        ("broken_headers", (), ("a@b",)),  # de-duplicated, garbage and unclosed ids skipped
        ("list_mail", (), ()),
    ],
)
def test_thread_ids_are_read_in_order(
    fixture: str, in_reply_to: tuple[str, ...], references: tuple[str, ...]
) -> None:
    message = parse(fixture)
    assert (message.in_reply_to, message.references) == (in_reply_to, references)


@pytest.mark.parametrize(
    ("fixture", "to", "cc"),
    [
        (
            "outlook_reply_en",
            [("support@kitchen.example.co.il", "Kitchen Support")],
            [("noa.levi@example.com", "Levi, Noa")],
        ),
        (
            "rfc2047_mixed",
            [("dana2@example.co.il", "Cohen, Dana")],
            [("shalom@example.co.il", "שלום")],
        ),
        ("raw_8bit_headers", [("support@kitchen.example.co.il", "שירות, לקוחות")], []),
        ("broken_headers", [("support@kitchen.example.co.il", "")], []),  # invalid ones skipped
    ],
)
def test_recipients_are_parties(
    fixture: str, to: list[tuple[str, str]], cc: list[tuple[str, str]]
) -> None:
    message = parse(fixture)
    assert [(p.value, p.name) for p in message.to] == to
    assert [(p.value, p.name) for p in message.cc] == cc


def test_reply_to_is_where_the_answer_goes() -> None:
    message = parse("html_only")
    assert message.reply_to is not None
    assert message.answer_to is message.reply_to
    assert message.reply_to.value == "eden.bar@example.com"


@pytest.mark.parametrize(
    ("fixture", "sent_at"),
    [
        ("gmail_reply_en", datetime(2026, 11, 5, 18, 13, 47, tzinfo=ISRAEL_WINTER)),
        ("outlook_reply_en", datetime(2026, 11, 4, 7, 30, 5, tzinfo=UTC)),
        ("bounce_postfix", datetime(2026, 11, 5, 10, 15, 2, tzinfo=ISRAEL_WINTER)),
        ("broken_headers", None),
    ],
)
def test_date_is_an_aware_datetime_or_none(fixture: str, sent_at: datetime | None) -> None:
    message = parse(fixture)
    assert message.sent_at == sent_at
    if message.sent_at is not None:
        assert message.sent_at.tzinfo is not None


@pytest.mark.parametrize(
    ("fixture", "language"),
    [
        ("outlook_reply_en", "en"),
        ("outlook_reply_he", "he"),
        ("outlook_block_he_iso8859_8", "he"),
        ("thunderbird_signature", "de"),
        ("gmail_reply_en", None),
    ],
)
def test_language_is_the_primary_tag_of_content_language(
    fixture: str, language: str | None
) -> None:
    assert parse(fixture).language == language


def test_display_headers_are_decoded() -> None:
    headers = dict(parse("gmail_reply_he").headers)
    assert headers["From"] == "רונית כהן <ronit.cohen@gmail.com>"
    assert headers["Subject"] == "Re: [#1043] המקרר לא מקרר"
    assert headers["Message-ID"] == "<CAK7pL=rT0n1t_Xy2@mail.gmail.com>"
    assert set(headers) == {"From", "To", "Date", "Subject", "Message-ID"}


@pytest.mark.parametrize(
    ("fixture", "body_text"),
    [
        (
            "gmail_reply_en",
            "Hi,\n\nThe replacement part arrived today and the oven heats again. Thanks for the\n"
            "quick help!\n\nDana",
        ),
        ("gmail_reply_he", "שלום,\n\nהטכנאי הגיע והמקרר עובד שוב. תודה רבה!\n\nרונית"),
        ("gmail_reply_he_new", "כן, המספר הסידורי הוא KX-4471-B."),
        (
            "outlook_reply_en",
            "Hello,\n\nYes, please go ahead with the repair – the warranty card is attached to my\n"
            "earlier e-mail.\n\nKind regards,\nMoshe Peretz\nFacilities Manager | Example Ltd.",
        ),
        ("outlook_reply_he", "שלום,\n\nקיבלתי את ההצעה, אפשר לתאם הגעה ליום חמישי.\n\nתודה,\nמירב"),
        (
            "outlook_block_he_iso8859_8",
            "בוקר טוב,\n\nהמכשיר עדיין מרעיש. אפשר לשלוח טכנאי שוב?\n\nאורי",
        ),
        (
            "apple_mail_reply",  # format=flowed; delsp=yes joined, quoted attribution dropped
            "I followed the descaling steps from your message but the red light is still blinking"
            " after the cycle finished. Is there a reset button?\n\nSent from my iPhone",
        ),
        (
            "thunderbird_signature",  # flowed, signature removed
            "Guten Tag,\n\nich brauche eine neue Türdichtung für meinen Kühlschrank, Modell KS-200."
            " Können Sie mir ein Angebot schicken?",
        ),
    ],
)
def test_body_text_is_the_reply_without_quoted_history(fixture: str, body_text: str) -> None:
    assert parse(fixture).body_text == body_text


@pytest.mark.parametrize(
    ("fixture", "quoted"),
    [
        ("gmail_reply_en", "> We have sent a replacement heating element."),
        ("gmail_reply_he", "> טכנאי יגיע אלייך מחר בין 8:00 ל-12:00."),
        ("outlook_reply_en", "Subject: RE: [#1044] Dishwasher leaking"),
        ("outlook_reply_he", "-----הודעה מקורית-----"),
        ("thunderbird_signature", "-- \nJürgen Müller"),
    ],
)
def test_full_text_keeps_the_quoted_history(fixture: str, quoted: str) -> None:
    message = parse(fixture)
    assert quoted in message.full_text
    assert quoted not in message.body_text


@pytest.mark.parametrize(
    ("fixture", "text"),
    [
        ("mislabelled_latin1_is_utf8", "שלום, ההזמנה שלי לא הגיעה. Café crème."),
        ("mislabelled_utf8_is_cp1255", "אני מבקש החזר כספי על הבלנדר."),
        ("raw_8bit_headers", "האם האחריות כוללת חלקים?"),
        ("unknown_charset", "המזגן מטפטף מים על הרצפה.\n\nModel: AC-9000"),
        ("outlook_reply_en", "repair – the warranty"),  # windows-1252 QP
        ("out_of_office", "אני מחוץ למשרד עד יום ראשון 9/11."),  # base64 UTF-8
    ],
)
def test_body_charset_is_read_right_even_when_mislabelled(fixture: str, text: str) -> None:
    assert text in parse(fixture).full_text


@pytest.mark.parametrize(
    ("fixture", "warned"),
    [
        ("mislabelled_utf8_is_cp1255", "labelled 'utf-8' but is not; read as Hebrew"),
        ("unknown_charset", "unknown character set 'x-unknown-hebrew'"),
        ("mislabelled_latin1_is_utf8", None),  # valid UTF-8 is not a guess
    ],
)
def test_charset_guesses_are_warned_about(fixture: str, warned: str | None) -> None:
    warnings = parse(fixture).warnings
    if warned is None:
        assert warnings == ()
    else:
        assert any(warned in w for w in warnings), warnings


def test_plain_alternative_is_preferred_and_html_kept_raw() -> None:
    message = parse("outlook_reply_en")
    assert message.full_text.startswith("Hello,\n\nYes, please go ahead")
    assert message.body_html is not None
    assert "<style><!--" in message.body_html  # untrusted, not sanitised here


def test_html_only_mail_is_converted_to_text() -> None:
    message = parse("html_only")
    assert message.body_html is not None
    assert "<script>" in message.body_html
    assert message.full_text.startswith("New contact request\n\nName: Eden Bar\nPhone: 050-1234567")
    assert (
        "The blender makes a burning smell after 2 minutes.\nCan I return it?" in message.full_text
    )
    for hidden in ("track(", "font-family", "var x", "footer", "Contact\n"):
        assert hidden not in message.full_text


def test_inline_forward_is_content_not_history() -> None:
    message = parse("gmail_inline_forward")
    assert "Your parcel was delivered and left at the door." in message.body_text
    assert message.body_text == message.full_text
