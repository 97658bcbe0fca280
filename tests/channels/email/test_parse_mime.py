"""parse_email on MIME structure: attachments, inline images, forwards, signed and
encrypted mail, delivery reports, auto-replies, and the limits against hostile mail."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from servicedesk.channels.email.parse import parse_email
from servicedesk.channels.email.walk import MAX_DEPTH, MAX_PARTS
from servicedesk.channels.message import Bounce, InboundMessage

FIXTURES = Path(__file__).parents[2] / "fixtures" / "mail"
MB = 1024 * 1024
LIMIT = 25 * MB


def parse(name: str) -> InboundMessage:
    return parse_email((FIXTURES / f"{name}.eml").read_bytes(), max_attachment_bytes=LIMIT)


def test_related_image_is_an_inline_attachment_with_its_content_id() -> None:
    message = parse("related_cid")
    image = message.attachments[0]
    assert (image.filename, image.content_type, image.inline) == ("image001.png", "image/png", True)
    assert image.content_id == "image001.png@01DB2E1F.A1B2C3D0"
    assert image.data.startswith(b"\x89PNG")
    assert message.body_html is not None
    assert f"cid:{image.content_id}" in message.body_html


def test_rfc2231_filename_with_continuations_is_decoded() -> None:
    pdf = parse("related_cid").attachments[1]
    assert (pdf.filename, pdf.content_type, pdf.inline, pdf.content_id) == (
        "חשבונית תיקון.pdf",
        "application/pdf",
        False,
        None,
    )
    assert pdf.data.startswith(b"%PDF-1.4")


@pytest.mark.parametrize(
    ("index", "filename", "content_type"),
    [
        (0, "חשבונית.pdf", "application/pdf"),  # RFC 2047 inside a quoted filename
        (1, "evilfdp.exe", "application/octet-stream"),  # no path, no bidi override
        (2, "attachment-3.jpg", "image/jpeg"),  # no name: from the content type
    ],
)
def test_attachment_names_are_decoded_and_safe(
    index: int, filename: str, content_type: str
) -> None:
    attachment = parse("rfc2047_mixed").attachments[index]
    assert (attachment.filename, attachment.content_type) == (filename, content_type)


def test_forwarded_message_is_kept_as_eml_and_its_text_appended() -> None:
    message = parse("forward_rfc822")
    assert [a.filename for a in message.attachments] == ["הזמנה מספר 5512.eml"]
    eml = message.attachments[0]
    assert eml.content_type == "message/rfc822"
    assert b"Message-ID: <order-5512@kitchen.example.co.il>" in eml.data
    assert b"invoice-5512.pdf" in eml.data  # the forward's own attachment stays inside it
    expected_tail = (
        "---------- Forwarded message ----------\n"
        "From: Kitchen Shop <orders@kitchen.example.co.il>\n"
        "Date: Mon, 27 Oct 2026 12:00:00 +0200\n"
        "Subject: הזמנה מספר 5512\n"
        "To: shira.katz@example.co.il\n\n"
        "ההזמנה שלך התקבלה. משלוח צפוי: 3 בנובמבר."
    )
    assert message.full_text == (
        "See the order confirmation below - the delivery never came.\n\n" + expected_tail
    )
    assert message.body_text.endswith(expected_tail)


def test_signed_mail_reads_the_signed_content_and_keeps_the_signature() -> None:
    message = parse("smime_signed")
    assert message.body_text == "Please find the warranty claim details below.\nClaim number: 77812"
    assert message.body_html is not None
    assert "Claim number: 77812" in message.body_html
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("smime.p7s", "application/x-pkcs7-signature")
    ]
    assert message.attachments[0].data == bytes(range(256)) * 3
    assert message.warnings == ()


def test_encrypted_mail_keeps_the_parts_and_warns() -> None:
    message = parse("pgp_encrypted")
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("attachment-1.pgp", "application/pgp-encrypted"),
        ("encrypted.asc", "application/octet-stream"),
    ]
    assert message.full_text == ""
    assert any("encrypted" in w for w in message.warnings)


def test_nul_bytes_are_stripped_from_text_but_kept_in_attachment_data() -> None:
    message = parse("nul_bytes")
    assert message.full_text == "body with  a nul byte"
    assert message.attachments[0].filename == "ab.txt"
    assert message.attachments[0].data == b"data\x00data"


def test_truncated_mime_keeps_what_was_read_and_warns() -> None:
    message = parse("truncated")
    assert message.full_text == "Photos attached."
    assert message.attachments[0].filename == "fridge.png"
    assert message.attachments[0].data.startswith(b"\x89PNG")
    assert any("cut short" in w for w in message.warnings)


@pytest.mark.parametrize(
    ("fixture", "bounce"),
    [
        (
            "bounce_postfix",
            Bounce(
                original_message_id="20261105081500.7777.ticket-1050@kitchen.example.co.il",
                recipients=("no.such.user@example.com",),
                permanent=True,
                diagnostic="550 5.1.1 <no.such.user@example.com>: Recipient address rejected:"
                " User unknown in virtual mailbox table",
            ),
        ),
        (
            "bounce_exchange",
            Bounce(
                original_message_id="20261105115900.9999.ticket-1052@kitchen.example.co.il",
                recipients=("gone@contoso.com",),
                permanent=True,
                diagnostic="550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by"
                " SMTP address lookup",
            ),
        ),
        (
            "bounce_postfix_delayed",
            Bounce(
                original_message_id="20261106080000.8888.ticket-1051@kitchen.example.co.il",
                recipients=("slow@example.net",),
                permanent=False,
                diagnostic="connect to mx.example.net[198.51.100.7]:25: Connection timed out",
            ),
        ),
        ("mailer_daemon_plain", None),  # not RFC 3464: only auto_submitted
    ],
)
def test_delivery_reports_become_bounces(fixture: str, bounce: Bounce | None) -> None:
    message = parse(fixture)
    assert message.bounce == bounce
    assert message.auto_submitted


def test_bounce_keeps_the_human_readable_part_as_body() -> None:
    message = parse("bounce_exchange")
    assert message.full_text.startswith("Your message to gone@contoso.com couldn't be delivered.")
    assert [a.content_type for a in message.attachments] == ["message/rfc822"]


@pytest.mark.parametrize(
    ("fixture", "auto"),
    [
        ("out_of_office", True),  # Auto-Submitted: auto-replied, X-Auto-Response-Suppress
        ("list_mail", True),  # List-Id, Precedence: list
        ("bounce_postfix", True),
        ("mailer_daemon_plain", True),  # null Return-Path, From MAILER-DAEMON
        ("gmail_reply_en", False),
        ("outlook_reply_he", False),
        ("no_from", False),
    ],
)
def test_auto_submitted_mail_is_recognised(fixture: str, auto: bool) -> None:
    assert parse(fixture).auto_submitted is auto


def mail(headers: str, body: str = "Hello.\n") -> bytes:
    return f"From: Dana <dana@example.com>\nMessage-ID: <t@example.com>\n{headers}\n{body}".encode()


@pytest.mark.parametrize(
    ("header", "auto"),
    [
        ("Auto-Submitted: auto-generated", True),
        ("Auto-Submitted: no", False),
        ("Auto-Submitted: No (a person wrote this)", False),
        ("Precedence: bulk", True),
        ("Precedence: junk", True),
        ("Precedence: auto_reply", True),
        ("Precedence: first-class", False),
        ("List-Unsubscribe: <mailto:leave@example.org>", True),
        ("List-Post: NO", True),
        ("X-Autoreply: yes", True),
        ("X-Autorespond: Out of office", True),
        ("X-Auto-Response-Suppress: OOF, AutoReply", True),
        ("X-Auto-Response-Suppress: DR, RN", False),
        ("Return-Path: < >", True),
        ("Return-Path: <dana@example.com>", False),
    ],
)
def test_rfc3834_headers_mark_auto_submitted(header: str, auto: bool) -> None:
    message = parse_email(mail(header + "\n"), max_attachment_bytes=LIMIT)
    assert message.auto_submitted is auto


def test_postmaster_sender_is_auto_submitted() -> None:
    raw = b"From: Postmaster <POSTMASTER@example.com>\nSubject: x\n\nbody\n"
    assert parse_email(raw, max_attachment_bytes=LIMIT).auto_submitted


def test_attachment_over_the_limit_is_dropped_with_a_warning_naming_it() -> None:
    data = base64.encodebytes(b"\x00\x01" * (15 * MB))  # 30 MB
    raw = (
        b"From: a@example.com\nSubject: big\nContent-Type: multipart/mixed; boundary=B\n\n"
        b"--B\nContent-Type: text/plain\n\nsee attached\n"
        b"--B\nContent-Type: application/pdf; name=scan.pdf\nContent-Transfer-Encoding: base64\n\n"
        + data
        + b"--B\nContent-Type: image/png; name=small.png\n\nPNG\n--B--\n"
    )
    message = parse_email(raw, max_attachment_bytes=25 * MB)
    assert [a.filename for a in message.attachments] == ["small.png"]
    assert message.full_text == "see attached"
    assert message.warnings == (
        "The attachment 'scan.pdf' (30.0 MB) is larger than the 25.0 MB limit and was not kept.",
    )


def test_walking_stops_after_the_part_limit() -> None:
    parts = "".join(
        f"--B\nContent-Type: application/octet-stream; name=f{i}.bin\n\nx{i}\n" for i in range(2000)
    )
    raw = (
        "From: a@example.com\nSubject: many\nContent-Type: multipart/mixed; boundary=B\n\n"
        f"--B\nContent-Type: text/plain\n\nfirst part\n{parts}--B--\n"
    ).encode()
    message = parse_email(raw, max_attachment_bytes=LIMIT)
    assert message.full_text == "first part"
    assert len(message.attachments) == MAX_PARTS - 2  # the container and the text part count
    assert message.attachments[0].filename == "f0.bin"
    assert message.warnings == (
        f"The message has more than {MAX_PARTS} parts; only the first were read.",
    )


def test_nesting_deeper_than_the_limit_is_not_walked() -> None:
    def nested(depth: int) -> str:
        if depth == 0:
            return "Content-Type: text/plain\n\ndeep text\n"
        inner = nested(depth - 1)
        return (
            f"Content-Type: multipart/mixed; boundary=N{depth}\n\n--N{depth}\n{inner}--N{depth}--\n"
        )

    shallow = parse_email(f"From: a@example.com\n{nested(5)}".encode(), max_attachment_bytes=LIMIT)
    assert shallow.full_text == "deep text"
    deep = parse_email(f"From: a@example.com\n{nested(30)}".encode(), max_attachment_bytes=LIMIT)
    assert deep.full_text == ""
    assert any(f"more than {MAX_DEPTH} levels" in w for w in deep.warnings)


def test_broken_base64_is_decoded_as_far_as_possible_with_a_warning() -> None:
    good = base64.b64encode(b"hello world, this is the attachment").decode()
    raw = (
        "From: a@example.com\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
        "Content-Type: text/plain\n\nbody\n--B\n"
        "Content-Type: application/octet-stream; name=a.bin\nContent-Transfer-Encoding: base64\n\n"
        f"{good[:20]}!!*{good[20:]}Q\n--B--\n"
    ).encode()
    message = parse_email(raw, max_attachment_bytes=LIMIT)
    assert message.attachments[0].data.startswith(b"hello world, this is")
    assert any("base64 data of 'a.bin' is damaged" in w for w in message.warnings)
