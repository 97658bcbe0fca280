"""Signing in and out: the session cookie, the throttle and CSRF on the login forms."""

from __future__ import annotations

from servicedesk.enums import Role
from tests import factories as f
from tests.web.conftest import csrf_of, sign_in


async def _login_attempt(client, email: str, password: str):
    page = await client.get("/login")
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.text)}
    )


async def test_login_with_right_password_opens_the_queue(client, db):
    agent = await f.create_staff(db, Role.agent)
    resp = await _login_attempt(client, agent.user.email.upper(), f.PASSWORD)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/tickets"
    page = await client.get("/tickets")
    assert page.status_code == 200
    assert agent.user.name in page.text


async def test_login_with_wrong_password_is_refused_without_saying_which_part(client, db):
    agent = await f.create_staff(db, Role.agent)
    wrong_password = await _login_attempt(client, agent.user.email, "not the password")
    unknown_user = await _login_attempt(client, "nobody@desk.example", f.PASSWORD)
    for resp in (wrong_password, unknown_user):
        assert resp.status_code == 401
        assert "דוא״ל או סיסמה שגויים." in resp.text  # the desk speaks Hebrew by default
    assert (await client.get("/tickets")).status_code == 303  # still signed out


async def test_login_returns_to_the_page_asked_for_but_never_off_site(client, db):
    agent = await f.create_staff(db, Role.agent)
    gate = await client.get("/customers")
    assert gate.status_code == 303
    assert gate.headers["location"] == "/login?next=/customers"
    page = await client.get("/login?next=/customers")
    resp = await client.post(
        "/login",
        data={
            "email": agent.user.email,
            "password": f.PASSWORD,
            "next": "//evil.example/phish",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert resp.headers["location"] == "/tickets"


async def test_too_many_failures_block_even_the_right_password(client, db, settings):
    agent = await f.create_staff(db, Role.agent)
    for _ in range(settings.login_attempts):
        assert (await _login_attempt(client, agent.user.email, "guess")).status_code == 401
    blocked = await _login_attempt(client, agent.user.email, f.PASSWORD)
    assert blocked.status_code == 429
    assert "יותר מדי ניסיונות כושלים" in blocked.text
    assert (await client.get("/tickets")).status_code == 303


async def test_session_cookie_is_httponly_and_samesite_lax(client, db):
    agent = await f.create_staff(db, Role.agent)
    resp = await _login_attempt(client, agent.user.email, f.PASSWORD)
    cookies = [v for k, v in resp.headers.multi_items() if k == "set-cookie"]
    session = next(c for c in cookies if c.startswith("sd_session="))
    attributes = {part.strip().lower() for part in session.split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes


async def test_login_rotates_the_csrf_token(client, db):
    agent = await f.create_staff(db, Role.agent)
    before = csrf_of((await client.get("/login")).text)
    after = await sign_in(client, agent.user.email)
    assert before != after


async def test_login_form_without_csrf_token_is_refused(client, db):
    agent = await f.create_staff(db, Role.agent)
    await client.get("/login")
    resp = await client.post("/login", data={"email": agent.user.email, "password": f.PASSWORD})
    assert resp.status_code == 403
    assert (await client.get("/tickets")).status_code == 303


async def test_logout_requires_the_csrf_token(client, db):
    agent = await f.create_staff(db, Role.agent)
    token = await sign_in(client, agent.user.email)
    refused = await client.post("/logout")
    assert refused.status_code == 403
    assert (await client.get("/tickets")).status_code == 200  # still signed in
    forged = await client.post("/logout", data={"csrf_token": "x" + token})
    assert forged.status_code == 403
    done = await client.post("/logout", data={"csrf_token": token})
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert (await client.get("/tickets")).status_code == 303


async def test_htmx_request_without_session_gets_401_not_a_redirect(client):
    resp = await client.get("/tickets", headers={"HX-Request": "true"})
    assert resp.status_code == 401
