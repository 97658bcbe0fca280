"""Admin → Routing: supervisors and admins set how queues route (offer timeout,
e-mail pushed or pulled, tiers served first, overflow, service level), the skills
the desk knows and each agent's skills and capacity; the router then uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlmodel import col

from servicedesk.audit.models import AuditEvent
from servicedesk.db import Actor, Database
from servicedesk.enums import Role, Tier
from servicedesk.errors import InvalidInput
from servicedesk.events import QueueChanged
from servicedesk.products import service as products
from servicedesk.routing import settings as routing_settings
from servicedesk.routing.dispatch import Capacity, has_room
from servicedesk.routing.models import AgentCapacity, WorkClass
from servicedesk.staff.models import Skill, Team, UserSkill
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from tests import factories as f

DESK = Capacity(voice=1, chat=3, email=8)


def settings_form(**changes: object) -> dict[str, object]:
    """A queue routing form as the page submits it, with the defaults in force."""
    form: dict[str, object] = {
        "offer_timeout_seconds": "20",
        "email_mode": "pull",
        "boost_tiers": ["gold", "platinum"],
        "overflow_team_id": "",
        "overflow_after": "",
        "service_level_percent": "80",
        "service_level_seconds": "20",
        "capacity_voice": "",
        "capacity_chat": "",
        "capacity_email": "",
    }
    form.update(changes)
    return form


async def _one(db: Database, stmt):
    async with db.read_session() as session:
        return await session.scalar(stmt)


async def _all(db: Database, stmt) -> list:
    async with db.read_session() as session:
        return list(await session.scalars(stmt))


async def _team(db: Database, team_id: int | None) -> Team:
    team = await _one(db, select(Team).where(col(Team.id) == team_id))
    assert team is not None
    return team


async def _entries(db: Database, queue_id: int | None) -> list[dict[str, object]]:
    async with db.read_session() as session:
        rows = await session.execute(
            text(
                "SELECT ticket_id, boosted, required_skills FROM routing_entry WHERE queue_id = :q"
                " ORDER BY boosted DESC, priority_rank DESC, due_at ASC NULLS LAST,"
                " waiting_since, ticket_id"
            ),
            {"q": queue_id},
        )
        return [dict(r._mapping) for r in rows]


async def _room(db: Database, user_id: int | None, queue_id: int | None, wc: WorkClass) -> bool:
    assert user_id is not None
    assert queue_id is not None
    async with db.unit_of_work(Actor.system()) as uow:
        return await has_room(uow, user_id, queue_id, wc, DESK)


async def test_a_supervisor_sets_a_queues_routing(signed_in, db):
    washers = await f.create_team(db, "Washers")
    fridges = await f.create_team(db, "Fridges")
    supervisor = await f.create_staff(db, Role.supervisor)
    session = await signed_in(supervisor)
    overview = await session.get("/admin/routing")
    assert overview.status_code == 200
    assert f'href="/admin/queues/{washers.id}/routing"' in overview.text
    form = await session.get(f"/admin/queues/{washers.id}/routing")
    assert form.status_code == 200
    assert 'name="offer_timeout_seconds"' in form.text
    assert 'value="20"' in form.text

    resp = await session.post(
        f"/admin/queues/{washers.id}/routing",
        settings_form(
            offer_timeout_seconds="45",
            email_mode="push",
            boost_tiers=["platinum"],
            overflow_team_id=str(fridges.id),
            overflow_after="10",
            service_level_percent="90",
            service_level_seconds="30",
        ),
    )

    assert resp.status_code == 303
    assert resp.headers["location"] == "/admin/routing?saved=Washers"
    team = await _team(db, washers.id)
    assert (team.offer_timeout_seconds, team.email_mode, team.boost_tiers) == (
        45,
        "push",
        ["platinum"],
    )
    assert (team.overflow_team_id, team.overflow_after_seconds) == (fridges.id, 600)
    assert (team.service_level_percent, team.service_level_seconds) == (90, 30)
    audit = await _one(db, select(AuditEvent).where(AuditEvent.action == "team.routing_changed"))
    assert (audit.actor_user_id, audit.entity_type, audit.entity_id) == (
        supervisor.user.id,
        "team",
        washers.id,
    )
    assert audit.before["offer_timeout_seconds"] == 20
    assert audit.after["boost_tiers"] == ["platinum"]
    assert audit.after["overflow_after_seconds"] == 600
    listing = await session.get(resp.headers["location"])
    assert "Routing of Washers saved." in listing.text
    assert "to Fridges after 10 min" in listing.text
    assert "90% within 30 s" in listing.text

    # Saved again unchanged: nothing to audit. Overflow taken away: the wait goes with it.
    same = await session.post(
        f"/admin/queues/{washers.id}/routing",
        settings_form(
            offer_timeout_seconds="45",
            email_mode="push",
            boost_tiers=["platinum"],
            overflow_team_id=str(fridges.id),
            overflow_after="10",
            service_level_percent="90",
            service_level_seconds="30",
        ),
    )
    assert same.status_code == 303
    changes = select(AuditEvent).where(AuditEvent.action == "team.routing_changed")
    assert len(await _all(db, changes)) == 1
    await session.post(f"/admin/queues/{washers.id}/routing", settings_form(overflow_after="10"))
    team = await _team(db, washers.id)
    assert (team.overflow_team_id, team.overflow_after_seconds) == (None, None)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"offer_timeout_seconds": "0"}, "offer_timeout_seconds", "Out of range."),
        ({"offer_timeout_seconds": "301"}, "offer_timeout_seconds", "Out of range."),
        ({"offer_timeout_seconds": ""}, "offer_timeout_seconds", "Required."),
        ({"email_mode": "shout"}, "email_mode", "Not one of the choices."),
        ({"boost_tiers": ["gold", "diamond"]}, "boost_tiers", "Not one of the choices."),
        (
            {"overflow_team_id": "OTHER", "overflow_after": ""},
            "overflow_after",
            "Required when work overflows to another queue.",
        ),
        (
            {"overflow_team_id": "OTHER", "overflow_after": "0"},
            "overflow_after",
            "Out of range.",
        ),
        (
            {"overflow_team_id": "SELF", "overflow_after": "5"},
            "overflow_team_id",
            "A queue cannot overflow to itself.",
        ),
        (
            {"overflow_team_id": "999999", "overflow_after": "5"},
            "overflow_team_id",
            "Not one of the choices.",
        ),
        ({"service_level_percent": "101"}, "service_level_percent", "Out of range."),
        ({"service_level_seconds": "soon"}, "service_level_seconds", "Not a number."),
        ({"capacity_voice": "2"}, "capacity_voice", "Out of range."),
        ({"capacity_chat": "-1"}, "capacity_chat", "Out of range."),
    ],
)
async def test_invalid_queue_routing_is_422_with_the_message(
    signed_in, db, changes, field, message
):
    queue = await f.create_team(db, "Dryers")
    other = await f.create_team(db, "Ovens")
    session = await signed_in(await f.create_staff(db, Role.admin))
    ids = {"OTHER": str(other.id), "SELF": str(queue.id)}
    submitted = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    # A second problem in the same form is reported together with the first.
    submitted.setdefault("service_level_seconds", "0")

    resp = await session.post(f"/admin/queues/{queue.id}/routing", settings_form(**submitted))

    assert resp.status_code == 422
    assert "Please correct the marked fields." in resp.text
    assert f'class="field-error" id="{field}-error">{message}<' in resp.text
    if field != "service_level_seconds":
        assert 'id="service_level_seconds-error">Out of range.<' in resp.text
    team = await _team(db, queue.id)
    assert (team.offer_timeout_seconds, team.email_mode, team.overflow_team_id) == (
        20,
        "pull",
        None,
    )
    assert await _one(db, select(AuditEvent).where(AuditEvent.action.like("%routing%"))) is None


async def test_the_refused_form_keeps_what_was_typed(signed_in, db):
    queue = await f.create_team(db)
    other = await f.create_team(db, "Overflow here")
    session = await signed_in(await f.create_staff(db, Role.supervisor, language="he"))
    resp = await session.post(
        f"/admin/queues/{queue.id}/routing",
        settings_form(
            offer_timeout_seconds="0",
            email_mode="push",
            boost_tiers=["silver"],
            overflow_team_id=str(other.id),
            capacity_chat="4",
        ),
    )
    assert resp.status_code == 422
    assert 'dir="rtl"' in resp.text
    assert "חובה כשהעבודה גולשת לתור אחר." in resp.text  # the overflow wait, in Hebrew
    assert 'name="offer_timeout_seconds" type="number" min="5" max="300" value="0"' in resp.text
    assert 'value="push" checked' in resp.text
    assert 'value="silver" checked' in resp.text
    assert 'value="gold" checked' not in resp.text
    assert f'value="{other.id}" selected' in resp.text
    assert 'name="capacity_chat" type="number" min="0" max="20" value="4"' in resp.text


async def test_an_unknown_queue_or_agent_is_404(signed_in, db):
    admin = await f.create_staff(db, Role.admin)
    session = await signed_in(admin)
    assert (await session.get("/admin/queues/999999/routing")).status_code == 404
    assert (await session.post("/admin/queues/999999/routing", settings_form())).status_code == 404
    assert (await session.get(f"/admin/queues/{2**40}/routing")).status_code == 404
    assert (await session.get("/admin/users/999999/routing")).status_code == 404
    # Admins are not offered work: no skills or capacity for them.
    assert (await session.get(f"/admin/users/{admin.user.id}/routing")).status_code == 404


async def test_agents_may_not_configure_routing(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    session = await signed_in(agent)
    assert (await session.get("/admin/routing")).status_code == 403
    assert (await session.get(f"/admin/queues/{queue.id}/routing")).status_code == 403
    denied = await session.post(
        f"/admin/queues/{queue.id}/routing", settings_form(offer_timeout_seconds="60")
    )
    assert denied.status_code == 403
    assert (
        await session.post("/admin/routing/skills", {"name": "he", "kind": "language"})
    ).status_code == 403
    assert (
        await session.post(f"/admin/users/{agent.user.id}/routing", {"capacity_chat": "9"})
    ).status_code == 403
    assert (await _team(db, queue.id)).offer_timeout_seconds == 20
    assert await _all(db, select(Skill)) == []
    assert await _all(db, select(AgentCapacity)) == []


async def test_supervisors_see_routing_but_not_the_rest_of_admin(signed_in, db):
    supervisor = await signed_in(await f.create_staff(db, Role.supervisor))
    page = await supervisor.get("/admin/routing")
    assert 'href="/admin/routing" aria-current="page"' in page.text
    assert 'href="/admin/users"' not in page.text
    assert 'href="/admin/sla"' not in page.text
    assert (await supervisor.get("/admin/queues")).status_code == 403
    admin = await signed_in(await f.create_staff(db, Role.admin))
    page = await admin.get("/admin/routing")
    for link in ("/admin/users", "/admin/queues", "/admin/routing", "/admin/sla"):
        assert f'href="{link}"' in page.text
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    assert f'href="/admin/queues/{queue.id}/routing"' in (await admin.get("/admin/queues")).text
    assert f'href="/admin/users/{agent.user.id}/routing"' in (await admin.get("/admin/users")).text


async def test_tiers_served_first_reorder_the_queues_waiting_work(signed_in, db):
    queue = await f.create_team(db)
    standard = await f.create_ticket(db, await f.create_customer(db), queue=queue)
    gold = await f.create_ticket(db, await f.create_customer(db, tier=Tier.gold), queue=queue)
    before = await _entries(db, queue.id)
    assert [(e["ticket_id"], e["boosted"]) for e in before] == [
        (gold.id, True),
        (standard.id, False),
    ]
    told: list[int] = []

    async def heard(uow, event: QueueChanged) -> None:
        told.append(event.queue_id)

    db.bus.subscribe(QueueChanged, heard)
    session = await signed_in(await f.create_staff(db, Role.supervisor))

    resp = await session.post(
        f"/admin/queues/{queue.id}/routing", settings_form(boost_tiers=["platinum"])
    )

    assert resp.status_code == 303
    after = await _entries(db, queue.id)
    assert [(e["ticket_id"], e["boosted"]) for e in after] == [
        (standard.id, False),
        (gold.id, False),
    ]
    assert queue.id in told
    told.clear()
    await session.post(f"/admin/queues/{queue.id}/routing", settings_form(boost_tiers=["gold"]))
    assert [e["ticket_id"] for e in await _entries(db, queue.id) if e["boosted"]] == [gold.id]
    assert queue.id in told


async def test_a_skill_is_defined_and_given_to_an_agent(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    russian = await f.create_customer(db)
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text("UPDATE customer SET preferred_language = 'ru' WHERE id = :id"), {"id": russian.id}
        )
    waiting = await f.create_ticket(db, russian, queue=queue)
    assert [e["required_skills"] for e in await _entries(db, queue.id)] == [[]]
    async with db.unit_of_work(Actor.system()) as uow:
        await products.create_product(uow, sku="WM-1", name="Washer", category="Washing machines")
    session = await signed_in(await f.create_staff(db, Role.supervisor))
    page = await session.get("/admin/routing")
    assert '<option value="Washing machines"' in page.text  # product lines are suggested
    assert '<option value="ru"' in page.text

    resp = await session.post("/admin/routing/skills", {"name": " RU ", "kind": "language"})

    assert resp.status_code == 303
    skill = await _one(db, select(Skill).where(Skill.name == "ru"))
    assert skill is not None
    assert skill.kind == "language"
    audit = await _one(db, select(AuditEvent).where(AuditEvent.action == "skill.created"))
    assert audit.after == {"name": "ru", "kind": "language"}
    # The Russian speaker's waiting ticket now needs the skill.
    entry = (await _entries(db, queue.id))[0]
    assert (entry["ticket_id"], entry["required_skills"]) == (waiting.id, [skill.id])

    form = await session.get(f"/admin/users/{agent.user.id}/routing")
    assert form.status_code == 200
    assert f'name="skill_{skill.id}"' in form.text
    given = await session.post(f"/admin/users/{agent.user.id}/routing", {f"skill_{skill.id}": "4"})
    assert given.status_code == 303
    held = await _all(db, select(UserSkill).where(UserSkill.user_id == agent.user.id))
    assert [(s.skill_id, s.level) for s in held] == [(skill.id, 4)]
    audit = await _one(db, select(AuditEvent).where(AuditEvent.action == "user.skills_changed"))
    assert (audit.before, audit.after) == ({"skills": {}}, {"skills": {"ru": 4}})
    overview = (await session.get("/admin/routing")).text
    assert '<bdi dir="auto">ru</bdi> 4' in overview

    # A form without the skill's field (it was defined after the page loaded) keeps it.
    assert (await session.post(f"/admin/users/{agent.user.id}/routing", {})).status_code == 303
    held = await _all(db, select(UserSkill).where(UserSkill.user_id == agent.user.id))
    assert [(s.skill_id, s.level) for s in held] == [(skill.id, 4)]

    bad = await session.post(f"/admin/users/{agent.user.id}/routing", {f"skill_{skill.id}": "6"})
    assert bad.status_code == 422
    assert f'id="skill_{skill.id}-error">Out of range.<' in bad.text
    removed = await session.post(f"/admin/users/{agent.user.id}/routing", {f"skill_{skill.id}": ""})
    assert removed.status_code == 303
    assert await _all(db, select(UserSkill).where(UserSkill.user_id == agent.user.id)) == []


@pytest.mark.parametrize(
    ("form", "status", "field", "message"),
    [
        (
            {"name": "Russian", "kind": "language"},
            422,
            "name",
            "A language code of two or three letters, such as he or en.",
        ),
        ({"name": "", "kind": "other"}, 422, "name", "Required."),
        ({"name": "he", "kind": "dialect"}, 422, "kind", "Not one of the choices."),
        ({"name": "he", "kind": "language"}, 409, "name", "Already in use."),
    ],
)
async def test_a_bad_skill_is_refused_in_place(signed_in, db, form, status, field, message):
    session = await signed_in(await f.create_staff(db, Role.admin))
    assert (
        await session.post("/admin/routing/skills", {"name": "he", "kind": "language"})
    ).status_code == 303
    resp = await session.post("/admin/routing/skills", form)
    assert resp.status_code == status
    assert f'class="field-error" id="{field}-error">{message}<' in resp.text
    assert len(await _all(db, select(Skill))) == 1


async def test_capacity_per_queue_and_per_agent_is_what_routing_counts(signed_in, db):
    queue = await f.create_team(db)
    agent = await f.create_staff(db, Role.agent, teams=(queue,))
    customer = await f.create_customer(db)
    mail = await f.create_ticket(db, customer, queue=queue)
    async with db.unit_of_work(Actor.system()) as uow:
        held = await uow.session.get(Ticket, mail.id)
        assert held is not None
        await tickets.update_ticket(
            uow, held, tickets.TicketChanges(assignee_id=agent.user.id, set_assignee=True)
        )
    session = await signed_in(await f.create_staff(db, Role.supervisor))
    user_id, queue_id = agent.user.id, queue.id
    # Nothing set: the desk's defaults (one call, eight written).
    assert await _room(db, user_id, queue_id, WorkClass.voice)
    assert await _room(db, user_id, queue_id, WorkClass.email)

    await session.post(
        f"/admin/queues/{queue_id}/routing",
        settings_form(capacity_voice="0", capacity_chat="2", capacity_email="1"),
    )
    rows = await _all(db, select(AgentCapacity).where(AgentCapacity.team_id == queue_id))
    assert sorted((r.work_class.value, r.slots, r.user_id) for r in rows) == [
        ("chat", 2, None),
        ("email", 1, None),
        ("voice", 0, None),
    ]
    assert not await _room(db, user_id, queue_id, WorkClass.voice)  # the queue takes no calls
    assert not await _room(db, user_id, queue_id, WorkClass.email)  # one written, one held

    resp = await session.post(
        f"/admin/users/{user_id}/routing", {"capacity_voice": "1", "capacity_email": "3"}
    )
    assert resp.status_code == 303
    rows = await _all(db, select(AgentCapacity).where(AgentCapacity.user_id == user_id))
    assert sorted((r.work_class.value, r.slots) for r in rows) == [("email", 3), ("voice", 1)]
    assert await _room(db, user_id, queue_id, WorkClass.voice)  # the agent's own goes first
    assert await _room(db, user_id, queue_id, WorkClass.email)
    audit = await _all(
        db,
        select(AuditEvent)
        .where(AuditEvent.action == "capacity.changed")
        .order_by(col(AuditEvent.id)),
    )
    assert [(a.entity_type, a.after) for a in audit] == [
        ("team", {"voice": 0, "chat": 2, "email": 1}),
        ("user", {"voice": 1, "email": 3}),
    ]
    page = await session.get(f"/admin/users/{user_id}/routing")
    assert 'name="capacity_email" type="number" min="0" max="100" value="3"' in page.text

    # Emptied fields remove the rows: the queue's, then the desk's defaults apply again.
    await session.post(
        f"/admin/users/{user_id}/routing", {"capacity_voice": "", "capacity_email": ""}
    )
    assert await _all(db, select(AgentCapacity).where(AgentCapacity.user_id == user_id)) == []
    assert not await _room(db, user_id, queue_id, WorkClass.email)
    await session.post(f"/admin/queues/{queue_id}/routing", settings_form())
    assert await _all(db, select(AgentCapacity)) == []
    assert await _room(db, user_id, queue_id, WorkClass.voice)
    assert await _room(db, user_id, queue_id, WorkClass.email)


async def test_the_settings_service_refuses_what_the_form_would(db):
    """Callers other than the page (API, CLI) get the same rules from the service."""
    queue = await f.create_team(db)
    assert queue.id is not None
    async with db.unit_of_work(Actor.system()) as uow:
        with pytest.raises(InvalidInput) as refused:
            await routing_settings.set_queue_routing(
                uow,
                queue.id,
                routing_settings.QueueRouting(
                    offer_timeout_seconds=4, overflow_after=timedelta(minutes=5)
                ),
            )
        assert refused.value.fields == {
            "offer_timeout_seconds": "out_of_range",
            "overflow_team_id": "routing_overflow_queue_required",
        }
        with pytest.raises(InvalidInput):
            await routing_settings.set_capacity(uow, {WorkClass.chat: 21}, team_id=queue.id)
