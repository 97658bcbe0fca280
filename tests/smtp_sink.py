"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 and a free port, keeping
every message it accepts. Waiting is by event, never by sleeping:

    async with SmtpSink() as sink:
        settings = replace(settings, smtp_relay=sink.relay)
        …
        (mail,) = await sink.wait_for(1)
        assert mail.message["Subject"] == "…"

`refuse_rcpt` / `refuse_data` make it answer every RCPT TO / DATA with that reply
("550 5.1.1 no such user", "451 4.3.0 try later"). A sink made with a port but not
started is a relay that is down; `start()` brings it up on that port."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from tests.live_server import free_port


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class SmtpSink:
    def __init__(self, port: int | None = None, *, hostname: str = "127.0.0.1") -> None:
        self.hostname = hostname
        self.port = port or free_port()
        self.received: list[Received] = []
        self.refuse_rcpt: str | None = None
        self.refuse_data: str | None = None
        self._controller: Controller | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()

    @property
    def relay(self) -> str:
        """The value for SMTP_RELAY."""
        return f"{self.hostname}:{self.port}"

    async def start(self) -> SmtpSink:
        self._loop = asyncio.get_running_loop()
        self._controller = Controller(
            self, hostname=self.hostname, port=self.port, enable_SMTPUTF8=True
        )
        await asyncio.to_thread(self._controller.start)  # returns once it answers
        return self

    async def stop(self) -> None:
        if self._controller is not None:
            await asyncio.to_thread(self._controller.stop)
            self._controller = None

    async def __aenter__(self) -> SmtpSink:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def wait_for(self, count: int, *, guard_seconds: float = 30) -> list[Received]:
        """The first `count` messages, once they have all arrived. The guard only stops a
        broken test from hanging; nothing is timed."""
        async with asyncio.timeout(guard_seconds):
            while len(self.received) < count:
                self._changed.clear()
                if len(self.received) >= count:
                    break
                await self._changed.wait()
        return self.received[:count]

    # -- aiosmtpd handler hooks (they run on the server's own thread and loop) --

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            return self.refuse_data
        self.received.append(
            Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content))
        )
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._changed.set)
        return "250 Message accepted for delivery"
