"""`servicedesk sla load` and `servicedesk sla simulate` against a real database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from servicedesk import migrate
from servicedesk.cli import main
from servicedesk.db import Database, make_engine
from servicedesk.events import EventBus
from servicedesk.sla_tracking.models import SlaClock
from tests import factories as f

EXAMPLE = Path(__file__).parents[2] / "servicedesk" / "demo" / "sla.toml"


def _run(url: str, work):
    async def go():
        db = Database(make_engine(url, pool_size=2), EventBus())
        try:
            await migrate.upgrade(db.engine)
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


def _open_tickets(url: str, count: int) -> None:
    async def work(db):
        customer = await f.create_customer(db)
        for _ in range(count):
            await f.create_ticket(db, customer)

    _run(url, work)


def _clock_count(url: str) -> int:
    async def work(db):
        async with db.read_session() as session:
            return await session.scalar(select(func.count()).select_from(SlaClock))

    return _run(url, work)


def test_sla_load_activates_the_file_and_recomputes_open_tickets(cli_database, capsys):
    _open_tickets(cli_database, 3)
    assert main(["sla", "load", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "loaded and active" in out
    assert "Gold, active warranty" in out
    assert "recomputed the clocks of 3 open tickets" in out
    assert _clock_count(cli_database) >= 3
    assert main(["sla", "load", str(EXAMPLE)]) == 0
    assert "already active" in capsys.readouterr().out


def test_sla_load_refuses_a_bad_file_with_its_place(cli_database, capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('first_response = "1h"', 'first_response = "1x"', 1))
    assert main(["sla", "load", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "1x" in err
    assert "first_response" in err
    assert main(["sla", "load", str(tmp_path / "missing.toml")]) == 2


def test_sla_simulate_prints_proposed_beside_actual(cli_database, capsys, tmp_path):
    _open_tickets(cli_database, 2)
    assert main(["sla", "load", str(EXAMPLE)]) == 0
    capsys.readouterr()
    stricter = tmp_path / "stricter.toml"
    stricter.write_text(EXAMPLE.read_text().replace('"4h"', '"1m"'))
    assert main(["sla", "simulate", str(stricter), "--since", "30d"]) == 0
    out = capsys.readouterr().out
    assert "2 tickets opened in the last 30d" in out
    header = next(line for line in out.splitlines() if line.startswith("policy"))
    assert header.split() == ["policy", "metric", "proposed", "actual", "change"]
    assert "first_response" in out
    assert main(["sla", "simulate", str(stricter), "--since", "soon"]) == 2
    assert "30d" in capsys.readouterr().err


def test_policies_load_into_an_empty_desk(cli_database):
    assert main(["sla", "load", str(EXAMPLE)]) == 0
    assert _clock_count(cli_database) == 0
