"""The SLA engine: business calendars, policies, clocks and their evaluation.

Pure by design (see docs/architecture.md): it imports the standard library and
`holidays` only, never the ORM, the web layer or the clock — `now` is always a
parameter.
"""

from sla.calendar import BusinessCalendar
from sla.clock import evaluate
from sla.compliance import Compliance, compliance
from sla.config import (
    ConfigError,
    dump_policies,
    load_policies,
    load_policies_file,
    policies_to_data,
    policy_version,
)
from sla.escalation import due_steps, next_action_at
from sla.policy import (
    METRICS,
    PRIORITIES,
    ClockState,
    EscalationStep,
    HistoryEvent,
    Match,
    Metric,
    Policy,
    PolicySet,
    Targets,
    TicketFacts,
    TicketHistory,
    policy_for,
)
from sla.simulate import ReplayTicket, SimulationRow, simulate

__all__ = [
    "METRICS",
    "PRIORITIES",
    "BusinessCalendar",
    "ClockState",
    "Compliance",
    "ConfigError",
    "EscalationStep",
    "HistoryEvent",
    "Match",
    "Metric",
    "Policy",
    "PolicySet",
    "ReplayTicket",
    "SimulationRow",
    "Targets",
    "TicketFacts",
    "TicketHistory",
    "compliance",
    "due_steps",
    "dump_policies",
    "evaluate",
    "load_policies",
    "load_policies_file",
    "next_action_at",
    "policies_to_data",
    "policy_for",
    "policy_version",
    "simulate",
]
