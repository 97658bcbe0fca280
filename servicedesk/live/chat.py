"""The web chat's Socket.IO side: the customer's widget on namespace `/chat`.

A widget proves which chat is its own with the signed token it got at the start
(never a ticket or chat id); its connection then joins the room `chat:<id>`, which
is where agents' lines, typing and state changes are pushed. Every request is
answered with an acknowledgement `{"ok": true, …}` or `{"ok": false, "error":
{code, message, fields}}`, and an error is also sent as a `chat.error` event.

    start    {name, email, text, id, language?, queue?}   → {token, chat, messages}
    resume   {token}                                      → {token, chat, messages}
    message  {id, text}                                   → {message}
    typing   {typing}                                     (no answer; relayed to agents)
    delivered {ids}                                       → {delivered}
    end      {}                                           → {chat}

Pushed: `chat.message` (a line), `chat.state` (the chat), `chat.typing` (an agent
typing), `chat.error`. Lines are rate-limited per chat (CHAT_RATE_PER_MINUTE after
CHAT_RATE_BURST): a flood is refused with `rate_limited`, never stored."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import socketio

from servicedesk.channels.chat import service
from servicedesk.channels.chat.errors import BadToken, NoChat
from servicedesk.channels.chat.inbound import read_line, read_start
from servicedesk.channels.chat.ratelimit import Limiter
from servicedesk.channels.chat.repository import ChatView, Line
from servicedesk.channels.chat.sweeper import (
    ChatSweeper,
    running_chat_sweeper,
    subscribe_sweeper,
)
from servicedesk.channels.chat.token import ChatTokens
from servicedesk.db import Database
from servicedesk.errors import ServiceError, TooManyRequests
from servicedesk.events import EventBus
from servicedesk.intake.service import TemporaryFailure
from servicedesk.live.chat_staff import CHAT_NAMESPACE, StaffSide, chat_room
from servicedesk.live.presence import LivePresence, own_connections
from servicedesk.settings import Settings
from servicedesk.sla_tracking.service import PolicyRegistry

log = logging.getLogger(__name__)

NAMESPACE = CHAT_NAMESPACE
STARTS_PER_MINUTE = 6.0  # per connection, after a burst of 3
TYPING_PER_MINUTE = 60.0  # per connection, after a burst of 10; beyond, dropped quietly

Answer = dict[str, Any]


class LiveChat:
    """The `/chat` namespace of one web process, wired by the app's lifespan."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        db: Database,
        settings: Settings,
        registry: PolicyRegistry,
        sweeper: ChatSweeper,
    ) -> None:
        self.sio = sio
        self.db = db
        self.settings = settings
        self.registry = registry
        self.sweeper = sweeper
        self.tokens = ChatTokens(str(settings.secret_key))
        self.lines = Limiter(
            per_minute=settings.chat_rate_per_minute, burst=settings.chat_rate_burst
        )
        self.starts = Limiter(per_minute=STARTS_PER_MINUTE, burst=3)
        self.typing = Limiter(per_minute=TYPING_PER_MINUTE, burst=10)
        self.staff = StaffSide(sio, db, sweeper, customers_online=self.online)
        self._chats: dict[str, ChatView] = {}  # sid → its chat, as it was when joined
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def register(self) -> None:
        handlers: dict[str, Callable[..., Awaitable[Any]]] = {
            "connect": self.on_connect,
            "disconnect": self.on_disconnect,
            "start": self.on_start,
            "resume": self.on_resume,
            "message": self.on_message,
            "typing": self.on_typing,
            "delivered": self.on_delivered,
            "end": self.on_end,
        }
        for event, handler in handlers.items():
            self.sio.on(event, handler, namespace=NAMESPACE)
        self.staff.register()

    def subscribe(self, bus: EventBus) -> None:
        """After commit: agents' lines and the chat's changes to widgets and screens."""
        self.staff.subscribe(bus)

    # -- the customer's requests -------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        return True  # anyone may open the widget; a chat is theirs only by its token

    async def on_disconnect(self, sid: str, reason: str = "") -> None:
        joined = self._chats.pop(sid, None)
        self.starts.forget(sid)
        self.typing.forget(sid)
        if joined is not None and not self.online(joined.id, besides=sid):
            await self.staff.customer_typing(joined.ticket_id, False)

    async def on_start(self, sid: str, data: Any = None) -> Answer:
        return await self._answer(sid, "start", lambda: self._start(sid, data))

    async def on_resume(self, sid: str, data: Any = None) -> Answer:
        return await self._answer(sid, "resume", lambda: self._resume(sid, data))

    async def on_message(self, sid: str, data: Any = None) -> Answer:
        return await self._answer(sid, "message", lambda: self._message(sid, data))

    async def on_delivered(self, sid: str, data: Any = None) -> Answer:
        return await self._answer(sid, "delivered", lambda: self._delivered(sid, data))

    async def on_end(self, sid: str, data: Any = None) -> Answer:
        return await self._answer(sid, "end", lambda: self._end(sid))

    async def on_typing(self, sid: str, data: Any = None) -> None:
        joined = self._chats.get(sid)
        if joined is None or self.typing.take(sid, time.monotonic()):
            return  # best effort: a typing flood is dropped, never answered
        typing = isinstance(data, Mapping) and data.get("typing") is True
        await self.staff.customer_typing(joined.ticket_id, typing)

    async def _start(self, sid: str, data: Any) -> Answer:
        self._throttle(self.starts, sid, "chats")
        start = read_start(data, self.settings.chat_max_chars)
        opened = await service.start_chat(self.db, self.settings, self.registry, start)
        return await self._opened(sid, opened)

    async def _resume(self, sid: str, data: Any) -> Answer:
        token = data.get("token") if isinstance(data, Mapping) else None
        chat_id = self.tokens.chat_of(token)
        if chat_id is None:
            raise BadToken("this chat cannot be resumed (the link expired or is not ours)")
        return await self._opened(sid, await service.resume(self.db, chat_id))

    async def _opened(self, sid: str, opened: service.Opened) -> Answer:
        await self._join(sid, opened.chat)
        await self._shown(opened.chat, opened.lines)
        return {
            "token": self.tokens.issue(opened.chat.id),
            "chat": opened.chat.as_json(),
            "messages": [line.as_json() for line in opened.lines],
        }

    async def _message(self, sid: str, data: Any) -> Answer:
        chat = self._joined(sid)
        chat_id = chat.id
        self._throttle(self.lines, chat_id, "messages")
        line = read_line(data, self.settings.chat_max_chars)
        async with self._lock(chat_id):  # a chat's lines are filed in the order sent
            stored = await service.post_line(self.db, self.settings, chat, line)
        # The customer's other windows show it too.
        await self.sio.emit(
            "chat.message",
            stored.as_json(),
            to=chat_room(chat_id),
            skip_sid=sid,
            namespace=NAMESPACE,
        )
        return {"message": stored.as_json()}

    async def _delivered(self, sid: str, data: Any) -> Answer:
        chat = self._joined(sid)
        ids = data.get("ids") if isinstance(data, Mapping) else None
        return {"delivered": await service.mark_delivered(self.db, chat.id, ids)}

    async def _end(self, sid: str) -> Answer:
        chat = self._joined(sid)
        view = await service.end_by_customer(self.db, self.settings, chat.id)
        return {"chat": view.as_json()}

    # -- helpers -------------------------------------------------------------------

    def _joined(self, sid: str) -> ChatView:
        joined = self._chats.get(sid)
        if joined is None:
            raise NoChat("start a chat (or resume yours) first")
        return joined

    def _throttle(self, limiter: Limiter, key: object, what: str) -> None:
        wait = limiter.take(key, time.monotonic())
        if wait:
            seconds = max(1, math.ceil(min(wait, 3600.0)))
            raise TooManyRequests(
                f"too many {what}: wait {seconds} s and send it again",
                fields={"retry_after": str(seconds)},
            )

    def _lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[chat_id] = lock
        return lock

    async def _join(self, sid: str, chat: ChatView) -> None:
        previous = self._chats.get(sid)
        if previous is not None and previous.id != chat.id:
            await self.sio.leave_room(sid, chat_room(previous.id), namespace=NAMESPACE)
        await self.sio.enter_room(sid, chat_room(chat.id), namespace=NAMESPACE)
        self._chats[sid] = chat

    async def _shown(self, chat: ChatView, lines: list[Line]) -> None:
        """Agents' lines that waited for the customer are on their screen now: sent."""
        waiting = [x.id for x in lines if x.author == "agent" and x.delivery == "queued"]
        if waiting and chat.live:
            await service.mark_sent(self.db, waiting)

    def online(self, chat_id: int, *, besides: str | None = None) -> bool:
        """Whether a widget of this chat is connected to this process (`besides`: other
        than that connection, which is leaving: it is in its rooms until it has gone)."""
        room = chat_room(chat_id)
        return any(sid != besides for sid, _ in self.sio.manager.get_participants(NAMESPACE, room))

    async def seen(self, now: datetime) -> None:
        """The heartbeat: the chats whose widgets are open here are not idle."""
        chats = sorted({chat.id for chat in self._chats.values()})
        await service.seen(self.sweeper.db, chats, now)  # the heartbeat's own connections

    async def _answer(self, sid: str, event: str, work: Callable[[], Awaitable[Answer]]) -> Answer:
        try:
            return {"ok": True, **(await work())}
        except ServiceError as exc:
            error: dict[str, Any] = {
                "code": exc.code,
                "message": exc.message,
                "fields": exc.fields,
            }
        except TemporaryFailure:
            error = {
                "code": "unavailable",
                "message": "the desk cannot take this right now; try again in a moment",
                "fields": {},
            }
        except Exception:
            log.exception("chat %s failed", event)
            error = {"code": "internal", "message": "something went wrong here", "fields": {}}
        error["event"] = event
        await self.sio.emit("chat.error", error, to=sid, namespace=NAMESPACE)
        return {"ok": False, "error": error}


def wire_live_chat(
    sio: socketio.AsyncServer,
    db: Database,
    settings: Settings,
    registry: PolicyRegistry,
    bus: EventBus,
    presence: LivePresence,
) -> LiveChat:
    """The web chat in this process: the `/chat` namespace, the agents' side, the
    pushes after commit, and the sweeper that waiting chats and agents' screens wake."""
    sweeper = ChatSweeper(own_connections(db), settings)
    chat = LiveChat(sio, db, settings, registry, sweeper)
    chat.register()
    chat.subscribe(bus)
    subscribe_sweeper(bus, sweeper)  # an offer passed, an agent available: offer again
    presence.listeners.append(sweeper.wake)  # an agent's screen opened: offer waiting chats
    presence.beats.append(chat.seen)  # widgets open here keep their chats from idling
    return chat


@contextlib.asynccontextmanager
async def running(chat: LiveChat, presence: LivePresence) -> AsyncIterator[LiveChat]:
    """The presence heartbeat and the chat sweeper while the block runs."""
    async with presence.running(), running_chat_sweeper(chat.sweeper):
        yield chat
