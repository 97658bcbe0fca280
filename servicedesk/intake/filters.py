"""Which inbound messages the desk must not answer, or not file at all."""

from __future__ import annotations

from datetime import timedelta
from email.utils import getaddresses
from functools import lru_cache

from servicedesk.db import UnitOfWork, utcnow
from servicedesk.settings import Settings
from servicedesk.sql import DriverSQL

_RECENT_AUTO_REPLIES = DriverSQL(
    "SELECT count(*) AS n FROM auto_reply WHERE address = :address AND sent_at > :since"
)


@lru_cache(maxsize=8)
def _addresses(mail_from: str, extra: tuple[str, ...]) -> frozenset[str]:
    pairs = getaddresses([mail_from, *extra])
    return frozenset(address.strip().lower() for _, address in pairs if "@" in address)


def desk_addresses(settings: Settings) -> frozenset[str]:
    """The desk's own addresses: mail from them is our own, come back round."""
    return _addresses(settings.mail_from, settings.mail_addresses)


async def may_auto_reply(uow: UnitOfWork, address: str, settings: Settings) -> bool:
    """The mail-loop brake: at most `ack_limit_per_hour` automatic answers to one
    address an hour, whatever the other side's robot does."""
    row = await uow.fetchrow(
        _RECENT_AUTO_REPLIES, {"address": address, "since": utcnow() - timedelta(hours=1)}
    )
    return row is not None and int(row["n"]) < settings.ack_limit_per_hour
