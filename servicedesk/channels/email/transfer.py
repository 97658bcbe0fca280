"""A part's body bytes, its Content-Transfer-Encoding undone.

`Message.get_payload(decode=True)` builds a header object for the
Content-Transfer-Encoding on every call (a new header class each time, tens of
microseconds); the encoding is read here from the raw header instead, and
damaged base64 is decoded as far as it goes rather than returned encoded."""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from email.message import Message

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_WHITESPACE = b" \t\r\n"


def _raw_payload(part: Message) -> bytes | None:
    payload = getattr(part, "_payload", None)  # what get_payload() would start from
    if isinstance(payload, bytes):
        return payload
    if not isinstance(payload, str):
        return None
    try:
        return payload.encode("ascii", "surrogateescape")  # 8-bit bytes come back as they were
    except UnicodeError:
        return payload.encode("utf-8", "surrogateescape")


def decode_base64(data: bytes) -> tuple[bytes, bool]:
    """The decoded bytes and whether the data was damaged (bad characters or length)."""
    compact = data.translate(None, _WHITESPACE)
    compact = compact.rstrip(b"=")
    damaged = False
    if _NOT_BASE64.search(compact):
        damaged = True
        compact = _NOT_BASE64.sub(b"", compact.split(b"=", 1)[0])
    if len(compact) % 4 == 1:  # a lone trailing character holds no whole byte
        damaged = True
        compact = compact[:-1]
    try:
        return base64.b64decode(compact + b"=" * (-len(compact) % 4)), damaged
    except (binascii.Error, ValueError):
        return b"", True


def body_bytes(part: Message, encoding: str) -> tuple[bytes, bool]:
    """The part's content and whether its transfer encoding was damaged."""
    data = _raw_payload(part)
    if data is None:
        fallback = part.get_payload(decode=True)
        return (fallback if isinstance(fallback, bytes) else b""), False
    encoding = encoding.strip().strip('"').lower()
    if encoding == "base64":
        return decode_base64(data)
    if encoding == "quoted-printable":
        return quopri.decodestring(data), False
    if encoding in ("x-uuencode", "uuencode", "uue", "x-uue"):
        fallback = part.get_payload(decode=True)
        return (fallback if isinstance(fallback, bytes) else data), False
    return data, False
