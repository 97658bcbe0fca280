"""Which Socket.IO client manager a web process uses.

Without REDIS_URL, python-socketio's in-memory manager: one process needs nothing
more. With it, python-socketio's Redis manager, so an event emitted by any process
reaches every screen, whichever process holds its connection (docs/operations.md)."""

from __future__ import annotations

import hashlib
import hmac

import socketio

from servicedesk.settings import Settings


def client_manager(settings: Settings) -> socketio.AsyncManager | None:
    """None: python-socketio's default, in-memory manager."""
    if settings.redis_url is None:
        return None
    return socketio.AsyncRedisManager(settings.redis_url, channel=channel_name(settings))


def channel_name(settings: Settings) -> str:
    """The Redis channel of this desk. Redis pub/sub ignores the database number, so
    desks sharing a Redis would hear each other on one fixed channel; the channel is
    named after the desk's SECRET_KEY instead (which its processes share anyway), by
    a keyed hash that reveals nothing of the key."""
    key = str(settings.secret_key).encode()
    digest = hmac.new(key, b"servicedesk socket.io channel", hashlib.sha256).hexdigest()
    return f"servicedesk-live-{digest[:16]}"
