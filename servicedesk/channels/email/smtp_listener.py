"""The SMTP intake listener (SMTP_LISTEN=host:port), on the app's own event loop.

aiosmtpd's `Controller` runs a second thread and loop; here the `SMTP` protocol
is served with `loop.create_server` on the running loop instead (what the
Controller does inside its thread), so filing a message uses the app's engine.

It is the last hop of local delivery, not a relay: every recipient is accepted,
nothing is ever forwarded, each DATA is filed once whatever the recipients.
Keep it behind the MTA that owns the desk's domain (bind 127.0.0.1 or a private
address); the MTA decides which addresses route here.

Replies, said only once the message is committed or known not to be:
  250 OK: ticket <id>          filed (or a redelivery of a filed message)
  250 OK: ignored              the desk's own mail, dropped on purpose
  451 4.3.0 …                  database unavailable, or a bug: the client retries
  552 5.3.4 …                  over MAIL_MAX_BYTES (announced as SIZE in EHLO;
                               a bigger DATA is read and dropped, never kept)
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from servicedesk.channels.email.receive import MessageTooLarge, TemporaryFailure, receive_email
from servicedesk.db import Database
from servicedesk.intake.service import IntakeResult
from servicedesk.settings import Settings

log = logging.getLogger(__name__)

TOO_BIG = "552 5.3.4 Message too big for the service desk"
TRY_LATER = "451 4.3.0 Service desk temporarily unavailable, try again later"
# aiosmtpd's own answers to an oversized message (a SIZE= too big at MAIL, a DATA
# over data_size_limit) carry no enhanced status code; say the same with one.
_AIOSMTPD_TOO_BIG = (
    "552 Error: Too much mail data",
    "552 Error: message size exceeds fixed maximum message size",
)


def parse_listen(value: str) -> tuple[str, int]:
    """`host:port` or `[v6-address]:port` → (host, port)."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"SMTP_LISTEN must be host:port, not {value!r}")
    return host, int(port)


class _IntakeSMTP(SMTP):
    """aiosmtpd's server with enhanced status codes on its size refusals."""

    def __init__(self, listener: SmtpListener, handler: IntakeHandler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._listener = listener

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._listener.connections.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self._listener.connections.discard(self)
        super().connection_lost(error)

    async def push(self, status: Any) -> None:
        if status in _AIOSMTPD_TOO_BIG:
            status = TOO_BIG
        await super().push(status)

    def hang_up(self) -> asyncio.Task[None] | None:
        """Close the connection; returns aiosmtpd's session task, which ends soon after."""
        if self.transport is not None:
            self.transport.close()
        task: asyncio.Task[None] | None = self._handler_coroutine
        return task


class IntakeHandler:
    """aiosmtpd handler: DATA → `receive_email` → the reply."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.filing: set[asyncio.Task[IntakeResult]] = set()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content
        assert raw is not None
        # Shielded: a client hanging up (or timing out) mid-transaction cancels
        # this handler, but never a half-done database write. The message is
        # then committed; the client's retry is recognised by its Message-ID.
        task = asyncio.create_task(receive_email(self.db, raw, self.settings))
        self.filing.add(task)
        task.add_done_callback(self._filed)
        try:
            result = await asyncio.shield(task)
        except MessageTooLarge as exc:
            log.info("smtp: refused from %s: %s", session.peer, exc)
            return TOO_BIG
        except TemporaryFailure as exc:
            log.warning("smtp: deferred a message from %s: %s", session.peer, exc)
            return TRY_LATER
        except Exception:
            log.exception("smtp: unexpected error filing a message from %s", session.peer)
            return TRY_LATER
        if result.ticket_id is None:
            log.info("smtp: not filed (%s): %s", result.outcome, result.reason)
            return "250 OK: ignored"
        return f"250 OK: ticket {result.ticket_id}"

    def _filed(self, task: asyncio.Task[IntakeResult]) -> None:
        self.filing.discard(task)
        if not task.cancelled():
            # Retrieved: the handler reports the error, or its client has hung up
            # and will retry, and nobody is left to answer.
            task.exception()


class SmtpListener:
    def __init__(self, db: Database, settings: Settings, host: str, port: int) -> None:
        self.handler = IntakeHandler(db, settings)
        self.settings = settings
        self.host = host
        self.port = port
        self.connections: set[_IntakeSMTP] = set()
        self._server: asyncio.Server | None = None

    @classmethod
    def from_settings(cls, db: Database, settings: Settings) -> SmtpListener:
        assert settings.smtp_listen is not None
        host, port = parse_listen(settings.smtp_listen)
        return cls(db, settings, host, port)

    def _protocol(self) -> _IntakeSMTP:
        return _IntakeSMTP(
            self,
            self.handler,
            data_size_limit=self.settings.mail_max_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=socket.gethostname(),
            ident="Service desk intake",
            loop=asyncio.get_running_loop(),
        )

    async def start(self) -> None:
        # aiosmtpd narrates every connection and command at INFO; its problems suffice.
        aiosmtpd_log = logging.getLogger("mail.log")
        aiosmtpd_log.setLevel(max(logging.WARNING, logging.getLogger().getEffectiveLevel()))
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]  # the real one when given 0
        log.info("smtp intake listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening, hang up on idle clients, let filings in progress commit."""
        if self._server is None:
            return
        self._server.close()
        sessions = {task for c in list(self.connections) if (task := c.hang_up()) is not None}
        await self._server.wait_closed()
        self._server = None
        pending = sessions | self.handler.filing
        if pending:
            await asyncio.wait(pending)
        log.info("smtp intake stopped")
