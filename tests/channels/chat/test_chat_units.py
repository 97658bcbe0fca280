"""The chat's pure parts, without a database: rate limits (time is a parameter),
tokens, reading what the widget sends, the transcript and the page's policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servicedesk.channels.chat.inbound import read_line, read_start, subject_of
from servicedesk.channels.chat.models import ChatEnd
from servicedesk.channels.chat.ratelimit import Limiter, TokenBucket
from servicedesk.channels.chat.repository import Line, first_name
from servicedesk.channels.chat.token import ChatTokens
from servicedesk.channels.chat.transcript import transcript_text
from servicedesk.errors import InvalidInput
from servicedesk.web.chat_page import SCRIPT_STRINGS, content_security_policy
from servicedesk.web.i18n import MESSAGES
from tests.channels.chat.support import new_id

# ---- rate limits ---------------------------------------------------------------------


def test_a_bucket_allows_its_burst_then_its_rate():
    bucket = TokenBucket.full(rate=0.5, burst=3, now=100.0)
    assert [bucket.take(100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(100.0) == pytest.approx(2.0)  # one token every 2 s
    assert bucket.take(101.0) == pytest.approx(1.0)
    assert bucket.take(102.0) == 0.0
    assert bucket.take(102.0) == pytest.approx(2.0)


def test_a_bucket_refills_only_up_to_its_burst():
    bucket = TokenBucket.full(rate=1.0, burst=2, now=0.0)
    bucket.take(0.0)
    bucket.take(0.0)
    assert [bucket.take(1000.0), bucket.take(1000.0)] == [0.0, 0.0]
    assert bucket.take(1000.0) > 0


def test_a_clock_going_backwards_gives_nothing_away():
    bucket = TokenBucket.full(rate=1.0, burst=1, now=50.0)
    bucket.take(50.0)
    assert bucket.take(10.0) > 0
    assert bucket.take(50.5) > 0  # still counting from 50


def test_without_a_rate_the_wait_never_ends():
    bucket = TokenBucket.full(rate=0.0, burst=1, now=0.0)
    bucket.take(0.0)
    assert bucket.take(1e9) == float("inf")


def test_the_limiter_keeps_one_bucket_per_key_and_forgets_the_oldest():
    limiter = Limiter(per_minute=60, burst=1, max_keys=2)
    assert limiter.take("a", 0.0) == 0.0
    assert limiter.take("a", 0.0) > 0
    assert limiter.take("b", 0.0) == 0.0
    assert limiter.take("c", 0.0) == 0.0  # "a" is forgotten: more than two keys
    assert len(limiter) == 2
    assert limiter.take("a", 0.0) == 0.0
    limiter.forget("a")
    assert limiter.take("a", 0.0) == 0.0


# ---- tokens ---------------------------------------------------------------------------


def test_a_token_names_its_chat_and_nothing_else_passes():
    tokens = ChatTokens("secret")
    token = tokens.issue(42)
    assert tokens.chat_of(token) == 42
    assert ChatTokens("another secret").chat_of(token) is None
    assert tokens.chat_of(token[:-2] + "xx") is None
    for junk in (None, "", 42, ["x"], "a" * 600):
        assert tokens.chat_of(junk) is None


def test_an_expired_token_is_refused():
    old = ChatTokens("secret", max_age=timedelta(seconds=-1))
    assert old.chat_of(old.issue(7)) is None


# ---- what the widget sends -------------------------------------------------------------


def test_a_start_is_read_and_cleaned():
    client_id = new_id()
    start = read_start(
        {
            "name": "  Dana\n\tLevi \u202e ",
            "email": " Dana@Example.COM ",
            "text": "  Line one\nline\x00 two\u202e  ",
            "id": client_id.upper(),
            "language": "xx",
            "queue": " Sales ",
        },
        2000,
    )
    assert start.name == "Dana Levi"
    assert start.email == "dana@example.com"
    assert start.text == "Line one\nline two"
    assert start.client_id == client_id
    assert start.language == "he"  # the desk's default for an unknown language
    assert start.queue == "Sales"


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvalidInput) as refused:
        read_start({"email": "x", "text": "y" * 11, "id": "1"}, 10)
    assert refused.value.fields == {
        "name": "required",
        "email": "invalid",
        "text": "too_long",
        "id": "invalid",
    }


def test_a_line_is_read():
    line = read_line({"id": new_id(), "text": " שלום "}, 100)
    assert line.text == "שלום"
    with pytest.raises(InvalidInput):
        read_line("hello", 100)


def test_a_subject_is_the_first_words():
    assert subject_of("  short  one ") == "short one"
    assert subject_of("word " * 30).endswith("…")
    assert len(subject_of("word " * 30)) <= 61
    assert subject_of("\n") == "Chat"


def test_an_agent_is_shown_by_first_name():
    assert first_name("Avi Levi") == "Avi"
    assert first_name("  ") is None
    assert first_name(None) is None


# ---- the transcript --------------------------------------------------------------------


def _lines() -> list[Line]:
    at = datetime(2026, 11, 29, 12, 5, tzinfo=UTC)
    return [
        Line(1, "customer", None, "The fridge is warm\nsince last night", at, None, "c1"),
        Line(2, "agent", "Avi", "Is the door closed?", at + timedelta(minutes=1), "sent", None),
        Line(3, "agent", None, "<b>hi</b>", at + timedelta(minutes=2), "sent", None),
    ]


def test_the_transcript_lists_every_line_with_time_and_author():
    text = transcript_text(
        language="en",
        reason=ChatEnd.customer,
        customer_name="Noa",
        ticket_number=10005,
        lines=_lines(),
        time_zone="Asia/Jerusalem",
    )
    assert "Thank you for chatting with us" in text
    assert "ticket 10005" in text
    assert "[14:05] Noa: The fridge is warm\n    since last night" in text
    assert "[14:06] Avi: Is the door closed?" in text
    assert "[14:07] Agent: <b>hi</b>" in text  # plain text; the HTML part escapes it


def test_the_transcript_says_why_the_chat_goes_on_by_email_in_hebrew():
    opens = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    text = transcript_text(
        language="he",
        reason=ChatEnd.out_of_hours,
        customer_name="נועה",
        ticket_number=10006,
        lines=_lines()[:1],
        time_zone="Asia/Jerusalem",
        opens_at=opens,
    )
    assert "המוקד סגור כעת; נחזור לפעילות ב־29/11/2026 08:00." in text
    assert "נועה: The fridge is warm" in text
    idle = transcript_text(
        language="en",
        reason=ChatEnd.idle,
        customer_name="Noa",
        ticket_number=1,
        lines=[],
        time_zone="UTC",
    )
    assert "heard nothing from you" in idle


# ---- the page --------------------------------------------------------------------------


def test_every_string_of_the_chat_page_script_exists_in_hebrew_and_english():
    dynamic = [f"chat_reason_{r.value}" for r in ChatEnd] + [f"chat_end_{r.value}" for r in ChatEnd]
    for key in (*SCRIPT_STRINGS, *dynamic):
        assert set(MESSAGES.get(key, {})) == {"he", "en"}, key


def test_the_page_may_be_framed_only_where_configured():
    assert "frame-ancestors https://shop.example 'self'" in content_security_policy(
        ("https://shop.example", "'self'")
    )
    assert "frame-ancestors 'none'" in content_security_policy(())
    assert "evil" not in content_security_policy(("https://a.example; script-src evil",))
