"""Admin: SLA policies are edited as the same TOML file the CLI loads; a bad file
changes nothing and says where it is wrong; a good one is put in force and the
open tickets' recomputation is queued for the worker."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text
from sqlmodel import col

from servicedesk.enums import Role
from servicedesk.sla_tracking.models import SlaPolicySet
from tests import factories as f

EXAMPLE = (Path(__file__).parents[2] / "servicedesk" / "demo" / "sla.toml").read_text()


async def _active(db) -> str | None:
    async with db.read_session() as session:
        return await session.scalar(select(SlaPolicySet.version).where(col(SlaPolicySet.active)))


async def _recompute_jobs(db) -> int:
    async with db.read_session() as session:
        return await session.scalar(
            select(func.count())
            .select_from(text("procrastinate_jobs"))
            .where(text("task_name = 'sla:recompute_open'"))
        )


async def test_an_admin_puts_a_policy_file_in_force(signed_in, db):
    admin = await signed_in(await f.create_staff(db, Role.admin))
    empty = await admin.get("/admin/sla")
    assert empty.status_code == 200
    assert "No SLA policies are loaded" in empty.text
    saved = await admin.post("/admin/sla", {"source": EXAMPLE})
    assert saved.status_code == 303
    version = await _active(db)
    assert saved.headers["location"] == f"/admin/sla?loaded={version}"
    page = (await admin.get(saved.headers["location"])).text
    assert "Gold, active warranty" in page
    assert "Asia/Jerusalem" in page
    assert await _recompute_jobs(db) == 1
    # The same file again is the same version: nothing to recompute.
    await admin.post("/admin/sla", {"source": EXAMPLE})
    assert await _recompute_jobs(db) == 1


async def test_a_bad_file_is_shown_with_its_place_and_changes_nothing(signed_in, db):
    admin = await signed_in(await f.create_staff(db, Role.admin))
    await admin.post("/admin/sla", {"source": EXAMPLE})
    before = await _active(db)
    bad = EXAMPLE.replace('first_response = "1h"', 'first_response = "1x"', 1)
    resp = await admin.post("/admin/sla", {"source": bad})
    assert resp.status_code == 422
    assert (
        'id="source-error">policies[1] (&#34;US desk&#34;): targets.urgent.first_response: '
        "&#34;1x&#34; is not a duration"
    ) in resp.text
    assert "1x" in resp.text  # the submitted text is kept for correcting
    assert await _active(db) == before
    empty = await admin.post("/admin/sla", {"source": "  "})
    assert empty.status_code == 422


async def test_only_admins_see_or_change_sla_policies(signed_in, db):
    supervisor = await signed_in(await f.create_staff(db, Role.supervisor))
    assert (await supervisor.get("/admin/sla")).status_code == 403
    assert (await supervisor.post("/admin/sla", {"source": EXAMPLE})).status_code == 403
    assert await _active(db) is None
