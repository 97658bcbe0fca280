"""STOP, START and HELP: a number that texted STOP is sent no SMS until it texts
START. Recorded on the phone identity (and audited), whoever owns it: a STOP from
a number we have never seen creates its customer, so a later reply cannot slip out."""

from __future__ import annotations

from servicedesk.audit.service import record
from servicedesk.customers import service as customers
from servicedesk.customers.service import IdentityInput
from servicedesk.db import UnitOfWork, utcnow
from servicedesk.enums import IdentityKind
from servicedesk.sql import DriverSQL

_STOP = DriverSQL(
    """
    UPDATE customer_identity SET opted_out_at = :now
    WHERE kind = 'phone' AND value = :number AND opted_out_at IS NULL
    RETURNING customer_id
    """
)
_START = DriverSQL(
    """
    UPDATE customer_identity SET opted_out_at = NULL
    WHERE kind = 'phone' AND value = :number AND opted_out_at IS NOT NULL
    RETURNING customer_id
    """
)
_OPTED_OUT = DriverSQL(
    """
    SELECT opted_out_at FROM customer_identity
    WHERE kind = 'phone' AND value = :number AND opted_out_at IS NOT NULL
    """
)


async def apply_keyword(uow: UnitOfWork, number: str, keyword: str, message_sid: str) -> bool:
    """Record a STOP or START from `number` (E.164); returns whether anything changed
    (a provider's retry of the same text changes nothing). HELP records nothing."""
    if keyword == "help":
        return False
    await customers.resolve_customer(uow, IdentityInput(IdentityKind.phone, number))
    statement = _STOP if keyword == "stop" else _START
    row = await uow.fetchrow(statement, {"number": number, "now": utcnow()})
    if row is None:
        return False
    record(
        uow,
        "customer.sms_opt_out" if keyword == "stop" else "customer.sms_opt_in",
        "customer",
        int(row["customer_id"]),
        after={"number": number, "message_sid": message_sid},
    )
    return True


async def opted_out(uow: UnitOfWork, number: str) -> bool:
    return await uow.fetchrow(_OPTED_OUT, {"number": number}) is not None
