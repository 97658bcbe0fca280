"""`servicedesk mailgate`: one message on stdin from the MTA's pipe transport.

The exit status is the whole answer the MTA gets, so it follows <sysexits.h>,
the codes Postfix's pipe(8), Exim's pipe transport and sendmail's prog mailer
understand:

- 0, after commit: the message is filed (stdout: `ticket <id>`), or it was the
  desk's own mail and deliberately dropped (stdout: `ignored`).
- 75 EX_TEMPFAIL: anything that may work later — the database cannot be
  reached, the embedded server will not start, a bug. The MTA keeps the message
  in its queue and retries, so nothing is lost.
- 65 EX_DATAERR: the message is over MAIL_MAX_BYTES and never will fit. The MTA
  bounces it to the sender. Postfix takes the status from the first output line
  when it begins with an RFC 3463 code, so the bounce says `5.3.4` (message too
  big) rather than the 5.6.0 that 65 alone maps to; EX_NOPERM (77, 5.7.0
  "permission denied") would tell the sender something untrue.

The first line on stderr of every failure is "D.S.N text" for that reason:
Postfix merges stdout and stderr and puts them in the bounce or deferral.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import BinaryIO, TextIO

from servicedesk import migrate
from servicedesk.channels.email.receive import MessageTooLarge, TemporaryFailure, receive_email
from servicedesk.db import Database, make_engine
from servicedesk.embedded import resolve_database_url
from servicedesk.events import EventBus
from servicedesk.intake.service import IntakeResult
from servicedesk.logging_setup import configure_logging
from servicedesk.settings import Settings, load_settings
from servicedesk.wiring import subscribe_domain

log = logging.getLogger(__name__)

EX_OK = 0
EX_DATAERR = 65  # permanent: the MTA bounces
EX_TEMPFAIL = 75  # temporary: the MTA keeps the message and retries

_CHUNK = 1 << 16


def read_message(stream: BinaryIO, limit: int) -> tuple[bytes, int]:
    """Up to `limit` + 1 bytes of the message and its whole size. The rest of an
    oversized message is read and dropped, so the MTA never writes into a closed
    pipe. A leading mbox "From " envelope line (pipe flag F, procmail) is not
    part of the message and is removed."""
    kept = bytearray()
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if len(kept) <= limit:
            kept += chunk[: limit + 1 - len(kept)]
    raw = bytes(kept)
    if raw.startswith(b"From "):
        envelope, _, raw = raw.partition(b"\n")
        size -= len(envelope) + 1
    return raw, size


async def _file(settings: Settings, raw: bytes) -> IntakeResult:
    assert settings.database_url is not None
    bus = EventBus()
    subscribe_domain(bus, settings)
    db = Database(make_engine(settings.database_url, pool_size=1), bus)
    try:
        async with db.engine.connect() as conn:
            current = await migrate.is_current(conn)
        if not current:  # a new release whose `migrate` has not run yet; `serve` does the same
            await migrate.upgrade(db.engine)
        return await receive_email(db, raw, settings)
    finally:
        await db.dispose()


def run(stdin: BinaryIO, stdout: TextIO, stderr: TextIO) -> int:
    """The whole mailgate; never raises, every outcome is an exit status."""
    try:
        settings = load_settings()
        configure_logging(settings.log_level, json_lines=settings.log_json)
        raw, size = read_message(stdin, settings.mail_max_bytes)
        if size > settings.mail_max_bytes:
            raise MessageTooLarge(size, settings.mail_max_bytes)
        url = resolve_database_url(settings.database_url, settings.home)
        result = asyncio.run(_file(dataclasses.replace(settings, database_url=url), raw))
    except MessageTooLarge as exc:
        print(f"5.3.4 message too big for the service desk: {exc}", file=stderr, flush=True)
        return EX_DATAERR
    except TemporaryFailure as exc:
        print("4.3.0 service desk database unavailable; try again later", file=stderr, flush=True)
        log.warning("mailgate: database unavailable: %s", exc)
        return EX_TEMPFAIL
    except (OSError, TimeoutError) as exc:  # refused, unreachable, embedded server
        print("4.3.0 service desk database unavailable; try again later", file=stderr, flush=True)
        log.warning("mailgate: database unavailable: %s: %s", type(exc).__name__, exc)
        return EX_TEMPFAIL
    except Exception:
        print("4.3.0 service desk temporarily unable to file mail", file=stderr, flush=True)
        log.exception("mailgate: unexpected error; the MTA will retry")
        return EX_TEMPFAIL
    if result.ticket_id is None:
        print("ignored", file=stdout, flush=True)
        log.info("mailgate: not filed (%s): %s", result.outcome, result.reason)
    else:
        print(f"ticket {result.ticket_id}", file=stdout, flush=True)
    return EX_OK
