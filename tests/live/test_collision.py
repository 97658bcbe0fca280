"""The collision warning: screens on the same ticket hear who else has it open and
who is typing a reply there; a closed screen drops out; a screen that may not see
the ticket neither joins nor hears."""

from __future__ import annotations

from servicedesk.enums import Role
from tests import factories as f
from tests.live.support import LIVE, WAIT


def _names(payload, typing: bool | None = None) -> list[str]:
    return [v["name"] for v in payload["viewers"] if typing is None or v["typing"] is typing]


async def test_two_agents_on_one_ticket_see_each_other_and_who_is_typing(clients, live_server):
    db = live_server.db
    queue = await f.create_team(db)
    noa = await f.create_staff(db, Role.agent, teams=(queue,))
    dan = await f.create_staff(db, Role.agent, teams=(queue,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    first = await clients.browser(noa)
    second = await clients.browser(dan)

    answer = await first.client.call(
        "watch", {"ticket_id": ticket.id}, namespace=LIVE, timeout=WAIT
    )
    assert answer == {"ok": True}
    await second.client.call("watch", {"ticket_id": ticket.id}, namespace=LIVE, timeout=WAIT)
    both = await first.wait("ticket.viewers", lambda p: len(p["viewers"]) == 2)
    assert both["ticket_id"] == ticket.id
    assert sorted(_names(both)) == sorted([noa.user.name, dan.user.name])

    await second.client.emit("typing", {"ticket_id": ticket.id, "typing": True}, namespace=LIVE)
    typing = await first.wait("ticket.viewers", lambda p: _names(p, typing=True) != [])
    assert _names(typing, typing=True) == [dan.user.name]

    await second.close()
    alone = await first.wait(
        "ticket.viewers", lambda p: [v["user_id"] for v in p["viewers"]] == [noa.user.id]
    )
    assert _names(alone) == [noa.user.name]


async def test_a_screen_that_may_not_see_the_ticket_neither_joins_nor_hears(clients, live_server):
    db = live_server.db
    queue = await f.create_team(db)
    elsewhere = await f.create_team(db)
    noa = await f.create_staff(db, Role.agent, teams=(queue,))
    outsider = await f.create_staff(db, Role.agent, teams=(elsewhere,))
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    first = await clients.browser(noa)
    other = await clients.browser(outsider)

    await first.client.call("watch", {"ticket_id": ticket.id}, namespace=LIVE, timeout=WAIT)
    refused = await other.client.call(
        "watch", {"ticket_id": ticket.id}, namespace=LIVE, timeout=WAIT
    )
    assert refused == {"ok": False, "error": "forbidden"}
    await other.client.emit("typing", {"ticket_id": ticket.id, "typing": True}, namespace=LIVE)
    await first.settle()
    await other.settle()
    seen = [p for n, p in first.heard if n == "ticket.viewers"]
    assert seen
    assert all(_names(p) == [noa.user.name] for p in seen)
    assert "ticket.viewers" not in other.names()
