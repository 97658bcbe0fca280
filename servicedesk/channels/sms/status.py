"""Twilio's delivery reports for our texts, applied exactly once and never lost.

A report can arrive before the send job has stored the MessageSid Twilio gave it
(Twilio calls back within milliseconds). Every report is therefore kept
(`provider_report`, once per state), and both sides take the same per-sid lock:
the report finds the message if the send job committed first, else the send job
finds the report when it stores the sid."""

from __future__ import annotations

from servicedesk.channels.delivery import settle
from servicedesk.db import Actor, Database, UnitOfWork
from servicedesk.enums import DeliveryState
from servicedesk.sql import DriverSQL
from telephony.parse import SmsStatus

# What a provider's report means for the message; states only move forward.
REPORTED = {
    "sent": DeliveryState.sent,
    "delivered": DeliveryState.delivered,
    "read": DeliveryState.delivered,
    "undelivered": DeliveryState.failed,
    "failed": DeliveryState.failed,
    "canceled": DeliveryState.failed,
}

_LOCK = DriverSQL("SELECT pg_advisory_xact_lock(hashtext(:key)) IS NULL AS locked")
_KEEP = DriverSQL(
    """
    INSERT INTO provider_report (channel, provider_id, status, error_code, received_at)
    VALUES ('sms', :sid, :status, :error_code, now())
    ON CONFLICT (channel, provider_id, status) DO NOTHING
    """
)
_MESSAGE = DriverSQL(
    "SELECT id FROM message WHERE channel = 'sms' AND provider_id = :sid AND direction = 'out'"
)
_REPORTS = DriverSQL(
    """
    SELECT status, error_code FROM provider_report
    WHERE channel = 'sms' AND provider_id = :sid ORDER BY received_at, id
    """
)


async def file_report(db: Database, report: SmsStatus) -> bool:
    """Keep the report and apply it to its message if the message is known yet;
    returns whether a message changed."""
    async with db.unit_of_work(Actor.system()) as uow:
        await _lock(uow, report.message_sid)
        await uow.fetchrow(
            _KEEP,
            {"sid": report.message_sid, "status": report.status, "error_code": report.error_code},
        )
        row = await uow.fetchrow(_MESSAGE, {"sid": report.message_sid})
        if row is None:
            return False
        return await _apply(uow, int(row["id"]), report.status, report.error_code)


async def mark_sent(db: Database, message_id: int, sid: str) -> None:
    """Twilio took the text as `sid`: store it, then every report that came first."""
    async with db.unit_of_work(Actor.system()) as uow:
        await _lock(uow, sid)
        await settle(uow, message_id, DeliveryState.sent, "", provider_id=sid)
        for row in await uow.fetch(_REPORTS, {"sid": sid}):
            await _apply(uow, message_id, str(row["status"]), row["error_code"])


async def _lock(uow: UnitOfWork, sid: str) -> None:
    await uow.fetchrow(_LOCK, {"key": f"sms:{sid}"})


async def _apply(uow: UnitOfWork, message_id: int, status: str, error_code: str | None) -> bool:
    state = REPORTED.get(status)
    if state is None:
        return False  # still on its way: queued, sending…
    error = ""
    if state == DeliveryState.failed:
        error = f"Twilio reported the text {status}" + (
            f" (error {error_code})" if error_code else ""
        )
    return await settle(uow, message_id, state, error, first_send=False)
