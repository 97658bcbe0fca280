"""`servicedesk mailgate` as an MTA runs it: a real process, the message on stdin,
the answer in the exit status (0 filed, 75 try again later, 65 bounce)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from dataclasses import dataclass

import pytest

from servicedesk.channels.email.mailgate import EX_DATAERR, EX_OK, EX_TEMPFAIL, read_message
from tests.channels.email.transport_support import filed, sample_mail
from tests.live_server import free_port

LIMIT = 32 * 1024


@dataclass
class Gate:
    status: int
    stdout: str
    stderr: str


@pytest.fixture
def gate_env(committed_engine, tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MAIL_"))}
    env.update(
        DATABASE_URL=committed_engine.url.render_as_string(hide_password=False),
        SERVICEDESK_HOME=str(tmp_path),
        SECRET_KEY="mailgate-test-secret",
        MAIL_MAX_BYTES=str(LIMIT),
        MAIL_ADDRESSES="support@desk.example",
        RUN_WORKER="false",
        LOG_LEVEL="WARNING",
    )
    return env


async def mailgate(raw: bytes, env: dict[str, str]) -> Gate:
    exe = shutil.which("servicedesk", path=os.path.dirname(sys.executable))
    assert exe is not None
    proc = await asyncio.create_subprocess_exec(
        exe,
        "mailgate",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):  # a guard against hanging, nothing is timed
        out, err = await proc.communicate(raw)
    assert proc.returncode is not None
    return Gate(proc.returncode, out.decode(), err.decode())


async def test_a_message_is_filed_and_its_ticket_printed(gate_env, committed_db, committed_engine):
    mail = sample_mail()
    done = await mailgate(mail.raw, gate_env)
    assert done.status == EX_OK, done.stderr
    assert done.stdout.startswith("ticket ")
    ticket_id = int(done.stdout.split()[1])
    stored = await filed(committed_engine, mail.message_id)
    assert stored.ticket_ids == [ticket_id]
    assert stored.subjects == [mail.subject]


async def test_the_same_message_twice_is_stored_once(gate_env, committed_db, committed_engine):
    mail = sample_mail()
    first = await mailgate(mail.raw, gate_env)
    again = await mailgate(mail.raw, gate_env)
    assert (first.status, again.status) == (EX_OK, EX_OK), again.stderr
    assert first.stdout == again.stdout
    assert len((await filed(committed_engine, mail.message_id)).ticket_ids) == 1


async def test_an_mbox_from_line_is_not_part_of_the_message(
    gate_env, committed_db, committed_engine
):
    mail = sample_mail()
    done = await mailgate(b"From noa@example.com Sun Nov 29 12:00:00 2026\n" + mail.raw, gate_env)
    assert done.status == EX_OK, done.stderr
    assert len((await filed(committed_engine, mail.message_id)).ticket_ids) == 1


async def test_our_own_mail_is_ignored_with_success(gate_env, committed_db, committed_engine):
    mail = sample_mail(sender="Service desk <support@desk.example>")
    done = await mailgate(mail.raw, gate_env)
    assert done.status == EX_OK, done.stderr
    assert done.stdout.strip() == "ignored"
    assert (await filed(committed_engine, mail.message_id)).ticket_ids == []


async def test_oversize_is_a_bounce_with_a_message_too_big_status(
    gate_env, committed_db, committed_engine
):
    mail = sample_mail(padding=2 * LIMIT)
    done = await mailgate(mail.raw, gate_env)
    assert done.status == EX_DATAERR
    # Postfix's pipe(8) uses a leading "D.S.N text" line over the exit status.
    assert done.stderr.startswith("5.3.4 ")
    assert done.stdout == ""
    assert (await filed(committed_engine, mail.message_id)).ticket_ids == []


async def test_database_down_is_a_temporary_failure(gate_env):
    gate_env["DATABASE_URL"] = f"postgresql://desk:desk@127.0.0.1:{free_port()}/desk"
    done = await mailgate(sample_mail().raw, gate_env)
    assert done.status == EX_TEMPFAIL
    assert done.stderr.startswith("4.3.0 ")
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


async def test_an_unusable_home_for_the_embedded_database_is_a_temporary_failure(
    gate_env, tmp_path
):
    """No DATABASE_URL and an embedded server that cannot start: 75, not a traceback."""
    del gate_env["DATABASE_URL"]
    home = tmp_path / "not-a-folder"
    home.write_text("a file where the data folder should be")
    gate_env["SERVICEDESK_HOME"] = str(home)
    done = await mailgate(sample_mail().raw, gate_env)
    assert done.status == EX_TEMPFAIL
    assert done.stderr.startswith("4.3.0 ")


def test_read_message_keeps_one_byte_over_the_limit_and_counts_the_rest():
    import io

    raw, size = read_message(io.BytesIO(b"a" * 200_000), limit=1000)
    assert (len(raw), size) == (1001, 200_000)
    raw, size = read_message(io.BytesIO(b"From x  Sun\nSubject: s\r\n\r\nb"), limit=1000)
    assert (raw, size) == (b"Subject: s\r\n\r\nb", len(b"Subject: s\r\n\r\nb"))
