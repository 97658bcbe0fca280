"""Hebrew (right to left) and English screens; every interface string in both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from servicedesk.channels.voice.models import CallOutcome, CallState
from servicedesk.enums import Channel, IdentityKind, Priority, Role, TicketStatus, Tier
from servicedesk.web.i18n import LANGUAGES, MESSAGES
from servicedesk.web.templating import TEMPLATES_DIR
from tests import factories as f


def _template_keys() -> set[str]:
    keys: set[str] = set()
    for path in Path(TEMPLATES_DIR).rglob("*.html"):
        keys.update(re.findall(r"\bt\('([a-z_]+)'\)", path.read_text()))
        keys.update(re.findall(r"\bt\('([a-z_]+)',", path.read_text()))
    return keys


def test_every_interface_string_exists_in_hebrew_and_english():
    dynamic = (
        [s.value for s in TicketStatus]
        + [p.value for p in Priority]
        + [f"channel_{c.value}" for c in Channel]
        + [f"tier_{t.value}" for t in Tier]
        + [f"role_{r.value}" for r in Role]
        + [f"identity_{i.value}" for i in IdentityKind]
        + [f"lang_{code}" for code in LANGUAGES]
        + [f"msg_{k}" for k in ("in", "out", "note")]
        + [f"call_{s.value}" for s in (*CallState, *CallOutcome)]
        + [f"caller_{s}" for s in ("queued", "connecting")]
    )
    keys = _template_keys() | set(dynamic)
    assert len(keys) > 100
    for key in sorted(keys):
        assert key in MESSAGES, key
        assert set(MESSAGES[key]) == {"he", "en"}, key
        assert all(MESSAGES[key].values()), key


@pytest.mark.parametrize(
    ("language", "direction"), [("he", "rtl"), ("en", "ltr")], ids=["hebrew", "english"]
)
async def test_screens_follow_the_users_language(signed_in, db, language, direction):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,), language=language)
    customer = await f.create_customer(db)
    ticket = await f.create_ticket(db, customer, queue=queue)
    session = await signed_in(agent)
    for url in ("/tickets", f"/tickets/{ticket.number}", f"/customers/{customer.id}"):
        html = (await session.get(url)).text
        assert f'<html lang="{language}" dir="{direction}">' in html, url
    page = (await session.get(f"/tickets/{ticket.number}")).text
    expected = {"he": "תשובה ללקוח", "en": "Reply to customer"}[language]
    assert expected in page


async def test_hebrew_ticket_screen(signed_in, db):
    queue = await f.create_team(db, "מקררים")
    agent = await f.create_staff(db, Role.agent, teams=(queue,), language="he")
    customer = await f.create_customer(db, name="נועה כהן")
    ticket = await f.create_ticket(db, customer, queue=queue, subject="המקרר לא מקרר")
    session = await signed_in(agent)
    html = (await session.get(f"/tickets/{ticket.number}")).text
    assert 'dir="rtl"' in html
    for text in ("מאפייני הפנייה", "הערה פנימית", "שליחה", "חדשה", "מקררים", "נועה כהן"):
        assert text in html, text
    assert '<bdi dir="auto">המקרר לא מקרר</bdi>' in html  # user content keeps its own direction


async def test_language_switch_overrides_the_users_setting(signed_in, db):
    agent = await f.create_staff(db, Role.agent, language="he")
    session = await signed_in(agent)
    resp = await session.client.get(
        "/lang/en", headers={"referer": "http://testserver/customers?q=levi"}
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == "/customers?q=levi"
    html = (await session.get("/customers")).text
    assert '<html lang="en" dir="ltr">' in html
