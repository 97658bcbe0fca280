"""Imports every table so `metadata` is complete (Alembic, test setup)."""

from servicedesk.audit.models import AuditEvent
from servicedesk.channels.chat.models import Chat
from servicedesk.channels.voice.models import PhoneCall
from servicedesk.customers.models import Customer, CustomerIdentity, Organization
from servicedesk.db import metadata
from servicedesk.intake.models import AutoReply, ProviderReport
from servicedesk.products.models import Asset, Product
from servicedesk.routing.models import (
    AgentCapacity,
    AgentConnection,
    AgentPresence,
    RoutingEntry,
    RoutingOffer,
)
from servicedesk.sla_tracking.models import SlaClock, SlaEscalation, SlaPolicySet
from servicedesk.staff.models import ApiToken, Skill, Team, TeamMember, User, UserSkill
from servicedesk.tickets.models import (
    Attachment,
    Blob,
    Message,
    Ticket,
    TicketCollaborator,
)

__all__ = [
    "AgentCapacity",
    "AgentConnection",
    "AgentPresence",
    "RoutingEntry",
    "RoutingOffer",
    "ApiToken",
    "Asset",
    "Attachment",
    "AuditEvent",
    "AutoReply",
    "Blob",
    "Chat",
    "Customer",
    "CustomerIdentity",
    "Message",
    "Organization",
    "PhoneCall",
    "Product",
    "ProviderReport",
    "Skill",
    "SlaClock",
    "SlaEscalation",
    "SlaPolicySet",
    "Team",
    "TeamMember",
    "Ticket",
    "TicketCollaborator",
    "User",
    "UserSkill",
    "metadata",
]
