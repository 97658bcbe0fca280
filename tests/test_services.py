"""Services validate their input themselves, whichever edge (API, page, CLI) calls them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicedesk.db import Actor
from servicedesk.enums import Role
from servicedesk.errors import InvalidInput
from servicedesk.products import service as products
from servicedesk.staff import service as staff
from tests import factories as f


async def test_user_with_an_unknown_queue_is_refused(db):
    async with db.unit_of_work(Actor.system()) as uow:
        with pytest.raises(InvalidInput) as exc:
            await staff.create_user(
                uow, email="q@desk.example", name="Q", role=Role.agent, password=None,
                team_ids=(987654,),
            )  # fmt: skip
    assert exc.value.fields == {"team_ids": "987654"}


async def test_staff_cannot_belong_to_an_organisation(db):
    org = await f.create_organization(db)
    async with db.unit_of_work(Actor.system()) as uow:
        with pytest.raises(InvalidInput) as exc:
            await staff.create_user(
                uow, email="o@desk.example", name="O", role=Role.agent, password=None,
                organization_id=org.id,
            )  # fmt: skip
    assert "organization_id" in exc.value.fields


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sku": "  ", "name": "Fridge"}, "sku"),
        ({"sku": "F-1", "name": " "}, "name"),
        ({"sku": "F-1", "name": "Fridge", "price": Decimal("-1")}, "price"),
        ({"sku": "F-1", "name": "Fridge", "warranty_months": -3}, "warranty_months"),
        ({"sku": "F-1", "name": "Fridge", "warranty_months": 241}, "warranty_months"),
    ],
)
async def test_product_fields_are_checked(db, kwargs, field):
    async with db.unit_of_work(Actor.system()) as uow:
        with pytest.raises(InvalidInput) as exc:
            await products.create_product(uow, **kwargs)
    assert field in exc.value.fields


async def test_a_new_ticket_can_be_changed_in_the_same_unit_of_work(db):
    from servicedesk.enums import Channel, Direction, TicketStatus
    from servicedesk.tickets import service as tickets
    from servicedesk.tickets.models import Ticket

    customer = await f.create_customer(db)
    async with db.unit_of_work(Actor.system()) as uow:
        ticket, message = await tickets.create_ticket(
            uow,
            subject="Opened and solved on the phone",
            customer=customer,
            first=tickets.NewMessage(Channel.voice, Direction.inbound, "Reset fixed it"),
        )
        await tickets.update_ticket(uow, ticket, tickets.TicketChanges(status=TicketStatus.solved))
        assert await uow.session.get(Ticket, ticket.id) is ticket  # no second copy
    async with db.read_session() as s:
        stored = await s.get(Ticket, ticket.id)
        assert stored is not None
        assert stored.status == TicketStatus.solved
        assert stored.version == 2
