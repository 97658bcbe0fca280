"""parse_email never raises: garbage, empty input, header bombs, mutated and
truncated fixtures all come back as a message with readable warnings."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from servicedesk.channels.email.parse import UNREADABLE_SUBJECT, parse_email
from servicedesk.channels.message import InboundMessage
from servicedesk.enums import Channel

FIXTURES = Path(__file__).parents[2] / "fixtures" / "mail"
LIMIT = 25 * 1024 * 1024


def strings_of(message: InboundMessage) -> list[str]:
    """Every string the message carries to the database."""
    parties = [message.sender, message.reply_to, *message.to, *message.cc]
    values = [
        message.provider_id,
        message.subject,
        message.body_text,
        message.full_text,
        message.body_html or "",
        message.language or "",
        *message.in_reply_to,
        *message.references,
        *message.warnings,
        *(text for pair in message.headers for text in pair),
        *(a.filename for a in message.attachments),
        *(a.content_type for a in message.attachments),
        *(a.content_id or "" for a in message.attachments),
    ]
    for party in parties:
        if party is not None:
            values += [party.value, party.name]
    if message.bounce is not None:
        values += [message.bounce.original_message_id or "", message.bounce.diagnostic]
        values += list(message.bounce.recipients)
    return values


def assert_storable(message: InboundMessage, raw: bytes) -> None:
    assert message.channel is Channel.email
    assert message.raw is raw
    assert message.provider_id
    assert 0 < len(message.provider_id) <= 998
    for text in strings_of(message):
        assert isinstance(text, str)
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates: PostgreSQL could not store them
    for attachment in message.attachments:
        assert 0 < len(attachment.filename) <= 255
        assert "/" not in attachment.filename
        assert "\\" not in attachment.filename


@pytest.mark.parametrize(
    ("raw", "warning"),
    [
        (b"", "The message is empty."),
        (b"   \r\n\r\n", "The message is empty."),
        (b"\x00" * 64, "The message has no headers; it is shown as plain text."),
        (
            b"just some words, no headers at all\n",
            "The message has no headers; it is shown as plain text.",
        ),
        (bytes(range(256)) * 4, "The message has no headers; it is shown as plain text."),
    ],
)
def test_input_that_is_not_a_message_comes_back_unreadable(raw: bytes, warning: str) -> None:
    message = parse_email(raw, max_attachment_bytes=LIMIT)
    assert_storable(message, raw)
    assert message.subject == UNREADABLE_SUBJECT
    assert message.sender is None
    assert message.warnings == (warning,)
    assert message.provider_id.startswith("sha256-")


def test_unreadable_body_is_the_raw_text_capped() -> None:
    raw = b"no headers here\x00 " + "שלום".encode() + b" " + b"x" * 200_000
    message = parse_email(raw, max_attachment_bytes=LIMIT)
    assert message.body_text.startswith("no headers here שלום xxx")
    assert message.body_text == message.full_text
    assert len(message.body_text) < 100_100


def test_random_garbage_never_raises() -> None:
    rng = random.Random(20261107)
    for _ in range(200):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        assert_storable(parse_email(raw, max_attachment_bytes=LIMIT), raw)


def test_header_bomb_is_read() -> None:
    junk = "".join(f"X-Junk-{i}: {'v' * 60}\n" for i in range(5000))
    raw = (
        f"From: Dana <dana@example.com>\n{junk}Subject: " + "A" * 1_000_000 + "\n"
        "To: " + ", ".join(f"user{i}@example.com" for i in range(20_000)) + "\n"
        "X-Words: " + "=?utf-8?q?" * 100_000 + "\n\nthe body\n"
    ).encode()
    message = parse_email(raw, max_attachment_bytes=LIMIT)
    assert_storable(message, raw)
    assert message.sender is not None
    assert message.sender.value == "dana@example.com"
    assert message.subject == "A" * 998
    assert len(message.to) == 100
    assert message.full_text == "the body"
    assert any("only the first were kept" in w for w in message.warnings)


def test_thousands_of_references_keep_the_newest_fifty() -> None:
    ids = " ".join(f"<id{i}@example.com>" for i in range(3000))
    raw = f"From: a@example.com\nReferences: {ids} <id2990@example.com>\n\nbody\n".encode()
    message = parse_email(raw, max_attachment_bytes=LIMIT)
    assert len(message.references) == 50
    assert message.references[-1] == "id2999@example.com"
    assert message.references[0] == "id2950@example.com"


def test_html_tag_bomb_is_bounded() -> None:
    raw = b"From: a@example.com\nContent-Type: text/html\n\n" + b"<div>" * 150_000 + b"x"
    message = parse_email(raw, max_attachment_bytes=LIMIT)
    assert_storable(message, raw)
    assert any("HTML" in w for w in message.warnings)


def mutations(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:  # truncate anywhere
        return data[: rng.randrange(len(data) + 1)]
    if kind == 1:  # flip bytes
        out = bytearray(data)
        for _ in range(rng.randrange(1, 40)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == 2:  # drop a slice
        start = rng.randrange(len(data))
        return data[:start] + data[start + rng.randrange(1, 400) :]
    if kind == 3:  # duplicate a slice
        start = rng.randrange(len(data))
        piece = data[start : start + rng.randrange(1, 400)]
        return data[:start] + piece * rng.randrange(2, 20) + data[start:]
    if kind == 4:  # NULs and separators where they hurt
        out = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            out[rng.randrange(len(out)) : 0] = rng.choice(
                [b"\x00", b"\r", b"\n\n", b"=?", b"--", b"\xff"]
            )
        return bytes(out)
    return data.replace(b"\n", b"\r\n") if rng.random() < 0.5 else data.replace(b"\r\n", b"\n")


def test_mutated_and_truncated_fixtures_never_raise() -> None:
    rng = random.Random(3464)
    fixtures = sorted(FIXTURES.glob("*.eml"))
    assert fixtures
    for path in fixtures:
        original = path.read_bytes()
        for _ in range(40):
            raw = mutations(original, rng)
            assert_storable(parse_email(raw, max_attachment_bytes=1024), raw)


def test_headers_the_default_policy_cannot_parse_are_read_leniently() -> None:
    raw = b"From: a@example.com\nContent-Type: text/plain; charset*\nSubject: hi\n\nthe body\n"
    message = parse_email(raw, max_attachment_bytes=LIMIT)
    assert (message.subject, message.full_text) == ("hi", "the body")
    assert message.warnings == ("Some headers are malformed; the message was read leniently.",)
