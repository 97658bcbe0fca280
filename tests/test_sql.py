"""Hand-written driver SQL: parameter numbering, and both ways UnitOfWork.fetchrow runs it."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from servicedesk.db import Actor, Database, make_engine
from servicedesk.events import EventBus
from servicedesk.sql import DriverSQL


def test_named_parameters_become_numbered_once_each():
    stmt = DriverSQL("SELECT :a, :b, :a, x::text, ':not_a_param' FROM t WHERE y = :b_2")
    assert stmt.sql == "SELECT $1, $2, $1, x::text, ':not_a_param' FROM t WHERE y = $3"
    assert stmt.names == ("a", "b", "b_2")
    assert stmt.args({"a": 1, "b": 2, "b_2": 3, "extra": 4}) == (1, 2, 3)


def test_a_missing_parameter_is_named():
    with pytest.raises(KeyError, match="b"):
        DriverSQL("SELECT :a, :b").args({"a": 1})


PRODUCT = DriverSQL(
    "INSERT INTO product (sku, name, category, attributes, warranty_months, created_at)"
    " VALUES (:sku, 'Kettle', '', '{}', 12, now()) RETURNING id"
)


async def test_inside_an_open_transaction_it_runs_on_the_driver(db):
    async with db.unit_of_work(Actor.system()) as uow:
        first = await uow.fetchrow(PRODUCT, {"sku": "KT-1"})
        assert first is not None
        with pytest.raises(IntegrityError):  # a constraint violation as everywhere else
            await uow.fetchrow(PRODUCT, {"sku": "KT-1"})
        await uow.session.rollback()
        uow.committed = True  # rolled back on purpose; nothing left to commit


async def test_as_a_transactions_first_statement_it_opens_the_transaction(databases):
    from servicedesk import migrate

    engine = make_engine(await databases.create("sd_sql"), pool_size=1)
    try:
        await migrate.upgrade(engine)
        database = Database(engine, EventBus())
        async with database.unit_of_work(Actor.system()) as uow:
            row = await uow.fetchrow(PRODUCT, {"sku": "KT-2"})
            assert row is not None
            raw = await (await uow.session.connection()).get_raw_connection()
            assert raw.driver_connection.is_in_transaction()
            await uow.session.rollback()
            uow.committed = True
        async with database.read_session() as s:
            from sqlalchemy import text

            assert await s.scalar(text("SELECT count(*) FROM product")) == 0  # rolled back
    finally:
        await engine.dispose()


def test_rows_built_by_hand_work_in_a_fresh_process():
    """The API's first request builds its user with `as_loaded` before any ORM query
    has run: the mapped classes must already be set up then (a bug seen under load)."""
    import subprocess
    import sys

    code = (
        "import servicedesk.models\n"
        "from servicedesk.db import Database, as_loaded, make_engine\n"
        "from servicedesk.events import EventBus\n"
        "from servicedesk.staff.models import User\n"
        "Database(make_engine('postgresql+asyncpg://nobody@127.0.0.1:9/none'), EventBus())\n"
        "user = as_loaded(User, {'id': 7, 'email': 'a@b.example', 'name': 'A'})\n"
        "print(user.id, user.email)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["7", "a@b.example"]
