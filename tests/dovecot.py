"""A private Dovecot IMAP server for the tests (Debian's /usr/sbin/dovecot, made
sure of by scripts/ensure-dovecot.sh).

Everything lives in one temporary folder: its own dovecot.conf, base_dir,
state_dir and Maildirs (its log comes to us through a pipe); it listens on
127.0.0.1 on a free port, plain text (ssl = no) with PLAIN/LOGIN. Any user name
logs in with the server's one password (static passdb) and gets a Maildir of its
own, so each test takes a fresh, empty mailbox.

Run as a normal user, every Dovecot process is that user. Run as root (CI
containers), Dovecot refuses to run its login processes or to touch mail as
root, so those run as `nobody`: the folder is opened up (0755) for them to reach
the sockets, and the Maildirs belong to `nobody`.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aioimaplib import IMAP4, extract_exists

from tests.live_server import free_port

DOVECOT = "/usr/sbin/dovecot"
STARTED = "starting up"


async def _drain(stream: asyncio.StreamReader, log: list[str]) -> None:
    """Keep reading the log so Dovecot never blocks on a full pipe."""
    while line := await stream.readline():
        log.append(line.decode(errors="replace"))


@dataclass
class MailAccount:
    user: str
    password: str
    host: str
    port: int

    def url(self, folder: str = "INBOX", move: str | None = None) -> str:
        query = f"?move={move}" if move else ""
        return f"imap://{self.user}:{self.password}@{self.host}:{self.port}/{folder}{query}"


@dataclass
class Dovecot:
    root: Path
    port: int
    password: str
    host: str = "127.0.0.1"
    accounts: list[MailAccount] = field(default_factory=list)

    def add_account(self) -> MailAccount:
        """A new user: any name logs in with the server's password and gets an
        empty Maildir of its own on first use."""
        account = MailAccount(f"desk{len(self.accounts) + 1}", self.password, self.host, self.port)
        self.accounts.append(account)
        return account

    @asynccontextmanager
    async def client(self, account: MailAccount) -> AsyncIterator[IMAP4]:
        """A logged-in aioimaplib client (the test's own, not the desk's)."""
        imap = IMAP4(self.host, self.port, timeout=30)
        try:
            await imap.wait_hello_from_server()
            response = await imap.login(account.user, account.password)
            assert response.result == "OK", response
            yield imap
            await imap.logout()
        finally:
            if imap.protocol.transport is not None:
                imap.protocol.transport.close()

    async def deliver(self, account: MailAccount, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the mailbox the way a delivery agent would (APPEND)."""
        async with self.client(account) as imap:
            response = await imap.append(raw, mailbox=folder)
            assert response.result == "OK", response

    async def create_folder(self, account: MailAccount, folder: str) -> None:
        async with self.client(account) as imap:
            response = await imap.create(folder)
            assert response.result == "OK", response

    async def wait_for_message(self, account: MailAccount, folder: str) -> None:
        """Return once `folder` holds a message: IMAP IDLE, the server says EXISTS."""
        async with self.client(account) as imap:
            selected = await imap.select(folder)
            assert selected.result == "OK", selected
            if (extract_exists(selected) or 0) > 0:
                return
            idle = await imap.idle_start(timeout=3600)
            try:
                while True:
                    pushed = await imap.wait_server_push()
                    if any(
                        isinstance(line, bytes) and line.endswith(b" EXISTS") and line[:1] != b"0"
                        for line in pushed
                    ):
                        return
            finally:
                imap.idle_done()
                await asyncio.wait_for(idle, timeout=30)

    async def messages(self, account: MailAccount, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID → flags of every message in `folder`."""
        async with self.client(account) as imap:
            selected = await imap.select(folder)
            assert selected.result == "OK", selected
            response = await imap.uid("fetch", "1:*", "(FLAGS)")
            assert response.result == "OK", response
        found: dict[int, set[str]] = {}
        for line in response.lines:
            if not isinstance(line, bytes) or b" FETCH " not in line:
                continue
            text = line.decode()
            uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
            flags = text.split("FLAGS (", 1)[1].split(")", 1)[0]
            found[uid] = set(flags.split())
        return found


def _config(root: Path, port: int, password: str, user: str, group: str, login_user: str) -> str:
    uid = pwd.getpwnam(user).pw_uid
    gid = grp.getgrnam(group).gr_gid
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
# The log goes to our pipe: the master's "starting up" line says it is listening.
log_path = /dev/stderr
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
mail_uid = {user}
mail_gid = {group}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
"""


async def _greets(host: str, port: int) -> bool:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    try:
        return (await reader.readline()).startswith(b"* OK")
    except OSError:
        return False
    finally:
        writer.close()


@asynccontextmanager
async def running_dovecot() -> AsyncIterator[Dovecot]:
    if not os.access(DOVECOT, os.X_OK):
        raise RuntimeError(f"{DOVECOT} is missing: run scripts/ensure-dovecot.sh")
    root = Path(tempfile.mkdtemp(prefix="servicedesk-dovecot-"))
    (root / "mail").mkdir()
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        user, group, login_user = "nobody", grp.getgrgid(nobody.pw_gid).gr_name, "nobody"
        root.chmod(0o755)  # imap-login, as nobody, reaches its sockets in base_dir
        os.chown(root / "mail", nobody.pw_uid, nobody.pw_gid)  # homes made on first login
    else:
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        login_user = user
    port = free_port()
    password = secrets.token_urlsafe(12)
    (root / "dovecot.conf").write_text(_config(root, port, password, user, group, login_user))
    # -F: in the foreground, so it is our child and stopping it is terminate + wait.
    proc = await asyncio.create_subprocess_exec(
        DOVECOT,
        "-F",
        "-c",
        str(root / "dovecot.conf"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    log: list[str] = []
    drain: asyncio.Task[None] | None = None
    try:
        async with asyncio.timeout(60):  # a guard against hanging, nothing is timed
            # The master logs "starting up" once its listeners are bound: a client
            # connecting from then on waits in the backlog for imap-login's greeting.
            while not any(STARTED in line for line in log):
                line = await proc.stderr.readline()
                if not line:
                    await proc.wait()
                    raise RuntimeError("dovecot did not start: " + "".join(log))
                log.append(line.decode(errors="replace"))
            drain = asyncio.create_task(_drain(proc.stderr, log))
            assert await _greets("127.0.0.1", port), "dovecot started but does not greet"
        yield Dovecot(root, port, password)
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                async with asyncio.timeout(30):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if drain is not None:
            await drain
        shutil.rmtree(root, ignore_errors=True)
