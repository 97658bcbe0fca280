"""Planning the demo's customers and the units they own (pure and deterministic)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from servicedesk.demo.catalog import PRODUCTS, ProductSpec
from servicedesk.demo.hours import DESK_ZONE
from servicedesk.demo.people import (
    COMPANIES,
    ENGLISH,
    HEBREW,
    MAIL_PROVIDERS,
    NAME_POOLS,
    PARTNER_CUSTOMERS,
    PARTNER_ORG,
    Company,
    NamePool,
)
from servicedesk.enums import Tier, WarrantyState
from servicedesk.products.warranty import add_months, warranty_state

CUSTOMERS = 300
MOBILE_PREFIXES = ("050", "052", "053", "054", "055", "058")
PRIVATE_TIERS = ((Tier.standard, 72), (Tier.silver, 17), (Tier.gold, 8), (Tier.platinum, 3))
COMPANY_TIERS = ((Tier.standard, 25), (Tier.silver, 30), (Tier.gold, 30), (Tier.platinum, 15))
PARTNER_TIERS = ((Tier.standard, 60), (Tier.silver, 30), (Tier.gold, 10))
WARRANTY_MIX = (
    (WarrantyState.active, 55),
    (WarrantyState.extended, 15),
    (WarrantyState.expired, 30),
)


@dataclass
class AssetPlan:
    serial: str
    product: ProductSpec
    purchased_on: date
    warranty_ends_on: date
    extended_until: date | None
    state: WarrantyState  # on the day the demo is seeded


@dataclass
class CustomerPlan:
    name: str
    first_name: str
    language: str
    tier: Tier
    email: str | None
    phone: str | None  # as the customer writes it
    organization: str | None
    partner: bool
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    assets: list[AssetPlan] = field(default_factory=list)

    @property
    def in_company(self) -> bool:
        return self.organization is not None and not self.partner


T = TypeVar("T")


def pick(rng: random.Random, weighted: tuple[tuple[T, int], ...]) -> T:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


class CustomerPlanner:
    """Draws customers from the name pools, never repeating an e-mail, phone or serial."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.today = now.astimezone(DESK_ZONE).date()
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.serials: set[str] = set()

    def plan(self) -> list[CustomerPlan]:
        people: list[CustomerPlan] = []
        for company in COMPANIES:
            people.extend(self._company_staff(company))
        for _ in range(PARTNER_CUSTOMERS):
            people.append(self._person(self._pool(), PARTNER_TIERS, PARTNER_ORG, partner=True))
        while len(people) < CUSTOMERS:
            people.append(self._person(self._pool(), PRIVATE_TIERS, None, partner=False))
        self.rng.shuffle(people)  # companies' people were not all created on one day
        for person in people:
            self._give_assets(person)
        return people

    def _pool(self) -> NamePool:
        return self.rng.choices(NAME_POOLS, [p.weight for p in NAME_POOLS])[0]

    def _company_staff(self, company: Company) -> list[CustomerPlan]:
        staff = []
        for _ in range(company.size):
            home = ENGLISH if company.language == "en" else HEBREW
            pool = home if self.rng.random() < 0.75 else self._pool()
            staff.append(
                self._person(
                    pool, COMPANY_TIERS, company.name, partner=False, domain=company.domain
                )
            )
        return staff

    def _person(
        self,
        pool: NamePool,
        tiers: tuple[tuple[Tier, int], ...],
        organization: str | None,
        *,
        partner: bool,
        domain: str | None = None,
    ) -> CustomerPlan:
        (first, first_latin) = self.rng.choice(pool.first)
        (last, last_latin) = self.rng.choice(pool.last)
        reach = self.rng.random()
        has_email = domain is not None or reach < 0.85
        has_phone = domain is not None or reach >= 0.15
        return CustomerPlan(
            name=f"{first} {last}",
            first_name=first,
            language=pool.language,
            tier=pick(self.rng, tiers),
            email=self._email(first_latin, last_latin, domain) if has_email else None,
            phone=self._phone(pool.language) if has_phone else None,
            organization=organization,
            partner=partner,
        )

    def _email(self, first: str, last: str, domain: str | None) -> str:
        rng = self.rng
        first, last = first.replace("'", ""), last.replace("'", "")
        if domain is None:
            domain = f"{rng.choice(MAIL_PROVIDERS)}.example"
            local = rng.choice(
                (f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}", f"{first}_{last}")
            )
            if rng.random() < 0.3:
                local += str(rng.randint(70, 99) if rng.random() < 0.5 else rng.randint(1, 999))
        else:
            local = f"{first}.{last}" if rng.random() < 0.7 else f"{first[0]}{last}"
        address = f"{local}@{domain}"
        while address in self.emails:
            address = f"{local}{rng.randint(2, 99)}@{domain}"
        self.emails.add(address)
        return address

    def _phone(self, language: str) -> str:
        rng = self.rng
        while True:
            if language == "en" and rng.random() < 0.12:
                # Ofcom's and NANPA's ranges reserved for fiction: abroad, but never real.
                number = (
                    f"+44 7700 900{rng.randint(0, 999):03d}"
                    if rng.random() < 0.5
                    else f"+1 202-555-01{rng.randint(0, 99):02d}"
                )
            else:
                digits = f"{rng.randint(0, 9_999_999):07d}"
                number = f"{rng.choice(MOBILE_PREFIXES)}-{digits}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _give_assets(self, person: CustomerPlan) -> None:
        rng = self.rng
        if person.in_company:
            count = rng.choice((1, 1, 2, 2, 3))
        else:
            count = pick(rng, ((0, 12), (1, 55), (2, 25), (3, 8)))
        for _ in range(count):
            person.assets.append(self._asset(person))
        first_purchase = min((a.purchased_on for a in person.assets), default=None)
        if first_purchase is None:
            first_purchase = self.today - timedelta(days=rng.randint(60, 1500))
        else:
            first_purchase -= timedelta(days=rng.randint(0, 30))
        at = datetime.combine(first_purchase, time(rng.randint(9, 19), rng.randint(0, 59)))
        person.created_at = at.replace(tzinfo=DESK_ZONE).astimezone(UTC)

    def _asset(self, person: CustomerPlan) -> AssetPlan:
        rng = self.rng
        weights = [
            p.weight * (2 if person.partner and p.line == "electronics" else 1) for p in PRODUCTS
        ]
        product = rng.choices(PRODUCTS, weights)[0]
        state = pick(rng, WARRANTY_MIX)
        months = product.warranty_months
        extended: date | None = None
        if state == WarrantyState.active:
            # Bought at least ten days ago; the warranty still has a few weeks to run.
            purchased = self.today - timedelta(days=rng.randint(10, months * 30 - 25))
        else:
            ended = self.today - timedelta(
                days=rng.randint(20, 500 if state == WarrantyState.extended else 1000)
            )
            purchased = add_months(ended, -months)
        ends = add_months(purchased, months)
        if state == WarrantyState.extended:
            extended = add_months(ends, rng.choice((12, 24, 36)))
            while extended < self.today + timedelta(days=30):
                extended = add_months(extended, 12)
        elif state == WarrantyState.expired and rng.random() < 0.2:
            lapsed = add_months(ends, 12)
            extended = lapsed if lapsed < self.today - timedelta(days=10) else None
        actual = warranty_state(ends, extended, self.today)
        assert actual == state, (product.sku, purchased, ends, extended, state)
        return AssetPlan(
            self._serial(product, purchased), product, purchased, ends, extended, state
        )

    def _serial(self, product: ProductSpec, purchased: date) -> str:
        while True:
            serial = f"{product.serial_prefix}{purchased:%y%m}{self.rng.randint(0, 999_999):06d}"
            if serial not in self.serials:
                self.serials.add(serial)
                return serial
