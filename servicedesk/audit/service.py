"""Writing the audit log: every change, with the actor and before/after values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlmodel import SQLModel

from servicedesk.audit.models import AuditEvent
from servicedesk.db import UnitOfWork


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
    """Add an audit row to the current transaction (flushed with the change itself)."""
    uow.session.add(
        AuditEvent(
            actor_kind=uow.actor.kind,
            actor_user_id=uow.actor.user_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before={k: _jsonable(v) for k, v in before.items()} if before else None,
            after={k: _jsonable(v) for k, v in after.items()} if after else None,
            request_id=uow.actor.request_id,
        )
    )
