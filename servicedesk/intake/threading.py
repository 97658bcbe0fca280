"""Which ticket an inbound message continues: the messages it answers first,
then the ticket tag in its subject; never the subject text alone. Texts, calls
and chats carry neither: they continue the customer's open conversation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from servicedesk.channels.message import InboundMessage
from servicedesk.db import UnitOfWork
from servicedesk.enums import Channel
from servicedesk.loading import MAX_INT8
from servicedesk.sql import DriverSQL

TAG = re.compile(r"\[#(\d{1,18})\]")

# The earliest id in the list that we know wins: In-Reply-To first, then the
# References from the newest back.
_BY_MESSAGE_IDS = DriverSQL(
    """
    SELECT m.ticket_id
    FROM message m
    WHERE m.channel = :channel AND m.provider_id = ANY(CAST(:ids AS varchar[]))
    ORDER BY array_position(CAST(:ids AS varchar[]), m.provider_id)
    LIMIT 1
    """
)
_BY_NUMBER = DriverSQL("SELECT id FROM ticket WHERE number = :number")

# Channels without a subject or references to thread by.
CONVERSATIONS = frozenset({Channel.sms, Channel.voice, Channel.chat})
# A ticket solved this recently is reopened by the customer's next text or call;
# after that, they start a new one.
REOPEN_WITHIN = timedelta(days=7)
# Their most recently active unsolved ticket, else the one solved most recently.
_OPEN_OF_CUSTOMER = DriverSQL(
    """
    SELECT id FROM ticket
    WHERE customer_id = :customer_id
      AND (status IN ('new', 'open', 'pending', 'on_hold')
           OR (status = 'solved' AND solved_at > :since))
    ORDER BY status = 'solved', updated_at DESC
    LIMIT 1
    """
)


def referenced_ids(message: InboundMessage) -> list[str]:
    ids = [*message.in_reply_to, *reversed(message.references)]
    return list(dict.fromkeys(i for i in ids if i and len(i) <= 998))


def tagged_number(subject: str) -> int | None:
    match = TAG.search(subject)
    if match is None:
        return None
    number = int(match.group(1))
    return number if number <= MAX_INT8 else None


async def by_references(uow: UnitOfWork, message: InboundMessage) -> int | None:
    ids = referenced_ids(message)
    if not ids:
        return None
    row = await uow.fetchrow(_BY_MESSAGE_IDS, {"channel": message.channel.value, "ids": ids})
    return int(row["ticket_id"]) if row is not None else None


async def by_tag(uow: UnitOfWork, subject: str) -> int | None:
    number = tagged_number(subject)
    if number is None:
        return None
    row = await uow.fetchrow(_BY_NUMBER, {"number": number})
    return int(row["id"]) if row is not None else None


async def by_conversation(uow: UnitOfWork, customer_id: int, now: datetime) -> int | None:
    """The ticket a text, call or chat from this customer continues, if any."""
    row = await uow.fetchrow(
        _OPEN_OF_CUSTOMER, {"customer_id": customer_id, "since": now - REOPEN_WITHIN}
    )
    return int(row["id"]) if row is not None else None
