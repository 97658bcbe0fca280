"""IMAP polling (IMAP_MAILBOXES): mail left in a mailbox becomes tickets.

Each mailbox is a URL, several separated by spaces:

    imap://USER:PASSWORD@HOST[:PORT][/FOLDER][?move=FOLDER]     plain IMAP, port 143
    imaps://USER:PASSWORD@HOST[:PORT][/FOLDER][?move=FOLDER]    IMAP over TLS, port 993

User, password and folders are percent-encoded (`%40` for @, `%20` for a
space); FOLDER defaults to INBOX and is the server's own name for it
(`INBOX.Processed` on servers whose separator is a dot).

Every poll, on a fresh connection: UID SEARCH UNSEEN (and not already marked
by us), then message by message in UID order, BODY.PEEK[] (reading does not
mark it seen) → `receive_email`, and only once that returned (committed):

- filed, or our own mail dropped on purpose: STORE +FLAGS (\\Seen $ServiceDesk),
  then, with `move=`, UID MOVE to that folder (COPY + \\Deleted + UID EXPUNGE on
  servers without MOVE; the folder is created when missing). A message marked
  but not yet moved (connection lost in between) is moved on the next poll.
- TemporaryFailure (database down): untouched, the poll ends, the next one
  tries again — after a back-off.
- over MAIL_MAX_BYTES: it cannot be bounced from here, and must not be fetched
  again every poll. It is flagged \\Flagged $ServiceDeskRejected and left where
  it is, unread, so the mailbox owner sees it; an error is logged.
- any other error (a bug): logged with its traceback, left untouched and tried
  again next poll; the other messages go on.

Servers that cannot store keywords get \\Seen alone (and \\Seen \\Flagged for a
rejected message). Connection and login errors are logged and retried with a
doubling back-off up to `max(IMAP_POLL_SECONDS, 300)` seconds; the poller
never stops until the app does."""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from aioimaplib import IMAP4, IMAP4_SSL, Response

from servicedesk.channels.email.receive import MessageTooLarge, TemporaryFailure, receive_email
from servicedesk.db import Database
from servicedesk.intake.service import IntakeResult
from servicedesk.settings import Settings

log = logging.getLogger(__name__)

FILED = "$ServiceDesk"
REJECTED = "$ServiceDeskRejected"
COMMAND_TIMEOUT = 60.0  # seconds without a byte from the server
MAX_BACKOFF = 300.0

_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_LITERAL = re.compile(rb"\{\d+\}$")


class ImapError(Exception):
    """The server said NO or BAD, or answered something we cannot read."""


@dataclass(frozen=True)
class Mailbox:
    tls: bool
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    move_to: str | None = None

    @classmethod
    def parse(cls, url: str) -> Mailbox:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps"):
            raise ValueError(f"IMAP mailbox URL must start imap:// or imaps://: {_redact(url)}")
        if not parts.hostname or parts.username is None or parts.password is None:
            raise ValueError(f"IMAP mailbox URL needs user, password and host: {_redact(url)}")
        tls = parts.scheme == "imaps"
        query = parse_qs(parts.query)
        unknown = set(query) - {"move"}
        if unknown:
            raise ValueError(f"unknown IMAP mailbox option(s) {sorted(unknown)}: {_redact(url)}")
        move = query.get("move", [""])[-1]
        return cls(
            tls=tls,
            host=parts.hostname,
            port=parts.port or (993 if tls else 143),
            user=unquote(parts.username),
            password=unquote(parts.password),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            move_to=move or None,
        )

    def __str__(self) -> str:
        scheme = "imaps" if self.tls else "imap"
        move = f"?move={self.move_to}" if self.move_to else ""
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}{move}"


