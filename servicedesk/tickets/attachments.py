"""Attachment content, stored once per SHA-256 (content-addressed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from servicedesk.db import UnitOfWork, utcnow
from servicedesk.sql import DriverSQL

# Several attachments of one message in one round trip; the content of a blob
# already stored (the same logo in every signature) is not written again.
_STORE = DriverSQL(
    """
    WITH b AS (
        INSERT INTO blob (sha256, size, data, created_at)
        SELECT * FROM unnest(CAST(:shas AS varchar[]), CAST(:sizes AS bigint[]),
                             CAST(:datas AS bytea[]), CAST(:nows AS timestamptz[]))
        ON CONFLICT (sha256) DO NOTHING
    ), a AS (
        INSERT INTO attachment (message_id, sha256, filename, content_type, size,
                                content_id, inline, created_at)
        SELECT :message_id, * FROM unnest(
            CAST(:shas AS varchar[]), CAST(:names AS varchar[]), CAST(:types AS varchar[]),
            CAST(:sizes AS bigint[]), CAST(:cids AS varchar[]), CAST(:inlines AS boolean[]),
            CAST(:nows AS timestamptz[]))
        RETURNING id
    )
    SELECT array_agg(id ORDER BY id) AS ids FROM a
    """
)

_STORE_BLOB = DriverSQL(
    """
    INSERT INTO blob (sha256, size, data, created_at) VALUES (:sha, :size, :data, :now)
    ON CONFLICT (sha256) DO NOTHING
    """
)


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None
    inline: bool = False


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def store_blob(uow: UnitOfWork, data: bytes) -> str:
    """Keep some bytes (an e-mail's raw source) and return their address."""
    sha = digest(data)
    await uow.fetchrow(_STORE_BLOB, {"sha": sha, "size": len(data), "data": data, "now": utcnow()})
    return sha


async def attach(uow: UnitOfWork, message_id: int, items: list[NewAttachment]) -> list[int]:
    """Store the attachments of a message; returns their ids in the given order."""
    if not items:
        return []
    now = utcnow()
    row = await uow.fetchrow(
        _STORE,
        {
            "message_id": message_id,
            "shas": [digest(item.data) for item in items],
            "sizes": [len(item.data) for item in items],
            "datas": [item.data for item in items],
            "nows": [now] * len(items),
            "names": [item.filename[:255] for item in items],
            "types": [item.content_type[:255] for item in items],
            "cids": [item.content_id[:255] if item.content_id else None for item in items],
            "inlines": [item.inline for item in items],
        },
    )
    assert row is not None
    return list(row["ids"] or [])
