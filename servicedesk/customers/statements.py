"""Statements of first-contact intake, built once (they run on every inbound message).

Building a statement and computing its cache key cost more CPU than running it,
measured in BENCHMARKS.md; these are built at import and only bound per call."""

from __future__ import annotations

from sqlalchemy import DateTime, TextClause, bindparam, text

CUSTOMER_COLUMNS = (
    "id",
    "name",
    "tier",
    "preferred_language",
    "organization_id",
    "created_at",
    "updated_at",
)
CUSTOMER_BY_IDENTITY: TextClause = text(
    f"""
    SELECT {", ".join(f"c.{name}" for name in CUSTOMER_COLUMNS)}
    FROM customer_identity i JOIN customer c ON c.id = i.customer_id
    WHERE i.kind = :kind AND i.value = :value
    """
)

# A new customer and their first identity in one round trip. ON CONFLICT waits for
# a concurrent first contact from the same address; `identity_id` is NULL when
# that other transaction won, and the caller then uses the winner's customer.
CREATE_CUSTOMER_WITH_IDENTITY: TextClause = text(
    """
    WITH c AS (
        INSERT INTO customer (name, tier, preferred_language, organization_id,
                              created_at, updated_at)
        VALUES (:name, :tier, :language, :organization_id, :now, :now)
        RETURNING id
    ), i AS (
        INSERT INTO customer_identity (customer_id, kind, value, "primary", created_at)
        SELECT c.id, :kind, :value, true, :now FROM c
        ON CONFLICT (kind, value) DO NOTHING
        RETURNING id
    )
    SELECT c.id, i.id AS identity_id FROM c LEFT JOIN i ON true
    """
).bindparams(bindparam("now", type_=DateTime(timezone=True)))

DELETE_CUSTOMER: TextClause = text("DELETE FROM customer WHERE id = :id")
