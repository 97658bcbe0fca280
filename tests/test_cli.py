"""The `servicedesk` command against a real database (DATABASE_URL), end to end."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys

from servicedesk.cli import main
from servicedesk.db import Actor, Database, make_engine
from servicedesk.events import EventBus
from servicedesk.staff.service import authenticate_password, authenticate_token


def _check(url: str, fn):
    async def run():
        from sqlalchemy.ext.asyncio import AsyncSession

        engine = make_engine(url, pool_size=1)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                return await fn(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_console_script_migrates(cli_database):
    exe = shutil.which("servicedesk", path=os.path.dirname(sys.executable))
    assert exe is not None
    done = subprocess.run([exe, "migrate"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "newest migration" in done.stdout


def test_user_create_then_token_create(cli_database, capsys):
    assert (
        main(
            [
                "user", "create", "--email", "Rivka@Desk.example", "--role", "agent",
                "--password", "a-long-password", "--name", "רבקה",
            ]
        )
        == 0
    )  # fmt: skip
    assert "created agent rivka@desk.example" in capsys.readouterr().out
    assert main(["token", "create", "--email", "rivka@desk.example"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("sdk_")

    async def check_token(session):
        async with Database(session.bind, EventBus()).unit_of_work(Actor.system()) as uow:
            return await authenticate_token(uow, token)

    found = _check(cli_database, check_token)
    assert found is not None
    assert found[0].email == "rivka@desk.example"
    user = _check(
        cli_database, lambda s: authenticate_password(s, "rivka@desk.example", "a-long-password")
    )
    assert user is not None


def test_duplicate_user_is_a_clear_error_not_a_traceback(cli_database, capsys):
    args = [
        "user",
        "create",
        "--email",
        "x@desk.example",
        "--role",
        "admin",
        "--password",
        "0123456789",
    ]
    assert main(args) == 0
    assert main(args) == 2
    assert "error: a user with e-mail x@desk.example exists" in capsys.readouterr().err


def test_short_password_and_unknown_queue_are_rejected(cli_database, capsys):
    assert (
        main(
            [
                "user",
                "create",
                "--email",
                "y@desk.example",
                "--role",
                "agent",
                "--password",
                "short",
            ]
        )
        == 2
    )
    assert "password too short" in capsys.readouterr().err
    assert (
        main(
            [
                "user", "create", "--email", "z@desk.example", "--role", "agent",
                "--password", "0123456789", "--team", "No such queue",
            ]
        )
        == 2
    )  # fmt: skip
    assert "no queue named" in capsys.readouterr().err


def test_token_for_unknown_user_fails(cli_database, capsys):
    assert main(["token", "create", "--email", "ghost@desk.example"]) == 2
    assert "no user" in capsys.readouterr().err


def test_partner_user_needs_a_partner_organisation(cli_database, capsys):
    args = [
        "user",
        "create",
        "--email",
        "p@desk.example",
        "--role",
        "partner",
        "--password",
        "0123456789",
    ]
    assert main(args) == 2
    assert "partner organisation" in capsys.readouterr().err