def _redact(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _quoted(name: str) -> str:
    """An IMAP quoted string (folder names may hold spaces)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class PollReport:
    """What one poll did, message by message (UIDs)."""

    filed: dict[int, IntakeResult] = field(default_factory=dict)
    rejected: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # left for the next poll
    moved_late: list[int] = field(default_factory=list)  # filed earlier, moved now
    deferred: bool = False  # the database was unavailable; the rest waits too


class _Session:
    """One logged-in, folder-selected IMAP connection."""

    def __init__(self, client: IMAP4, mailbox: Mailbox) -> None:
        self.client = client
        self.mailbox = mailbox
        self.keywords = True

    @classmethod
    async def open(cls, mailbox: Mailbox) -> _Session:
        client: IMAP4
        if mailbox.tls:
            client = IMAP4_SSL(
                mailbox.host,
                mailbox.port,
                timeout=COMMAND_TIMEOUT,
                ssl_context=ssl.create_default_context(),
            )
        else:
            client = IMAP4(mailbox.host, mailbox.port, timeout=COMMAND_TIMEOUT)
        session = cls(client, mailbox)
        try:
            await client.wait_hello_from_server()
            _ok(await client.login(_quoted(mailbox.user), mailbox.password), "LOGIN")
            await client.protocol.capability()  # the logged-in list (MOVE, UIDPLUS…)
            selected = _ok(await client.select(_quoted(mailbox.folder)), "SELECT")
            session.keywords = any(
                b"PERMANENTFLAGS" in line and b"\\*" in line for line in _lines(selected)
            )
        except BaseException:
            session.abort()
            raise
        return session

    def abort(self) -> None:
        transport = self.client.protocol.transport
        if transport is not None:
            transport.close()

    async def close(self) -> None:
        try:
            await self.client.logout()
        except Exception as exc:  # we are done with it either way
            log.debug("imap %s: logout: %s", self.mailbox, exc)
        finally:
            self.abort()

    async def search(self, *criteria: str) -> list[int]:
        response = _ok(await self.client.uid_search(*criteria, charset=None), "SEARCH")
        uids: list[int] = []
        for line in _lines(response)[:-1]:  # `* SEARCH 3 7`, kept as b"3 7"; then the status
            words = line.split()
            if words[:1] == [b"SEARCH"]:
                words = words[1:]
            if all(word.isdigit() for word in words):
                uids.extend(int(word) for word in words)
        return sorted(uids)

    async def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        response = _ok(await self.client.uid("fetch", _uid_set(uids), "(RFC822.SIZE)"), "FETCH")
        found: dict[int, int] = {}
        for line in _lines(response):
            uid, size = _UID.search(line), _SIZE.search(line)
            if uid and size:
                found[int(uid.group(1))] = int(size.group(1))
        return found

    async def fetch(self, uid: int) -> bytes | None:
        """The message's bytes as stored, without marking it seen; None if it has gone."""
        response = _ok(await self.client.uid("fetch", str(uid), "(BODY.PEEK[])"), "FETCH")
        lines = response.lines
        for line, following in zip(lines, lines[1:], strict=False):
            # `* n FETCH (UID u BODY[] {size}` then the literal's bytes
            if isinstance(line, bytes) and isinstance(following, bytearray):
                found = _UID.search(line)
                if found and int(found.group(1)) == uid and _LITERAL.search(line):
                    return bytes(following)
        return None

    async def flag(self, uids: Iterable[int], *flags: str) -> None:
        await self._store(_uid_set(uids), "+FLAGS.SILENT", f"({' '.join(flags)})")

    async def _store(self, uid_set: str, *args: str) -> None:
        _ok(await self.client.uid("store", uid_set, *args), "STORE")

    async def create_folder(self, name: str) -> None:
        response = await self.client.create(_quoted(name))
        if response.result != "OK" and not any(b"ALREADYEXISTS" in ln for ln in _lines(response)):
            raise ImapError(f"CREATE {name}: {_text(response)}")

    async def move(self, uids: Sequence[int], folder: str) -> None:
        uid_set = _uid_set(uids)
        if self.client.has_capability("MOVE"):
            _ok(await self.client.uid("move", uid_set, _quoted(folder)), "MOVE")
            return
        _ok(await self.client.uid("copy", uid_set, _quoted(folder)), "COPY")
        await self._store(uid_set, "+FLAGS.SILENT", "(\\Deleted)")
        if self.client.has_capability("UIDPLUS"):
            _ok(await self.client.uid("expunge", uid_set), "EXPUNGE")
        # Without UIDPLUS a plain EXPUNGE would also remove what others marked
        # \Deleted: the copy here stays marked for the owner's client to expunge.


def _uid_set(uids: Iterable[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _lines(response: Response) -> list[bytes]:
    return [bytes(line) for line in response.lines if isinstance(line, bytes | bytearray)]


def _text(response: Response) -> str:
    return b" ".join(_lines(response)[-1:]).decode("utf-8", "replace")


def _ok(response: Response, command: str) -> Response:
    if response.result != "OK":
        raise ImapError(f"{command} {response.result}: {_text(response)}")
    return response


class MailboxPoller:
    """Polls one mailbox; `poll_once` is one pass, `run` polls until cancelled."""

    def __init__(self, db: Database, settings: Settings, mailbox: Mailbox) -> None:
        self.db = db
        self.settings = settings
        self.mailbox = mailbox
        self.stopping = asyncio.Event()  # set: the poll in hand ends after its message
        self._folder_ready = False

    async def poll_once(self) -> PollReport:
        """One pass over the mailbox. Raises on connection, login and protocol
        errors (nothing is flagged that was not filed); `run` logs and backs off."""
        report = PollReport()
        session = await _Session.open(self.mailbox)
        try:
            await self._poll(session, report)
        finally:
            await session.close()
        return report

    async def _poll(self, session: _Session, report: PollReport) -> None:
        move_to = self.mailbox.move_to
        if move_to is not None:
            if not self._folder_ready:
                await session.create_folder(move_to)
                self._folder_ready = True
            if session.keywords:  # filed on an earlier poll, the move did not happen
                late = await session.search("KEYWORD", FILED, "UNDELETED")
                if late:
                    await session.move(late, move_to)
                    report.moved_late.extend(late)
        criteria = ["UNSEEN", "UNDELETED"]
        if session.keywords:
            criteria += ["UNKEYWORD", FILED, "UNKEYWORD", REJECTED]
        uids = await session.search(*criteria)
        if not uids:
            return
        sizes = await session.sizes(uids)
        for uid in uids:
            if self.stopping.is_set():
                return
            if not await self._one(session, uid, sizes.get(uid, 0), report):
                report.deferred = True
                return

    async def _one(self, session: _Session, uid: int, size: int, report: PollReport) -> bool:
        """File one message; False when the database is unavailable (stop the poll)."""
        limit = self.settings.mail_max_bytes
        try:
            if size > limit:
                raise MessageTooLarge(size, limit)
            raw = await session.fetch(uid)
            if raw is None:  # expunged by someone else meanwhile
                return True
            result = await receive_email(self.db, raw, self.settings)
        except MessageTooLarge as exc:
            log.error(
                "imap %s: message UID %s rejected and flagged %s, left in %s: %s",
                self.mailbox,
                uid,
                REJECTED,
                self.mailbox.folder,
                exc,
            )
            flags = ("\\Flagged", REJECTED) if session.keywords else ("\\Flagged", "\\Seen")
            await session.flag([uid], *flags)
            report.rejected.append(uid)
            return True
        except TemporaryFailure as exc:
            log.warning("imap %s: database unavailable, UID %s waits: %s", self.mailbox, uid, exc)
            report.failed.append(uid)
            return False
        except (ImapError, OSError, TimeoutError):
            raise  # the connection, not the message: the poll ends here
        except Exception:
            log.exception("imap %s: could not file UID %s; will try again", self.mailbox, uid)
            report.failed.append(uid)
            return True
        await session.flag([uid], *(("\\Seen", FILED) if session.keywords else ("\\Seen",)))
        if self.mailbox.move_to is not None:
            await session.move([uid], self.mailbox.move_to)
        report.filed[uid] = result
        return True

    def next_delay(self, failures: int) -> float:
        """Seconds to the next poll after `failures` failed polls in a row."""
        base = float(self.settings.imap_poll_seconds)
        if failures == 0:
            return base
        return min(base * 2.0**failures, max(base, MAX_BACKOFF))

    async def run(self) -> None:
        """Poll until `stopping` is set; every error is logged and retried."""
        failures = 0
        while not self.stopping.is_set():
            try:
                report = await self.poll_once()
            except Exception as exc:
                failures += 1
                log.warning(
                    "imap %s: poll failed (%s: %s); next try in %.0fs",
                    self.mailbox,
                    type(exc).__name__,
                    exc,
                    self.next_delay(failures),
                )
            else:
                failures = failures + 1 if report.deferred else 0
                if report.filed or report.rejected:
                    log.info(
                        "imap %s: filed %d, rejected %d",
                        self.mailbox,
                        len(report.filed),
                        len(report.rejected),
                    )
            try:
                await asyncio.wait_for(self.stopping.wait(), timeout=self.next_delay(failures))
            except TimeoutError:
                pass


class ImapIntake:
    """All configured mailboxes, each polled by its own task."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.pollers = [
            MailboxPoller(db, settings, Mailbox.parse(url)) for url in settings.imap_mailboxes
        ]
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for poller in self.pollers:
            self._tasks.append(asyncio.create_task(poller.run(), name=f"imap {poller.mailbox}"))
            log.info(
                "imap intake polling %s every %ss",
                poller.mailbox,
                poller.settings.imap_poll_seconds,
            )

    async def stop(self, grace: float = 30.0) -> None:
        """Let each poll finish the message in hand, then stop; cancel after `grace`
        seconds (a cancelled filing rolls back and the message stays unflagged)."""
        for poller in self.pollers:
            poller.stopping.set()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        self._tasks.clear()
