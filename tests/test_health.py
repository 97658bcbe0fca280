"""/healthz says the process is alive; /readyz that the database answers and is migrated."""

from __future__ import annotations

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from servicedesk.app import create_app
from servicedesk.db import Database, make_engine
from servicedesk.events import EventBus


async def test_healthz_is_ok(client):
    resp = await client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}
    assert resp.headers["x-request-id"]


async def test_readyz_reports_database_and_migrations(client):
    resp = await client.get("/readyz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ready", "database": "ok", "migrations": "current"}


async def _readyz_on(settings, url: str) -> httpx.Response:
    """GET /readyz from an app whose database is `url`."""
    engine = make_engine(url, pool_size=1)
    app = create_app(settings, database=Database(engine, EventBus()))
    try:
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                return await c.get("/readyz")
    finally:
        await engine.dispose()


async def test_readyz_is_503_when_migrations_are_pending(databases, settings):
    resp = await _readyz_on(settings, await databases.create("sd_unmigrated"))
    assert resp.status_code == 503
    assert resp.json()["migrations"] == "pending"


async def test_readyz_is_503_when_the_database_is_unreachable(settings):
    resp = await _readyz_on(settings, "postgresql+asyncpg://nobody@127.0.0.1:9/none")
    assert resp.status_code == 503
    assert resp.json()["database"] == "unreachable"


async def test_request_id_is_echoed_when_sane(client):
    resp = await client.get("/healthz", headers={"X-Request-ID": "abc12345-req"})
    assert resp.headers["x-request-id"] == "abc12345-req"
    bad = await client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert bad.headers["x-request-id"] != "<script>"


async def test_unknown_api_path_is_json_404(client, db):
    resp = await client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.json()["error"] == "http_error"


async def test_database_time_zone_is_utc(db):
    async with db.read_session() as s:
        assert await s.scalar(text("SHOW timezone")) == "UTC"


async def test_a_client_that_hangs_up_mid_body_is_not_an_error(app, db, caplog):
    from servicedesk.enums import Role
    from tests import factories as f

    admin = await f.create_staff(db, Role.admin)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/tickets",
        "raw_path": b"/api/v1/tickets",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {admin.token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"500"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    messages = iter([{"type": "http.request", "body": b'{"subj', "more_body": True}])

    async def receive():
        return next(messages, {"type": "http.disconnect"})

    sent = []

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
