"""The one automatic answer a new ticket gets: "we have it, its number is N"."""

from __future__ import annotations

from servicedesk.customers.models import Customer
from servicedesk.db import UnitOfWork, utcnow
from servicedesk.enums import Channel, Direction
from servicedesk.intake.models import AutoReply
from servicedesk.sql import DriverSQL
from servicedesk.tickets import service as tickets
from servicedesk.tickets.models import Ticket

KIND = "acknowledgement"

_TEXTS = {
    "he": (
        "שלום {name},\n\n"
        'קיבלנו את פנייתך בנושא "{subject}" ופתחנו עבורה את פנייה מספר {number}.\n'
        "נציג יחזור אלייך בהקדם. כדי להוסיף פרטים, השב/י למכתב זה "
        "והשאר/י את המספר [#{number}] בשורת הנושא.\n\n"
        "תודה,\nצוות השירות"
    ),
    "en": (
        "Hello {name},\n\n"
        'We have received your message about "{subject}" and opened ticket {number} for it.\n'
        "An agent will get back to you soon. To add details, reply to this e-mail "
        "and keep [#{number}] in the subject.\n\n"
        "Thank you,\nThe service team"
    ),
}

# Claims the ticket's one acknowledgement: a second attempt (a retry racing the
# first) finds the row and sends nothing.
_CLAIM = DriverSQL(
    """
    INSERT INTO auto_reply (ticket_id, kind, address, sent_at)
    VALUES (:ticket_id, :kind, :address, :now)
    ON CONFLICT (ticket_id, kind) DO NOTHING
    RETURNING id
    """
)


def acknowledgement_text(language: str, *, name: str, subject: str, number: int) -> str:
    template = _TEXTS.get(language, _TEXTS["en"])
    return template.format(name=name, subject=subject, number=number)


async def acknowledge(uow: UnitOfWork, ticket: Ticket, customer: Customer, address: str) -> bool:
    """Queue the acknowledgement of a new ticket, once; False if it already had one."""
    assert ticket.id is not None
    assert ticket.number is not None
    claimed = await uow.fetchrow(
        _CLAIM, {"ticket_id": ticket.id, "kind": KIND, "address": address, "now": utcnow()}
    )
    if claimed is None:
        return False
    text = acknowledgement_text(
        customer.preferred_language,
        name=customer.name,
        subject=ticket.subject,
        number=ticket.number,
    )
    await tickets.add_message(
        uow,
        ticket,
        tickets.NewMessage(
            channel=Channel.email,
            direction=Direction.outbound,
            body_text=text,
            meta={"auto": KIND, "to": address},
        ),
        deliver=True,
    )
    return True


__all__ = ["KIND", "AutoReply", "acknowledge", "acknowledgement_text"]
