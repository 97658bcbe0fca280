"""Imports every table so `metadata` is complete (Alembic, test setup)."""

from servicedesk.audit.models import AuditEvent
from servicedesk.customers.models import Customer, CustomerIdentity, Organization
from servicedesk.db import metadata
from servicedesk.products.models import Asset, Product
from servicedesk.staff.models import ApiToken, Skill, Team, TeamMember, User, UserSkill
from servicedesk.tickets.models import Attachment, Blob, Message, Ticket

__all__ = [
    "ApiToken",
    "Asset",
    "Attachment",
    "AuditEvent",
    "Blob",
    "Customer",
    "CustomerIdentity",
    "Message",
    "Organization",
    "Product",
    "Skill",
    "Team",
    "TeamMember",
    "Ticket",
    "User",
    "UserSkill",
    "metadata",
]
