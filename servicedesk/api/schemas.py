"""The JSON contract of /api/v1: request bodies (strict) and response shapes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from servicedesk.enums import (
    Channel,
    DeliveryState,
    Priority,
    TicketStatus,
    Tier,
    WarrantyState,
)
from servicedesk.loading import MAX_INT4

T = TypeVar("T")

# A row id: the primary keys are PostgreSQL `integer`s, so anything else cannot exist.
MAX_ID = MAX_INT4
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text and jsonb cannot hold U+0000.
        if _has_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class CustomerIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    tier: Tier = Tier.standard
    preferred_language: str = Field(default="he", min_length=2, max_length=8)
    organization_id: RowId | None = None


class CustomerPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    tier: Tier | None = None
    preferred_language: str | None = Field(default=None, min_length=2, max_length=8)
    organization_id: RowId | None = None


class IdentityOut(BaseModel):
    kind: str
    value: str
    primary: bool


class CustomerOut(BaseModel):
    id: int
    name: str
    tier: Tier
    preferred_language: str
    organization_id: int | None
    email: str | None
    phone: str | None
    identities: list[IdentityOut]
    created_at: datetime
    updated_at: datetime


class ProductIn(Strict):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(default="", max_length=100)
    price: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    warranty_months: int = Field(default=12, ge=0, le=240)
    attributes: dict[str, Any] = Field(default_factory=dict)


class ProductOut(BaseModel):
    id: int
    sku: str
    name: str
    category: str
    price: Decimal | None
    warranty_months: int
    attributes: dict[str, Any]


class AssetIn(Strict):
    serial: str = Field(min_length=1, max_length=100)
    product_sku: str = Field(min_length=1, max_length=64)
    customer_id: RowId
    purchased_on: date
    extended_until: date | None = None


class AssetOut(BaseModel):
    id: int
    serial: str
    product_sku: str
    product_name: str
    customer_id: int
    purchased_on: date
    warranty_ends_on: date
    extended_until: date | None
    warranty: WarrantyState


class TicketIn(Strict):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=200_000)
    body_html: str | None = Field(default=None, max_length=1_000_000)
    channel: Channel = Channel.api
    priority: Priority = Priority.normal
    customer_id: RowId | None = None
    customer_email: str | None = Field(default=None, max_length=320)
    customer_phone: str | None = Field(default=None, max_length=40)
    customer_name: str | None = Field(default=None, max_length=200)
    asset_serial: str | None = Field(default=None, max_length=100)

    @field_validator("channel")
    @classmethod
    def _not_a_note(cls, channel: Channel) -> Channel:
        if channel == Channel.note:
            raise ValueError("a ticket cannot start with an internal note")
        return channel

    def customer_given(self) -> bool:
        # Checked by the view, so the error can name a field (a model validator cannot).
        return bool(self.customer_id or self.customer_email or self.customer_phone)


class TicketPatch(Strict):
    status: TicketStatus | None = None
    priority: Priority | None = None
    queue_id: RowId | None = None
    assignee_id: RowId | None = None
    version: int | None = None


class AttachmentIn(Strict):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(
        default="application/octet-stream", max_length=255, pattern=r"^[\w.+-]+/[\w.+-]+$"
    )
    content_base64: str = Field(min_length=1)


class ReplyIn(Strict):
    body: str = Field(min_length=1, max_length=200_000)
    public: bool = True
    # Sent with the reply on its channel (e-mail); each at most MAX_ATTACHMENT_BYTES.
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


class SlaClockOut(BaseModel):
    """One SLA clock: `target` and `elapsed` in seconds of business time."""

    metric: str
    cycle: int
    target: int
    due_at: datetime | None
    warn_at: datetime | None
    state: str  # running | paused | met | breached
    elapsed: int
    breached_at: datetime | None
    stopped_at: datetime | None


class SlaPoliciesOut(BaseModel):
    version: str | None
    loaded_at: datetime | None
    policies: list[dict[str, Any]]


class SlaCalendarsOut(BaseModel):
    version: str | None
    calendars: dict[str, dict[str, Any]]


class SlaReportRow(BaseModel):
    group: str | None
    metric: str
    met: int
    breached: int
    running: int
    paused: int
    compliance: float | None  # met on time, of the decided clocks (0..1)


class SlaReportOut(BaseModel):
    group_by: str
    since: datetime
    until: datetime
    rows: list[SlaReportRow]


class Collaborator(BaseModel):
    address: str
    name: str


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int


class Ref(BaseModel):
    id: int
    name: str


class MessageOut(BaseModel):
    id: int
    channel: Channel
    direction: str
    public: bool
    author_user_id: int | None
    author_customer_id: int | None
    text: str
    html: str
    created_at: datetime
    # Outbound messages a channel delivers (e-mail): queued → sent | failed | bounced;
    # null for everything else. The error of the last attempt, "" if none.
    delivery_state: DeliveryState | None = None
    delivery_error: str = ""
    attachments: list[AttachmentOut] = []


class TicketCustomer(BaseModel):
    id: int
    name: str
    tier: Tier


class TicketAsset(BaseModel):
    id: int
    serial: str
    warranty: WarrantyState


class TicketOut(BaseModel):
    id: int
    number: int
    subject: str
    status: TicketStatus
    priority: Priority
    channel: Channel
    customer: TicketCustomer
    asset: TicketAsset | None
    queue: Ref | None
    assignee: Ref | None
    version: int
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    messages: list[MessageOut] | None = None
    # Copied on the ticket (e-mail Cc): replies go to them too. Only on a single ticket.
    collaborators: list[Collaborator] | None = None
    # The SLA policy that applies and its clocks (only on a single ticket).
    policy: str | None = None
    sla: list[SlaClockOut] | None = None


class TimelineOut(BaseModel):
    message_id: int
    ticket_id: int
    ticket_number: int
    ticket_subject: str
    channel: Channel
    direction: str
    public: bool
    text: str
    created_at: datetime


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
