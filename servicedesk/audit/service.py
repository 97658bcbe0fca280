"""Writing the audit log: every change, with the actor and before/after values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import SQLModel

from servicedesk.audit.models import AuditEvent
from servicedesk.db import UnitOfWork, utcnow

PENDING = "audit"
AUDIT_TABLE: Table = AuditEvent.__table__  # type: ignore[attr-defined]
_INSERT = insert(AUDIT_TABLE)  # built once: audit rows are written on every commit


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(row: SQLModel, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _jsonable(getattr(row, name)) for name in fields}


def record(
    uow: UnitOfWork,
    action: str,
    entity_type: str,
    entity_id: int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the current transaction. Rows are written together, in one
    multi-row INSERT just before COMMIT, so auditing costs one round trip per commit."""
    uow.pending.setdefault(PENDING, []).append(
        entry(uow, action, entity_type, entity_id, before=before, after=after)
    )
    uow.before_commit(PENDING, _write)


def entry(
    uow: UnitOfWork,
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An audit row's values; hand-written statements may insert it themselves."""
    return {
        "at": utcnow(),
        "actor_kind": uow.actor.kind,
        "actor_user_id": uow.actor.user_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": {k: _jsonable(v) for k, v in before.items()} if before else None,
        "after": {k: _jsonable(v) for k, v in after.items()} if after else None,
        "request_id": uow.actor.request_id,
    }


async def _write(uow: UnitOfWork) -> None:
    rows = uow.pending.pop(PENDING, [])
    if rows:
        await uow.execute(_INSERT, rows[0] if len(rows) == 1 else rows)
