"""Hand-written SQL of first-contact intake, run on the driver: these run for every
inbound message, and through SQLAlchemy their per-statement work cost more CPU
than the queries themselves (BENCHMARKS.md)."""

from __future__ import annotations

from servicedesk.audit.statements import audit_insert
from servicedesk.sql import DriverSQL

CUSTOMER_COLUMNS = (
    "id",
    "name",
    "tier",
    "preferred_language",
    "organization_id",
    "created_at",
    "updated_at",
)

CUSTOMER_BY_IDENTITY = DriverSQL(
    f"""
    SELECT {", ".join(f"c.{name}" for name in CUSTOMER_COLUMNS)}
    FROM customer_identity i JOIN customer c ON c.id = i.customer_id
    WHERE i.kind = :kind AND i.value = :value
    """
)

# A new customer, their first identity and the audit row in one round trip. ON
# CONFLICT waits for a concurrent first contact from the same address;
# `identity_id` is NULL when that other transaction won (no audit row is written
# then), and the caller uses the winner's customer.
CREATE_CUSTOMER_WITH_IDENTITY = DriverSQL(
    f"""
    WITH c AS (
        INSERT INTO customer (name, tier, preferred_language, organization_id,
                              created_at, updated_at)
        VALUES (:name, :tier, :language, :organization_id, :now, :now)
        RETURNING id
    ), i AS (
        INSERT INTO customer_identity (customer_id, kind, value, "primary", created_at)
        SELECT c.id, CAST(:kind AS varchar), CAST(:value AS varchar), true,
               CAST(:now AS timestamptz)
        FROM c
        ON CONFLICT (kind, value) DO NOTHING
        RETURNING id
    ), a AS ({
        audit_insert(
            "customer.created",
            "customer",
            "c.id",
            "CAST(:audit_after AS jsonb)",
            "c JOIN i ON true",
        )
    })
    SELECT c.id, i.id AS identity_id FROM c LEFT JOIN i ON true
    """
)

DELETE_CUSTOMER = DriverSQL("DELETE FROM customer WHERE id = :id RETURNING id")
