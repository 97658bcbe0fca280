"""Building a routing world: a queue, agents with open screens, waiting tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from servicedesk.db import Actor, Database, utcnow
from servicedesk.enums import Channel, Priority, Role, Tier
from servicedesk.routing import presence
from servicedesk.routing.dispatch import Capacity
from servicedesk.staff.models import Team
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket
from tests import factories as f

CAPACITY = Capacity(voice=1, chat=2, email=3)


@dataclass
class World:
    queue: Team
    agents: list[f.Staff]
    start: datetime

    @property
    def queue_id(self) -> int:
        assert self.queue.id is not None
        return self.queue.id


async def world(db: Database, agents: int = 2, *, email_mode: str = "pull") -> World:
    queue = await f.create_team(db)
    staff = [await f.create_staff(db, Role.agent, teams=(queue,)) for _ in range(agents)]
    start = utcnow()
    # Each agent opens a screen a second after the previous: the first is idle longest.
    for n, agent in enumerate(staff):
        await connect(db, agent, start + timedelta(seconds=n))
    async with db.unit_of_work(Actor.system()) as uow:
        await uow.execute(
            text("UPDATE team SET email_mode = :mode WHERE id = :id"),
            {"mode": email_mode, "id": queue.id},
        )
    return World(queue, staff, start + timedelta(seconds=agents))


async def connect(db: Database, agent: f.Staff, at: datetime) -> None:
    assert agent.user.id is not None
    async with db.unit_of_work(Actor.system()) as uow:
        await presence.connected(
            uow, sid=f"screen-{agent.user.id}", user_id=agent.user.id, node="tests", now=at
        )


async def waiting(
    db: Database,
    queue: Team,
    *,
    channel: Channel = Channel.voice,
    priority: Priority = Priority.normal,
    tier: Tier = Tier.standard,
    language: str = "he",
) -> Ticket:
    customer = await f.create_customer(db, tier=tier)
    if language != "he":
        async with db.unit_of_work(Actor.system()) as uow:
            await uow.execute(
                text("UPDATE customer SET preferred_language = :l WHERE id = :id"),
                {"l": language, "id": customer.id},
            )
    ticket = await f.create_ticket(db, customer, queue=queue, channel=channel)
    if priority != Priority.normal:
        async with db.unit_of_work(Actor.system()) as uow:
            held = await uow.session.get(Ticket, ticket.id)
            assert held is not None
            ticket = await tickets.update_ticket(
                uow, held, tickets.TicketChanges(priority=priority)
            )
    return ticket


async def entries(db: Database, queue_id: int) -> list[dict[str, object]]:
    async with db.unit_of_work(Actor.system()) as uow:
        rows = await uow.execute(
            text(
                "SELECT * FROM routing_entry WHERE queue_id = :q "
                "ORDER BY boosted DESC, priority_rank DESC, due_at ASC NULLS LAST, "
                "waiting_since, ticket_id"
            ),
            {"q": queue_id},
        )
        return [dict(r._mapping) for r in rows]


async def offers(db: Database) -> list[dict[str, object]]:
    async with db.unit_of_work(Actor.system()) as uow:
        rows = await uow.execute(text("SELECT * FROM routing_offer ORDER BY id"))
        return [dict(r._mapping) for r in rows]


async def status(db: Database, agent: f.Staff) -> tuple[str, str]:
    async with db.unit_of_work(Actor.system()) as uow:
        row = (
            await uow.execute(
                text("SELECT status, reason FROM agent_presence WHERE user_id = :u"),
                {"u": agent.user.id},
            )
        ).one()
    return row.status, row.reason
