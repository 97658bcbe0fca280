"""The audit row as a fragment of hand-written statements that audit themselves."""

from __future__ import annotations


def audit_insert(action: str, entity_type: str, entity_id: str, after: str, source: str) -> str:
    """`INSERT INTO audit_event … SELECT … FROM source` for a WITH clause. The actor
    comes from the parameters :now, :actor_kind, :actor_user_id and :request_id
    (see audit.service.entry); `entity_id` and `after` are SQL expressions."""
    return f"""
        INSERT INTO audit_event (at, actor_kind, actor_user_id, action, entity_type,
                                 entity_id, after, request_id)
        SELECT CAST(:now AS timestamptz), CAST(:actor_kind AS varchar),
               CAST(:actor_user_id AS integer), '{action}', '{entity_type}', {entity_id},
               {after}, CAST(:request_id AS varchar)
        FROM {source}
    """
