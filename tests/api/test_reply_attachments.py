"""Agents attach files to replies through the API; they are stored with the
message, listed on the ticket, and size-limited."""

from __future__ import annotations

import base64
import dataclasses

import httpx
from asgi_lifespan import LifespanManager

from servicedesk.app import create_app
from servicedesk.enums import Role
from tests.api.conftest import World, create_api_user


def _file(name: str, data: bytes, content_type: str = "application/pdf") -> dict[str, str]:
    return {
        "filename": name,
        "content_type": content_type,
        "content_base64": base64.b64encode(data).decode(),
    }


async def test_a_reply_carries_its_attachments(client, db, world: World):
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    body = {
        "body": "The invoice is attached.",
        "attachments": [_file("../../etc/חשבונית.pdf", b"%PDF-1.4 invoice")],
    }
    resp = await client.post(
        f"/api/v1/tickets/{world.ticket.id}/replies", json=body, headers=agent.headers
    )
    assert resp.status_code == 201, resp.text
    (attached,) = resp.json()["attachments"]
    assert (attached["filename"], attached["size"]) == ("חשבונית.pdf", 16)
    ticket = (await client.get(f"/api/v1/tickets/{world.ticket.id}", headers=agent.headers)).json()
    listed = [m["attachments"] for m in ticket["messages"] if m["id"] == resp.json()["id"]]
    assert listed == [[attached]]


async def test_an_attachment_over_the_limit_is_refused(db, settings, world: World):
    small = dataclasses.replace(settings, max_attachment_bytes=10)
    agent = await create_api_user(db, Role.agent, teams=(world.queue,))
    app = create_app(small, database=db)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            resp = await client.post(
                f"/api/v1/tickets/{world.ticket.id}/replies",
                json={"body": "big", "attachments": [_file("big.bin", b"x" * 11)]},
                headers=agent.headers,
            )
    assert resp.status_code == 422
    assert "attachments.0.content_base64" in resp.json()["fields"]
