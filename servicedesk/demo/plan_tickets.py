"""Planning the demo's tickets: who wrote, about what, on which channel, in which
queue (pure and deterministic; what the desk did about them is in plan_history).

A ticket's final state follows its age, so yesterday's tickets are mostly still
being worked and last week's are closed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from servicedesk.demo import scenarios
from servicedesk.demo.hours import is_open, local, show_date
from servicedesk.demo.people import PARTNER_USER, STAFF_DOMAIN
from servicedesk.demo.plan_customers import AssetPlan, CustomerPlan, pick
from servicedesk.demo.plan_history import DeskHistory, StepPlan
from servicedesk.demo.scenarios import Scenario
from servicedesk.demo.scenarios.common import (
    IOT,
    IOT_CODES,
    SMS_TAIL,
    VOICE_PREFIX,
    WARRANTY,
)
from servicedesk.demo.scenarios.household import AC_ERROR, WASHER_DRAIN
from servicedesk.demo.scenarios.kitchen import FRIDGE_WARM
from servicedesk.enums import Channel, Priority, TicketStatus, Tier, WarrantyState
from servicedesk.identities import normalise_phone

TICKETS = 400
DAYS = 21
CHANNEL_MIX: tuple[tuple[Channel, int], ...] = (
    (Channel.email, 28),
    (Channel.voice, 24),
    (Channel.chat, 14),
    (Channel.web, 14),
    (Channel.sms, 8),
    (Channel.api, 7),
    (Channel.iot, 5),
)
IOT_SCENARIO = {
    "refrigerator": FRIDGE_WARM,
    "air-conditioner": AC_ERROR,
    "washing-machine": WASHER_DRAIN,
}
S = TicketStatus
# Final status by the ticket's age in days: young tickets are still being worked.
Weights = tuple[tuple[TicketStatus, int], ...]
STATUS_BY_AGE: tuple[tuple[float, Weights], ...] = (
    (0.5, ((S.new, 50), (S.open, 30), (S.pending, 10), (S.on_hold, 2), (S.solved, 8))),
    (2, ((S.new, 15), (S.open, 28), (S.pending, 22), (S.on_hold, 10), (S.solved, 22),
         (S.closed, 3))),
    (6, ((S.new, 3), (S.open, 14), (S.pending, 15), (S.on_hold, 14), (S.solved, 29),
         (S.closed, 25))),
    (99, ((S.new, 1), (S.open, 5), (S.pending, 6), (S.on_hold, 8), (S.solved, 10),
          (S.closed, 70))),
)  # fmt: skip
BUMP = {Priority.low: Priority.normal, Priority.normal: Priority.high}


@dataclass
class TicketPlan:
    customer: CustomerPlan
    asset: AssetPlan | None
    scenario: str
    subject: str
    body: str
    channel: Channel
    priority: Priority
    created_at: datetime
    queue: str | None  # where it lands; None: the default (triage) queue
    target_queue: str
    creator: str | None  # staff key when a partner's integration opened it
    provider_id: str | None
    meta: dict[str, Any]
    status: TicketStatus
    steps: list[StepPlan] = field(default_factory=list)


class TicketPlanner:
    def __init__(self, rng: random.Random, now: datetime, customers: list[CustomerPlan]) -> None:
        self.rng = rng
        self.now = now
        self.customers = customers
        self.owned = [(c, a) for c in customers for a in c.assets]
        self.companies = [c for c in customers if c.in_company]
        self.history = DeskHistory(rng, now)

    def plan(self) -> list[TicketPlan]:
        plans = [self._ticket() for _ in range(TICKETS)]
        plans.sort(key=lambda p: p.created_at)  # ticket numbers rise with time
        return plans

    # -- what the customer wrote ---------------------------------------------------------

    def _ticket(self) -> TicketPlan:
        rng = self.rng
        asset: AssetPlan | None = None
        if rng.random() < 0.8:
            customer, asset = rng.choice(self.owned)
            options = [
                s
                for s in scenarios.for_category(asset.product.category)
                if s.key != "extend-warranty" or self._ends_soon(asset)
            ]
        else:
            options = list(scenarios.UNLINKED)
            customer = rng.choice(self.customers)
        scenario = rng.choices(options, [s.weight for s in options])[0]
        if scenario.key == "tax-invoice" and rng.random() < 0.7:
            customer = rng.choice(self.companies)
        channel = self._channel(customer, asset, scenario)
        if channel == Channel.iot:
            assert asset is not None
            scenario = IOT_SCENARIO[asset.product.category]
        lang = customer.language
        script = scenario.script(lang)
        ctx = self._context(customer, asset, scenario)
        subject = rng.choice(script.subjects).format_map(ctx)
        body = rng.choice(script.bodies).format_map(ctx)
        if channel == Channel.iot:
            assert asset is not None
            code, fault_he, fault_en = rng.choice(IOT_CODES[asset.product.category])
            ctx["code"] = code
            fault = fault_he if lang == "he" else fault_en
            subject, body = (t.format_map({**ctx, "fault": fault}) for t in IOT[lang])
        created = self._created(channel)
        status = self._status(created, scenario)
        target = "billing" if scenario.billing or asset is None else f"{asset.product.line}-{lang}"
        # The lab's portal opens tickets about the units it services, not about invoices.
        by_partner = channel == Channel.api and customer.partner and not scenario.billing
        routed_by_ivr = channel in (Channel.voice, Channel.sms, Channel.iot)
        triage = not routed_by_ivr and rng.random() < (0.6 if status == S.new else 0.35)
        plan = TicketPlan(
            customer=customer,
            asset=asset,
            scenario=scenario.key,
            subject=subject,
            body=self._as_sent(channel, customer, subject, body),
            channel=channel,
            priority=self._priority(scenario, customer, channel),
            created_at=created,
            queue=None if triage else target,
            target_queue=target,
            creator=PARTNER_USER.key if by_partner else None,
            provider_id=None,
            meta={},
            status=status,
        )
        self._provenance(plan)
        plan.steps = self.history.plan(plan, scenario, triage, ctx)
        return plan

    def _ends_soon(self, asset: AssetPlan) -> bool:
        left = asset.warranty_ends_on - local(self.now).date()
        return asset.state == WarrantyState.active and left.days < 120

    def _context(
        self, customer: CustomerPlan, asset: AssetPlan | None, scenario: Scenario
    ) -> dict[str, str]:
        rng = self.rng
        price = asset.product.price_ils if asset else None
        amount = {
            "phone-screen": rng.choice((690, 890, 1090)),
            "extend-warranty": int(price * 12 / 100) // 10 * 10 - 1 if price else 349,
        }.get(scenario.key, int(price) if price else rng.choice((549, 1190, 2490, 3290, 4290)))
        ctx = {
            "first": customer.first_name,
            "model": asset.product.model if asset else "",
            "serial": asset.serial if asset else "",
            "code": rng.choice(scenario.codes),
            "order": str(rng.randint(4_100_000, 4_899_999)),
            "amount": f"{amount:,}",
            "po": f"PO-{rng.randint(10_000, 99_999)}",
            "warranty": "",
        }
        if asset is not None:
            until = asset.warranty_ends_on
            if asset.extended_until and asset.state != WarrantyState.active:
                until = asset.extended_until
            sentence = WARRANTY[(customer.language, asset.state)]
            ctx["warranty"] = sentence.format(until=show_date(until))
        return ctx

    def _channel(
        self, customer: CustomerPlan, asset: AssetPlan | None, scenario: Scenario
    ) -> Channel:
        rng = self.rng
        mix = CHANNEL_MIX
        if customer.partner:
            mix = (*CHANNEL_MIX, (Channel.api, 25))
        while True:
            channel = pick(rng, mix)
            if channel != Channel.iot:
                break
            if asset and asset.product.category in IOT_SCENARIO and not scenario.billing:
                return channel
        if channel in (Channel.voice, Channel.sms) and customer.phone is None:
            return Channel.email
        if channel == Channel.email and customer.email is None:
            return Channel.voice
        return channel

    def _as_sent(self, channel: Channel, customer: CustomerPlan, subject: str, body: str) -> str:
        lang = customer.language
        if channel == Channel.voice:
            return VOICE_PREFIX[lang] + body
        if channel == Channel.sms:
            ending = "" if subject[-1] in ".?!" else "."
            return f"{subject}{ending} {self.rng.choice(SMS_TAIL[lang])}"
        if channel in (Channel.email, Channel.web):
            hello, thanks = ("שלום,", "תודה,") if lang == "he" else ("Hello,", "Thanks,")
            return f"{hello}\n\n{body}\n\n{thanks}\n{customer.name}"
        return body

    def _provenance(self, plan: TicketPlan) -> None:
        """The provider's id and metadata, as the channel adapters would record them."""
        rng, c = self.rng, plan.customer
        phone = normalise_phone(c.phone, "IL") if c.phone else None
        token = f"{rng.getrandbits(128):032x}"
        if plan.channel == Channel.email:
            assert c.email is not None
            plan.provider_id = f"<{token[:20]}@{c.email.split('@')[1]}>"
            plan.meta = {"from": c.email, "to": f"service@{STAFF_DOMAIN}"}
        elif plan.channel == Channel.voice:
            plan.provider_id = "CA" + token
            plan.meta = {"from": phone, "duration_seconds": rng.randint(70, 900)}
        elif plan.channel == Channel.sms:
            plan.provider_id = "SM" + token
            plan.meta = {"from": phone}
        elif plan.channel == Channel.chat:
            plan.provider_id = f"chat-{token[:16]}"
            plan.meta = {"visitor": c.name, "page": "/support"}
        elif plan.channel == Channel.web:
            plan.meta = {"form": "contact", "email": c.email, "phone": phone}
        elif plan.channel == Channel.api:
            client = "electrofix-portal" if plan.creator else "webshop"
            plan.provider_id = f"{client}-{token[:12]}"
            plan.meta = {"client": client}
        elif plan.channel == Channel.iot and plan.asset is not None:
            plan.provider_id = f"iot-{plan.asset.serial}-{token[:8]}"
            plan.meta = {"device": plan.asset.serial}
        plan.meta = {k: v for k, v in plan.meta.items() if v is not None}

    def _created(self, channel: Channel) -> datetime:
        rng = self.rng
        while True:
            at = self.now - timedelta(minutes=rng.uniform(4, DAYS * 24 * 60))
            if is_open(at):
                return at
            if channel in (Channel.voice, Channel.chat):
                continue  # the lines are closed
            moment = local(at)
            chance = 0.15 if moment.weekday() == 5 else 0.1 if moment.hour < 7 else 0.3
            if rng.random() < chance:
                return at

    def _status(self, created: datetime, scenario: Scenario) -> TicketStatus:
        age = (self.now - created).total_seconds() / 86400
        weights = next(w for limit, w in STATUS_BY_AGE if age < limit)
        status = pick(self.rng, weights)
        if status == S.on_hold and not scenario.repair and not scenario.billing:
            return S.pending  # nothing to wait for but the customer
        return status

    def _priority(self, scenario: Scenario, customer: CustomerPlan, channel: Channel) -> Priority:
        rng = self.rng
        priority = Priority.high if channel == Channel.iot else scenario.priority
        if priority == Priority.high and rng.random() < 0.2:
            return Priority.urgent
        if customer.tier in (Tier.gold, Tier.platinum) and rng.random() < 0.5:
            return BUMP.get(priority, priority)
        if priority == Priority.normal and rng.random() < 0.08:
            return Priority.low
        return priority
