"""X-Twilio-Signature: every webhook is checked before anything is read from it.

Twilio signs the URL it called (as configured in its console, so the public one,
not the one a proxy forwards to) followed by the POST parameters sorted by name.
The URL is therefore rebuilt from the configured public base URL and the request's
path and query, never from the Host header a proxy may have rewritten."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

HEADER = "X-Twilio-Signature"


def public_url(base_url: str, path: str, query: str = "") -> str:
    """The URL Twilio was told to call: `base_url` (scheme, host, any prefix the
    proxy strips) joined with the path and query the app received."""
    url = base_url.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{query}" if query else url


def is_valid(auth_token: str, url: str, params: Mapping[str, str], signature: str | None) -> bool:
    """Whether `signature` is Twilio's for this URL and these POST parameters."""
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature Twilio would send: for local tools and tests that play Twilio."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))
