"""Planning what the desk did about each ticket, and when.

A ticket's history is a list of steps (route, assign, note, reply, status change).
People act during opening hours; a history that would run past now is squeezed
in before it. Texts are filled in once the times are known, so a technician's
visit promised while a ticket is on hold is the day the repair was reported.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from servicedesk.demo.hours import local, next_open, show_date, working_days_after
from servicedesk.demo.people import PARTNER_USER, STAFF, StaffSpec
from servicedesk.demo.scenarios import Scenario
from servicedesk.demo.scenarios.common import (
    ACK,
    BILLING_HOLD_NOTE,
    GREETING,
    HOLD,
    HOLD_NOTE,
    PARTNER_SIGN_OFF,
    PARTNER_UPDATE,
    SIGN_OFF,
)
from servicedesk.enums import Priority, Role, TicketStatus, Tier

if TYPE_CHECKING:
    from servicedesk.demo.plan_tickets import TicketPlan

S = TicketStatus
SUPERVISOR_NOTE = {
    "he": "לקוח פלטינום – נא לתת עדיפות ולעדכן אותי לפני סגירה.",
    "en": "Platinum customer – please prioritise and update me before closing.",
}


@dataclass
class StepPlan:
    kind: str  # "route", "assign", "note", "reply" or "status"
    actor: str | None  # a staff key; None: the system
    delay: float  # minutes after the previous step
    template: str = ""
    public: bool = True
    status: TicketStatus | None = None
    queue: str | None = None
    assignee: str | None = None
    business: bool = True  # done by a person, so during opening hours
    hold: bool = False  # speaks of the visit or answer the ticket waits for
    after_visit: bool = False  # reports what the visit found: the afternoon after it
    at: datetime | None = None
    text: str = ""


def members(queue: str, language: str) -> list[StaffSpec]:
    agents = [s for s in STAFF if s.role == Role.agent and queue in s.queues]
    fluent = [s for s in agents if language == "en" or s.language == "he"]
    return fluent or agents


class DeskHistory:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now

    def plan(
        self, ticket: TicketPlan, scenario: Scenario, triage: bool, ctx: dict[str, str]
    ) -> list[StepPlan]:
        steps = self._steps(ticket, scenario, triage)
        self._schedule(ticket.created_at, steps)
        self._write(steps, ctx)
        return steps

    def _steps(self, plan: TicketPlan, scenario: Scenario, triage: bool) -> list[StepPlan]:
        rng = self.rng
        status = plan.status
        if status == S.new:
            return []
        lang = plan.customer.language
        script = scenario.script(lang)
        agent = rng.choice(members(plan.target_queue, lang))
        steps: list[StepPlan] = []

        def reply(template: str, delay: float, by: StaffSpec = agent, hold: bool = False) -> None:
            signed = f"{GREETING[lang]}\n\n{template}\n\n{SIGN_OFF[lang]}"
            words = {"agent": by.signature(lang)}
            steps.append(StepPlan("reply", by.key, delay, _fill(signed, words), hold=hold))

        def note(template: str, delay: float, by: StaffSpec = agent, hold: bool = False) -> None:
            steps.append(StepPlan("note", by.key, delay, template, public=False, hold=hold))

        def status_to(new: TicketStatus, delay: float, by: str | None = agent.key) -> None:
            steps.append(StepPlan("status", by, delay, status=new, business=by is not None))

        if triage:
            router = rng.choice(members("triage", lang))
            steps.append(StepPlan("route", router.key, rng.uniform(3, 60), queue=plan.target_queue))
        steps.append(StepPlan("assign", agent.key, rng.uniform(2, 90), assignee=agent.key))
        if plan.customer.tier == Tier.platinum and plan.priority in (
            Priority.high,
            Priority.urgent,
        ):
            supervisor = next(s for s in STAFF if s.role == Role.supervisor)
            note(SUPERVISOR_NOTE[lang], rng.uniform(5, 60), supervisor)
        hold_line = "billing" if scenario.billing or plan.asset is None else plan.asset.product.line
        hold_notes = BILLING_HOLD_NOTE if hold_line == "billing" else HOLD_NOTE
        if status == S.open:
            if rng.random() < 0.4:
                note(script.note, rng.uniform(5, 120))
            if rng.random() < 0.6:
                reply(rng.choice(ACK[lang]), rng.uniform(5, 180))
            return steps
        if status == S.pending:
            if rng.random() < 0.3:
                note(script.note, rng.uniform(5, 120))
            reply(script.ask, rng.uniform(10, 240))
            status_to(S.pending, rng.uniform(0.2, 1))
            return steps
        if status == S.on_hold:
            if rng.random() < 0.4:
                reply(script.ask, rng.uniform(10, 240))
                status_to(S.pending, rng.uniform(0.2, 1))
            note(rng.choice(hold_notes[lang]), rng.uniform(30, 600), hold=True)
            reply(HOLD[(lang, hold_line)], rng.uniform(1, 10), hold=True)
            status_to(S.on_hold, rng.uniform(0.2, 1))
            return steps
        path = rng.random()
        if path < 0.4:
            reply(script.ask, rng.uniform(10, 240))
            status_to(S.pending, rng.uniform(0.2, 1))
            fix_after = rng.uniform(120, 2880)
        elif path < 0.75 and (scenario.repair or scenario.billing):
            note(rng.choice(hold_notes[lang]), rng.uniform(30, 600), hold=True)
            reply(HOLD[(lang, hold_line)], rng.uniform(1, 10), hold=True)
            status_to(S.on_hold, rng.uniform(0.2, 1))
            fix_after = rng.uniform(1440, 5760)
        else:
            if rng.random() < 0.3:
                note(script.note, rng.uniform(5, 90))
            fix_after = rng.uniform(20, 360)
        if plan.customer.partner and scenario.repair and rng.random() < 0.7:
            signed = f"{GREETING[lang]}\n\n{PARTNER_UPDATE[lang]}\n\n{PARTNER_SIGN_OFF[lang]}"
            text = _fill(signed, {"agent": PARTNER_USER.signature(lang)})
            steps.append(StepPlan("reply", PARTNER_USER.key, fix_after / 2, text))
            fix_after /= 2
        reply(script.fix, fix_after)
        steps[-1].after_visit = any(s.hold for s in steps)
        status_to(S.solved, rng.uniform(0.2, 2))
        if status == S.closed:
            status_to(S.closed, rng.uniform(2 * 1440, 4 * 1440), by=None)
        return steps

    def _schedule(self, start: datetime, steps: list[StepPlan]) -> None:
        """Place the steps in time; squeeze them in if they would run past now."""
        rng = self.rng
        at = start
        for step in steps:
            at += timedelta(minutes=step.delay)
            if step.business:
                at = next_open(at, rng)
            if step.after_visit and local(at).hour < 12:
                at += timedelta(hours=rng.uniform(3, 4))
            step.at = at
        if not steps:
            return
        limit = self.now - timedelta(minutes=rng.randint(1, 40))
        if limit <= start:
            limit = start + (self.now - start) / 2
        last = steps[-1].at
        assert last is not None
        if last > limit:
            ratio = (limit - start) / (last - start)
            for step in steps:
                assert step.at is not None
                step.at = start + (step.at - start) * ratio
        previous = start
        for step in steps:
            assert step.at is not None
            step.at = max(step.at, previous + timedelta(seconds=1))
            previous = step.at

    def _write(self, steps: list[StepPlan], ctx: dict[str, str]) -> None:
        """Fill in the dates: a visit promised while on hold is the day it was reported on."""
        visit = next((s.at for s in steps if s.after_visit), None)
        for step in steps:
            assert step.at is not None
            if step.hold and visit is not None:
                day = local(visit).date()
            else:
                day = working_days_after(step.at, self.rng.randint(1, 3))
            step.text = step.template.format_map({**ctx, "date": show_date(day)})


def _fill(template: str, words: dict[str, str]) -> str:
    """Fill some placeholders now, leaving the others for later."""
    for key, value in words.items():
        template = template.replace("{" + key + "}", value)
    return template
