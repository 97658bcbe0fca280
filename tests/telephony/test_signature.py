"""X-Twilio-Signature, checked against the URL Twilio was configured with."""

from __future__ import annotations

import pytest

from telephony import signature

TOKEN = "12345"
# Twilio's documented example: this URL, these parameters, this token.
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
EXPECTED = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilios_documented_example_is_valid():
    assert signature.sign(TOKEN, URL, PARAMS) == EXPECTED
    assert signature.is_valid(TOKEN, URL, PARAMS, EXPECTED)


@pytest.mark.parametrize(
    ("token", "url", "params", "sig"),
    [
        ("wrong", URL, PARAMS, EXPECTED),
        (TOKEN, URL.replace("foo=1", "foo=2"), PARAMS, EXPECTED),
        (TOKEN, URL, {**PARAMS, "Digits": "9"}, EXPECTED),
        (TOKEN, URL, {**PARAMS, "Extra": "x"}, EXPECTED),
        (TOKEN, URL, PARAMS, ""),
        (TOKEN, URL, PARAMS, None),
        ("", URL, PARAMS, EXPECTED),
    ],
    ids=["token", "url", "changed-param", "added-param", "empty", "missing", "no-token"],
)
def test_anything_changed_or_missing_is_invalid(token, url, params, sig):
    assert not signature.is_valid(token, url, params, sig)


@pytest.mark.parametrize(
    ("base", "path", "query", "url"),
    [
        ("https://desk.example", "/twilio/sms", "", "https://desk.example/twilio/sms"),
        ("https://desk.example/", "/twilio/sms", "a=1", "https://desk.example/twilio/sms?a=1"),
        ("https://example.org/desk", "twilio/voice", "", "https://example.org/desk/twilio/voice"),
    ],
)
def test_the_signed_url_is_the_public_base_with_the_path_and_query(base, path, query, url):
    assert signature.public_url(base, path, query) == url
