"""Read Starlette's signed session cookie outside a request (Socket.IO handshakes)."""

from __future__ import annotations

import json
from base64 import b64decode
from http.cookies import SimpleCookie
from typing import Any

import itsdangerous
from itsdangerous.exc import BadSignature

SESSION_COOKIE = "sd_session"


def read_session(cookie_header: str, secret: str, max_age: int) -> dict[str, Any]:
    """The session dict, or {} if the cookie is absent, forged or expired."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:
        return {}
    morsel = jar.get(SESSION_COOKIE)
    if morsel is None:
        return {}
    try:
        data = itsdangerous.TimestampSigner(secret).unsign(morsel.value.encode(), max_age=max_age)
        loaded = json.loads(b64decode(data))
    except (BadSignature, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}
