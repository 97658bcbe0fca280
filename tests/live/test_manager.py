"""The Socket.IO client manager a process uses: in memory without REDIS_URL,
python-socketio's Redis manager with it, on a channel of the desk's own."""

from __future__ import annotations

from dataclasses import replace

import socketio
from starlette.datastructures import Secret

from servicedesk.live.manager import channel_name, client_manager


def test_without_redis_url_the_default_in_memory_manager_is_kept(settings):
    assert settings.redis_url is None
    assert client_manager(settings) is None


def test_with_redis_url_events_go_through_redis(settings):
    with_redis = replace(settings, redis_url="redis://127.0.0.1:6379/3")
    manager = client_manager(with_redis)
    assert isinstance(manager, socketio.AsyncRedisManager)
    assert manager.redis_url == "redis://127.0.0.1:6379/3"
    assert manager.channel == channel_name(with_redis)


def test_desks_sharing_a_redis_get_channels_of_their_own(settings):
    one, other = (replace(settings, secret_key=Secret(k)) for k in ("one key", "another key"))
    assert channel_name(one) != channel_name(other)
    assert channel_name(one) == channel_name(replace(one, redis_url="redis://elsewhere:6379/0"))
    assert "one key" not in channel_name(one)
