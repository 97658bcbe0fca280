"""/board: the supervisor's live board, for supervisors and admins only, in Hebrew
(right to left) and English, each part a fragment htmx re-fetches on a push."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from servicedesk.db import Actor, utcnow
from servicedesk.enums import OrganizationKind, Role
from servicedesk.reports.board import STATES
from servicedesk.sla_tracking.models import SlaClock
from servicedesk.web.board import duration, percent
from servicedesk.web.i18n import MESSAGES
from servicedesk.web.messages_board import MESSAGES_BOARD
from tests import factories as f

PARTS = ["/board/tiles", "/board/forecast", "/board/closest", "/board/agents"]
HEBREW = re.compile(r"[\u0590-\u05FF]")


async def _person(db, role: Role) -> f.Staff:
    if role == Role.partner:
        org = await f.create_organization(db, OrganizationKind.partner)
        return await f.create_staff(db, role, organization=org)
    return await f.create_staff(db, role)


@pytest.mark.parametrize("role", [Role.supervisor, Role.admin])
async def test_supervisors_and_admins_open_the_board(signed_in, db, role):
    session = await signed_in(await _person(db, role))
    page = await session.get("/board")
    assert page.status_code == 200
    assert 'data-live="1"' in page.text
    assert 'href="/board" aria-current="page"' in page.text
    for url in PARTS:
        part = await session.get(url, htmx=True)
        assert part.status_code == 200, url
        assert "<html" not in part.text, url


@pytest.mark.parametrize("role", [Role.agent, Role.partner])
async def test_agents_and_partners_may_not(signed_in, db, role):
    session = await signed_in(await _person(db, role))
    assert (await session.get("/board")).status_code == 403
    for url in PARTS:
        assert (await session.get(url, htmx=True)).status_code == 403, url
    assert 'href="/board"' not in (await session.get("/tickets")).text


async def test_anonymous_is_sent_to_sign_in(client):
    resp = await client.get("/board")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/login?next=/board"
    assert (await client.get("/board/tiles", headers={"HX-Request": "true"})).status_code == 401


async def test_parts_refresh_on_pushes_and_every_half_minute(signed_in, db):
    session = await signed_in(await _person(db, Role.supervisor))
    html = (await session.get("/board")).text
    triggers = dict(re.findall(r'hx-get="(/board/[a-z]+)"[^>]*hx-trigger="([^"]+)"', html))
    syncs = dict(re.findall(r'hx-get="(/board/[a-z]+)" hx-sync="([^"]+)"', html))
    assert set(triggers) == set(PARTS)
    for url, trigger in triggers.items():
        assert "every 30s" in trigger, url
        # Every push refreshes (no throttle, which would drop the last of a burst);
        # a burst folds into one request in flight and the latest behind it.
        assert "throttle" not in trigger, url
        assert syncs[url] == "this:queue last", url
    assert "live-queue-changed from:body" in triggers["/board/tiles"]
    assert "live-agent-presence from:body" in triggers["/board/forecast"]
    assert "live-sla-breached from:body" in triggers["/board/closest"]
    assert "live-agent-presence from:body" in triggers["/board/agents"]


async def _urgent_ticket(db, queue_name: str, subject: str):
    queue = await f.create_team(db, queue_name)
    ticket = await f.create_ticket(db, await f.create_customer(db), queue=queue, subject=subject)
    now = utcnow()
    due, warn = now + timedelta(minutes=30), now - timedelta(minutes=5)
    async with db.unit_of_work(Actor.system()) as uow:
        uow.session.add(
            SlaClock(
                ticket_id=ticket.id,
                metric="first_response",
                policy_name="Everyone",
                target=timedelta(hours=1),
                state="running",
                started_at=now - timedelta(minutes=30),
                elapsed=timedelta(minutes=30),
                due_at=due,
                warn_at=warn,
                updated_at=now,
            )
        )
        await uow.execute(
            text("UPDATE ticket SET sla_due_at = :due WHERE id = :id"),
            {"due": due, "id": ticket.id},
        )
    return queue, ticket, due, warn


@pytest.mark.parametrize(
    ("language", "direction", "words"),
    [
        ("he", "rtl", ("לוח בקרה לראש הצוות", "התורים כעת", "הקרובות לחריגה", "בסיכון")),
        ("en", "ltr", ("Supervisor board", "Queues now", "Closest to breach", "At risk")),
    ],
    ids=["hebrew", "english"],
)
async def test_the_board_in_both_languages(signed_in, db, language, direction, words):
    queue, ticket, due, warn = await _urgent_ticket(db, "מקררים", "המקרר לא מקרר")
    supervisor = await f.create_staff(db, Role.supervisor, teams=(queue,), language=language)
    session = await signed_in(supervisor)
    html = (await session.get("/board")).text
    assert f'<html lang="{language}" dir="{direction}">' in html
    for word in words:
        assert word in html, word
    assert '<bdi dir="auto">מקררים</bdi>' in html  # user content keeps its own direction
    assert '<bdi dir="auto">המקרר לא מקרר</bdi>' in html
    # drill down: the tile opens the queue's tickets, the list opens the ticket
    assert f'href="/tickets?queue={queue.id}"' in html
    assert f'href="/tickets/{ticket.number}"' in html
    # the ticket header's countdown, amber from the warning (static/app.js)
    assert f'data-due="{due.isoformat()}" data-warn="{warn.isoformat()}"' in html
    assert '<span class="countdown" dir="ltr"></span>' in html


async def test_each_part_alone(signed_in, db):
    queue, ticket, _, _ = await _urgent_ticket(db, "Washers", "Drum is stuck")
    supervisor = await f.create_staff(db, Role.supervisor, teams=(queue,), language="en")
    session = await signed_in(supervisor)
    tiles = (await session.get("/board/tiles", htmx=True)).text
    assert f'data-queue-id="{queue.id}"' in tiles
    assert "has-risk" in tiles  # warned, not yet breached
    forecast = (await session.get("/board/forecast", htmx=True)).text
    assert "target 80% within 20 s" in forecast
    assert "default: no answered calls this week" in forecast
    closest = (await session.get("/board/closest", htmx=True)).text
    assert f"#{ticket.number}" in closest
    assert "First response" in closest
    agents = (await session.get("/board/agents", htmx=True)).text
    assert supervisor.user.name in agents
    assert "Offline" in agents  # no screen connected in this test


def test_every_board_string_in_hebrew_and_english():
    dynamic = {f"board_state_{state}" for state in STATES}
    assert dynamic <= set(MESSAGES_BOARD)
    for key, entry in MESSAGES_BOARD.items():
        assert set(entry) == {"he", "en"}, key
        assert all(entry.values()), key
        assert HEBREW.search(entry["he"]) or key.startswith("board_dur"), key
        assert MESSAGES[key] == entry, key  # merged into the interface strings
    assert not set(MESSAGES_BOARD) & (set(MESSAGES) - set(MESSAGES_BOARD))


# (scenario, seconds, English, Hebrew)
DURATIONS = [
    ("nothing", None, "—", "—"),
    ("seconds", 45, "45 s", "45 שנ׳"),
    ("minutes", 185.4, "3 min 05 s", "3 דק׳ 05 שנ׳"),
    ("hours", 7500, "2 h 05 min", "2 שע׳ 05 דק׳"),
    ("never answered", math.inf, "never", "אין מענה"),
]


@pytest.mark.parametrize(
    ("seconds", "english", "hebrew"), [d[1:] for d in DURATIONS], ids=[d[0] for d in DURATIONS]
)
def test_durations_in_both_languages(seconds, english, hebrew):
    assert duration(seconds, "en") == english
    assert duration(seconds, "he") == hebrew


def test_percentages_never_round_up_to_a_target():
    assert percent(0.79996) == "79.9%"
    assert percent(0.8) == "80.0%"
    assert percent(1.0) == "100.0%"
    assert percent(None) == "—"
