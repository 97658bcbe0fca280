"""The `servicedesk` command: serve, migrate, user create, token create, mailgate."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from servicedesk import migrate
from servicedesk.db import Actor, Database, make_engine
from servicedesk.embedded import resolve_database_url
from servicedesk.enums import Role
from servicedesk.errors import ServiceError
from servicedesk.events import EventBus
from servicedesk.logging_setup import configure_logging
from servicedesk.settings import Settings, load_settings
from servicedesk.staff import service as staff
from servicedesk.staff.models import Team, User
from servicedesk.wiring import subscribe_domain

log = logging.getLogger("servicedesk.cli")


def _resolved(settings: Settings) -> Settings:
    """Settings whose database_url is concrete (the embedded server started if needed)."""
    url = resolve_database_url(settings.database_url, settings.home)
    return dataclasses.replace(settings, database_url=url)


async def _with_db(
    settings: Settings, work: Callable[[Database], Awaitable[Any]], *, domain: bool = True
) -> Any:
    assert settings.database_url is not None
    bus = EventBus()
    if domain:
        subscribe_domain(bus, settings)  # writes react as in the app (outbound jobs…)
    db = Database(make_engine(settings.database_url, pool_size=2), bus)
    try:
        await migrate.upgrade(db.engine)
        return await work(db)
    finally:
        await db.dispose()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    async def run(db: Database) -> None:
        return None

    asyncio.run(_with_db(settings, run))
    print("database is at the newest migration")
    return 0


def cmd_user_create(args: argparse.Namespace, settings: Settings) -> int:
    password = args.password or getpass.getpass("password: ")

    async def run(db: Database) -> User:
        async with db.unit_of_work(Actor.system()) as uow:
            team_ids: list[int] = []
            for name in args.team or []:
                team = await uow.session.scalar(select(Team).where(Team.name == name))
                if team is None:
                    raise ServiceError(f"no queue named {name!r}")
                assert team.id is not None
                team_ids.append(team.id)
            return await staff.create_user(
                uow,
                email=args.email,
                name=args.name or args.email.split("@")[0],
                role=Role(args.role),
                password=password,
                organization_id=args.organization_id,
                team_ids=tuple(team_ids),
                language=args.language,
            )

    user = asyncio.run(_with_db(settings, run))
    print(f"created {user.role.value} {user.email} (id {user.id})")
    return 0


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    async def run(db: Database) -> str:
        async with db.unit_of_work(Actor.system()) as uow:
            user = await uow.session.scalar(select(User).where(User.email == args.email.lower()))
            if user is None:
                raise ServiceError(f"no user {args.email}")
            return await staff.create_token(uow, user, args.name)

    print(asyncio.run(_with_db(settings, run)))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from servicedesk.app import create_app

    async def prepare(db: Database) -> list[tuple[str, str, str]]:
        if not args.demo:
            return []
        from servicedesk.demo import seed

        return await seed(db, settings.time_zone)

    # Demo history is not mail to send: seeding defers no outbound jobs.
    logins = asyncio.run(_with_db(settings, prepare, domain=False))
    url = f"http://{args.host}:{args.port}/"
    print(f"\nService desk: {url}")
    if logins:
        print("Demo sign-ins (e-mail / password / role):")
        width = max(len(email) for email, _, _ in logins)
        for email, password, role in logins:
            print(f"  {email:{width}}  {password:20}  {role}")
    print()
    # uvicorn re-raises SIGTERM after its graceful shutdown; turn it into a normal exit
    # so the embedded PostgreSQL is stopped (atexit) as it is after Ctrl-C.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        workers=None,
    )
    return 0


def cmd_mailgate(args: argparse.Namespace) -> int:
    """One message on stdin from an MTA's pipe transport; the exit status is the
    answer (see servicedesk/channels/email/mailgate.py)."""
    from servicedesk.channels.email import mailgate

    return mailgate.run(sys.stdin.buffer, sys.stdout, sys.stderr)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from servicedesk.jobs import run_worker
    from servicedesk.sla_tracking.sweeper import running_sweeper

    async def run(db: Database) -> None:
        registry = subscribe_domain(db.bus, settings)
        async with running_sweeper(db, registry, enabled=True, interval=settings.sla_sweep_seconds):
            await run_worker(settings, db, concurrency=args.concurrency)

    asyncio.run(_with_db(settings, run))
    return 0


def cmd_sla_load(args: argparse.Namespace, settings: Settings) -> int:
    from servicedesk.sla_tracking import service as sla_tracking

    try:
        source = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceError(f"cannot read {args.file}: {exc}") from exc

    async def run(db: Database) -> tuple[sla_tracking.Loaded, int, float]:
        registry = subscribe_domain(db.bus, settings)
        async with db.unit_of_work(Actor.system()) as uow:
            loaded = await sla_tracking.load_policy_set(uow, source, user_id=None)
        started = time.perf_counter()
        count = await sla_tracking.recompute_open_tickets(db, registry, settings.time_zone)
        return loaded, count, time.perf_counter() - started

    loaded, count, seconds = asyncio.run(_with_db(settings, run))
    names = ", ".join(p.name for p in loaded.policies.policies)
    state = "loaded and active" if loaded.changed else "already active"
    print(f"policy set {loaded.version} {state}: {names}")
    print(f"recomputed the clocks of {count} open tickets in {seconds:.1f} s")
    return 0


def cmd_sla_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from servicedesk.sla_tracking import simulation
    from sla.config import ConfigError, load_policies_file

    try:
        proposed = load_policies_file(args.file)
        period = simulation.parse_period(args.since)
    except OSError as exc:
        raise ServiceError(f"cannot read {args.file}: {exc}") from exc
    except (ConfigError, ValueError) as exc:
        raise ServiceError(str(exc)) from exc

    async def run(db: Database) -> tuple[int, list[Any]]:
        now = datetime.now(UTC)
        return await simulation.replay(db, proposed, now - period, now, settings.time_zone)

    count, rows = asyncio.run(_with_db(settings, run, domain=False))
    print(f"{count} tickets opened in the last {args.since}, replayed under {args.file}")
    print("(share of decided clocks met on time; running and paused clocks are not decided)\n")
    print(simulation.table(rows) if rows else "no clocks either way")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="servicedesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app (migrates first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed demo data if the desk is empty")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run the job worker (outbound e-mail) until stopped")
    worker.add_argument("--concurrency", type=int, default=4, help="jobs run at once")
    worker.set_defaults(func=cmd_worker)

    sla = sub.add_parser("sla", help="SLA policies").add_subparsers(dest="action", required=True)
    sla_load = sla.add_parser(
        "load", help="validate a TOML policy file, make it the active version, recompute clocks"
    )
    sla_load.add_argument("file")
    sla_load.set_defaults(func=cmd_sla_load)
    sla_sim = sla.add_parser(
        "simulate",
        help="replay recent tickets under a proposed policy file beside the real compliance",
    )
    sla_sim.add_argument("file")
    sla_sim.add_argument("--since", default="30d", help="how far back: 30d, 12h, 2w")
    sla_sim.set_defaults(func=cmd_sla_simulate)

    mig = sub.add_parser("migrate", help="apply database migrations")
    mig.set_defaults(func=cmd_migrate)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    create = user.add_parser("create", help="create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--password", help="prompted for if omitted")
    create.add_argument("--name")
    create.add_argument("--team", action="append", help="queue name; repeatable")
    create.add_argument("--organization-id", type=int)
    create.add_argument("--language", default="he", choices=["he", "en"])
    create.set_defaults(func=cmd_user_create)

    token = sub.add_parser("token", help="manage API tokens").add_subparsers(
        dest="action", required=True
    )
    tcreate = token.add_parser("create", help="create an API token and print it once")
    tcreate.add_argument("--email", required=True)
    tcreate.add_argument("--name", default="")
    tcreate.set_defaults(func=cmd_token_create)

    sub.add_parser(
        "mailgate",
        help="file one e-mail read from stdin (for an MTA pipe transport); "
        "exit 0 filed, 75 try again later, 65 bounce",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "mailgate":
        # Its own settings, database and errors: whatever fails must still be an
        # exit status the MTA understands, never a traceback.
        return cmd_mailgate(args)
    settings = load_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    try:
        resolved = _resolved(settings)
        return int(args.func(args, resolved))
    except ServiceError as exc:
        detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        print(f"error: {exc.message}" + (f" ({detail})" if detail else ""), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
