"""Who may open the staff namespace `/live`: signed-in browsers by their session
cookie, integrations by an API token; everyone else is refused, saying why. Nobody
is served on the default namespace any more."""

from __future__ import annotations

import pytest
import socketio
from sqlalchemy import select

from servicedesk.db import Actor
from servicedesk.enums import OrganizationKind, Role
from servicedesk.routing.models import AgentConnection
from servicedesk.staff import service as staff
from servicedesk.staff.models import User
from tests import factories as f
from tests.live.support import deactivate, revoke_tokens, session_cookie


async def refused(client, base_url: str, **how) -> str:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(base_url, **how)
    assert isinstance(client.refusal, dict), client.refusal
    return client.refusal["message"]


async def test_connection_without_a_session_or_token_is_refused(live_server, clients):
    message = await refused(clients.new(), live_server.base_url)
    assert "sign in" in message


async def test_forged_session_cookie_is_refused(live_server, clients):
    forged = "sd_session=eyJ1aWQiOiAxfQ==.forged.sig"
    assert "sign in" in await refused(clients.new(), live_server.base_url, cookie=forged)


async def test_a_changed_password_ends_live_connections_from_old_sessions(live_server, clients):
    db = live_server.db
    agent = await f.create_staff(db, Role.agent)
    cookie = await session_cookie(live_server.base_url, agent.user.email)
    async with db.unit_of_work(Actor.system()) as uow:
        user = await uow.session.get(User, agent.user.id)
        assert user is not None
        await staff.set_password(uow, user, "a brand new password")
    message = await refused(clients.new(), live_server.base_url, cookie=cookie)
    assert "sign in again" in message


async def test_the_default_namespace_serves_no_one(live_server, clients):
    agent = await f.create_staff(live_server.db, Role.agent)
    cookie = await session_cookie(live_server.base_url, agent.user.email)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await clients.new().connect(live_server.base_url, cookie=cookie, namespace="/")


async def test_an_integration_connects_with_its_api_token_and_hears_pushes(live_server, clients):
    db = live_server.db
    supervisor = await f.create_staff(db, Role.supervisor)
    integration = await clients.integration(supervisor)
    ticket = await f.create_ticket(db, await f.create_customer(db))
    created = await integration.wait("ticket.created")
    assert created["ticket_id"] == ticket.id


async def test_an_unknown_token_is_refused(live_server, clients):
    message = await refused(clients.new(), live_server.base_url, token="sd_not-a-real-token")
    assert message == "unknown or revoked token"


async def test_a_revoked_token_is_refused(live_server, clients):
    agent = await f.create_staff(live_server.db, Role.agent)
    await revoke_tokens(live_server.db, agent.user)
    message = await refused(clients.new(), live_server.base_url, token=agent.token)
    assert message == "unknown or revoked token"


async def test_the_token_of_a_deactivated_user_is_refused(live_server, clients):
    agent = await f.create_staff(live_server.db, Role.agent)
    await deactivate(live_server.db, agent.user)
    message = await refused(clients.new(), live_server.base_url, token=agent.token)
    assert message == "unknown or revoked token"


@pytest.mark.parametrize("auth", [{"token": 42}, {"token": ""}, {"token": None}])
async def test_a_token_that_is_not_a_string_is_refused(live_server, clients, auth):
    message = await refused(clients.new(), live_server.base_url, auth=auth)
    assert "API token" in message


async def test_a_browser_screen_counts_as_presence_an_integration_does_not(live_server, clients):
    db = live_server.db
    at_desk, robot = await f.create_staff(db, Role.agent), await f.create_staff(db, Role.agent)
    await clients.browser(at_desk)
    await clients.integration(robot)
    async with db.read_session() as s:
        connected = set(await s.scalars(select(AgentConnection.user_id)))
    assert at_desk.user.id in connected
    assert robot.user.id not in connected


async def test_each_role_hears_only_the_tickets_it_may_see(live_server, clients):
    db = live_server.db
    ours, theirs = await f.create_team(db), await f.create_team(db)
    lab = await f.create_organization(db, OrganizationKind.partner)
    agent = await f.create_staff(db, Role.agent, teams=(ours,))
    supervisor = await f.create_staff(db, Role.supervisor)
    partner = await f.create_staff(db, Role.partner, organization=lab)
    lab_customer = await f.create_customer(db, organization=lab)
    walk_in = await f.create_customer(db)

    heard = {
        Role.agent: await clients.browser(agent),
        Role.supervisor: await clients.browser(supervisor),
        Role.partner: await clients.browser(partner),
    }
    elsewhere = await f.create_ticket(db, walk_in, queue=theirs)
    for_lab = await f.create_ticket(db, lab_customer, queue=theirs)
    in_our_queue = await f.create_ticket(db, walk_in, queue=ours)
    for screen in heard.values():
        await screen.settle()

    assert await heard[Role.agent].wait("ticket.created") == {
        "event": "ticket.created",
        "ticket_id": in_our_queue.id,
        "version": 1,
        "queue_id": ours.id,
        "assignee_id": None,
    }
    assert heard[Role.agent].tickets() == {in_our_queue.id}
    assert heard[Role.partner].tickets() == {for_lab.id}
    assert heard[Role.supervisor].tickets() == {elsewhere.id, for_lab.id, in_our_queue.id}
    # A new ticket and its first message are one push: the screen fetches both.
    assert [
        n for n, p in heard[Role.supervisor].heard if p and p.get("ticket_id") == elsewhere.id
    ] == ["ticket.created"]
