"""The request bodies of bench/tickets.lua, in Python, one function per kind, for the
in-process investigations (SQL round trips and CPU per kind of request)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

from bench.seed import ExistingCustomer

SUBJECTS = (
    "המכונה לא מנקזת מים",
    "Machine does not drain",
    "קוד שגיאה E21 על הצג",
    "Error code E21 on the display",
)
BODY = "שלום, המכונה עוצרת באמצע התוכנית ונשארים בה מים. Could a technician come this week?"

Body = dict[str, Any]
_seq = itertools.count(1)


def _base(rng: random.Random) -> Body:
    return {"subject": rng.choice(SUBJECTS), "body": BODY, "priority": "normal"}


def new_by_email(rng: random.Random, existing: list[ExistingCustomer]) -> Body:
    n = next(_seq)
    return {
        **_base(rng),
        "customer_email": f"new-py-{n}@mail.example",
        "customer_name": "רונית לוי",
    }


def new_by_email_and_phone(rng: random.Random, existing: list[ExistingCustomer]) -> Body:
    return {**new_by_email(rng, existing), "customer_phone": f"052-9{next(_seq):06d}"}


def new_by_phone(rng: random.Random, existing: list[ExistingCustomer]) -> Body:
    return {**_base(rng), "customer_phone": f"058-9{next(_seq):06d}", "customer_name": "Avi Cohen"}


def existing_by_email(rng: random.Random, existing: list[ExistingCustomer]) -> Body:
    return {**_base(rng), "customer_email": rng.choice(existing).email}


def existing_by_email_with_asset(rng: random.Random, existing: list[ExistingCustomer]) -> Body:
    c = rng.choice(existing)
    return {**_base(rng), "customer_email": c.email, "asset_serial": c.serial}


def existing_by_phone(rng: random.Random, existing: list[ExistingCustomer]) -> Body:
    return {**_base(rng), "customer_phone": rng.choice(existing).phone}


def existing_by_id(rng: random.Random, existing: list[ExistingCustomer]) -> Body:
    return {**_base(rng), "customer_id": rng.choice(existing).id}


# Kind → (share of the wrk mix in percent, body maker).
KINDS: dict[str, tuple[int, Callable[[random.Random, list[ExistingCustomer]], Body]]] = {
    "new customer, e-mail": (18, new_by_email),
    "new customer, e-mail + phone": (17, new_by_email_and_phone),
    "new customer, phone only": (10, new_by_phone),
    "existing, e-mail": (13, existing_by_email),
    "existing, e-mail + asset serial": (12, existing_by_email_with_asset),
    "existing, phone": (20, existing_by_phone),
    "existing, customer_id": (10, existing_by_id),
}
