"""An SMS flow as validated data: one pydantic model per node type of the SMS campaign
generation design, a discriminated union on `type`, and the flow around them.

The wire format is the design's (`initialStepID`, `steps[]`, each step with `id`, `type`,
`events[]`, each event with `type` and `nextStepID`), so the models read and write those
camelCase names through aliases while Python code uses snake_case. Every model forbids
unknown fields: a model that invents a field is told so instead of having it dropped.

Each node type lists the event types it may carry (its own union), which is what makes the
per-node JSON Schemas in `schemas/flows/` precise. How many of each event a step needs
(one `next`, one `match` per branch, ...) is a graph rule, checked in `core.flows.graph`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

STEP_TYPES: tuple[str, ...] = (
    "message",
    "segment",
    "delay",
    "schedule",
    "experiment",
    "rate_limit",
    "reply",
    "no_reply",
    "split",
    "property",
    "product_choice",
    "purchase_offer",
    "purchase",
    "limit",
    "end",
)

StepId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Label = Annotated[str, Field(min_length=1, max_length=64)]
Encoding = Literal["GSM-7", "UCS-2"]


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class Duration(_Model):
    """A wait: `{"value": 2, "unit": "days"}`."""

    value: int = Field(ge=1, le=10_000)
    unit: Literal["minutes", "hours", "days", "weeks"]


# --- Events -----------------------------------------------------------------------------


class _Event(_Model):
    next_step_id: StepId = Field(alias="nextStepID")


class NextEvent(_Event):
    """Go on to the next step (the only event of message, delay, property, purchase)."""

    type: Literal["next"]


class MatchEvent(_Event):
    """Segment, split, schedule: the branch whose `label` matched."""

    type: Literal["match"]
    label: Label


class DefaultEvent(_Event):
    """Segment, split, schedule: where everyone who matched no branch goes."""

    type: Literal["default"]


class VariantEvent(_Event):
    """Experiment: where the customers assigned to variant `label` go."""

    type: Literal["variant"]
    label: Label


class ReplyEvent(_Event):
    """Reply: the customer's answer matched `intent`."""

    type: Literal["reply"]
    intent: Label


class NoReplyEvent(_Event):
    """Reply, product choice: no (matching) answer within `after`."""

    type: Literal["no_reply"]
    after: Duration


class TimeoutEvent(_Event):
    """No-reply step: its wait ran out without any answer."""

    type: Literal["timeout"]


class RepliedEvent(_Event):
    """No-reply step: the customer answered (anything) before the wait ran out."""

    type: Literal["replied"]


class ChoiceEvent(_Event):
    """Product choice: the customer answered with the product's `keyword`."""

    type: Literal["choice"]
    keyword: Label


class PurchaseEvent(_Event):
    """Purchase offer: the customer bought."""

    type: Literal["purchase"]


class NoPurchaseEvent(_Event):
    """Purchase offer: no purchase within `after`."""

    type: Literal["no_purchase"]
    after: Duration


class LimitedEvent(_Event):
    """Rate limit, limit: the customer is over the limit."""

    type: Literal["limited"]


class FailedEvent(_Event):
    """Purchase: the order could not be placed (payment declined, out of stock)."""

    type: Literal["failed"]


BranchEvent = Annotated[MatchEvent | DefaultEvent, Field(discriminator="type")]
ReplyStepEvent = Annotated[ReplyEvent | NoReplyEvent, Field(discriminator="type")]
NoReplyStepEvent = Annotated[TimeoutEvent | RepliedEvent, Field(discriminator="type")]
ChoiceStepEvent = Annotated[ChoiceEvent | NoReplyEvent, Field(discriminator="type")]
OfferEvent = Annotated[PurchaseEvent | NoPurchaseEvent, Field(discriminator="type")]
LimitEvent = Annotated[NextEvent | LimitedEvent, Field(discriminator="type")]
PurchaseStepEvent = Annotated[NextEvent | FailedEvent, Field(discriminator="type")]

# --- Parts of steps ---------------------------------------------------------------------


class Discount(_Model):
    """A discount carried by a message; `code` is a literal code or `{{discount_code}}`."""

    type: Literal["percentage", "fixed_amount", "free_shipping"]
    value: int | float = Field(default=0, ge=0, le=10_000)
    code: str = Field(min_length=1, max_length=64)


class ContactCard(_Model):
    """A vCard sent with a message so the customer can save the shop's number."""

    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)


class Condition(_Model):
    """`property operator value`, e.g. `total_spent greater_than 500`."""

    property: str = Field(min_length=1, max_length=64)
    operator: Literal[
        "equals", "not_equals", "greater_than", "less_than", "contains", "exists", "not_exists"
    ]
    value: str | int | float | bool | None = None


class Branch(_Model):
    """A labelled audience branch of a segment or split step."""

    label: Label
    conditions: list[Condition] = Field(min_length=1, max_length=10)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class TimeWindow(_Model):
    """A labelled window of the week: `days` between `start` and `end` (HH:MM, local)."""

    label: Label
    days: list[Weekday] = Field(min_length=1, max_length=7)
    start: ClockTime
    end: ClockTime


class Variant(_Model):
    label: Label
    share: int = Field(ge=0, le=100)  # percent of customers; all variants add up to 100


class Intent(_Model):
    """A reply intent: `keywords` are the answers that mean it (case-insensitive)."""

    intent: Label
    keywords: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        min_length=1, max_length=20
    )
    description: str = Field(default="", max_length=200)


class PropertyUpdate(_Model):
    name: str = Field(min_length=1, max_length=64)
    value: str | int | float | bool


class Product(_Model):
    """A product offered by a product choice: answer `keyword` (e.g. "1") to pick it."""

    keyword: Label
    name: str = Field(min_length=1, max_length=100)
    product_id: str | None = Field(default=None, max_length=64)


# --- Steps ------------------------------------------------------------------------------

Content = Annotated[str, Field(min_length=1, max_length=1600)]


class _Step(_Model):
    id: StepId


class _Sending(_Step):
    """A step that sends an SMS: its text, and what it costs (filled in by us, not the model)."""

    content: Content
    # Added to every sending step in responses; recomputed, never trusted from input.
    segments: int | None = Field(default=None, ge=1)
    encoding: Encoding | None = None


class MessageStep(_Sending):
    type: Literal["message"]
    discount: Discount | None = None
    image_url: str | None = Field(default=None, max_length=500)  # sent as MMS
    contact_card: ContactCard | None = None
    events: list[NextEvent] = Field(max_length=1)


class SegmentStep(_Step):
    """Audience branching on customer properties (VIP, lapsed, first-time buyer, ...)."""

    type: Literal["segment"]
    branches: list[Branch] = Field(min_length=1, max_length=10)
    events: list[BranchEvent] = Field(max_length=11)


class DelayStep(_Step):
    type: Literal["delay"]
    duration: Duration
    events: list[NextEvent] = Field(max_length=1)


class ScheduleStep(_Step):
    """Time-based branching: which window of the week it is when the customer arrives."""

    type: Literal["schedule"]
    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    windows: list[TimeWindow] = Field(min_length=1, max_length=10)
    events: list[BranchEvent] = Field(max_length=11)


class ExperimentStep(_Step):
    """A/B test: customers are split between variants by share."""

    type: Literal["experiment"]
    variants: list[Variant] = Field(min_length=2, max_length=10)
    events: list[VariantEvent] = Field(max_length=10)


class RateLimitStep(_Step):
    """Message frequency control: at most `max_messages` SMS per `period` per customer."""

    type: Literal["rate_limit"]
    max_messages: int = Field(ge=1, le=1000)
    period: Duration
    events: list[LimitEvent] = Field(max_length=2)


class ReplyStep(_Step):
    """Wait for the customer's answer to the previous message and branch on its intent."""

    type: Literal["reply"]
    intents: list[Intent] = Field(min_length=1, max_length=10)
    events: list[ReplyStepEvent] = Field(max_length=11)


class NoReplyStep(_Step):
    """Wait `after` for any answer: `timeout` when none came, `replied` when one did."""

    type: Literal["no_reply"]
    after: Duration
    events: list[NoReplyStepEvent] = Field(max_length=2)


class SplitStep(_Step):
    """Generic branching on any customer or order property."""

    type: Literal["split"]
    branches: list[Branch] = Field(min_length=1, max_length=10)
    events: list[BranchEvent] = Field(max_length=11)


class PropertyStep(_Step):
    """Set customer properties (e.g. `winback_contacted = true`)."""

    type: Literal["property"]
    properties: list[PropertyUpdate] = Field(min_length=1, max_length=20)
    events: list[NextEvent] = Field(max_length=1)


class ProductChoiceStep(_Sending):
    """Send a list of products; the customer answers with a product's keyword."""

    type: Literal["product_choice"]
    products: list[Product] = Field(min_length=1, max_length=10)
    events: list[ChoiceStepEvent] = Field(max_length=11)


class PurchaseOfferStep(_Sending):
    """Cart recovery: an offer (usually with `{{cart_url}}`), then bought or not in time."""

    type: Literal["purchase_offer"]
    discount: Discount | None = None
    events: list[OfferEvent] = Field(max_length=2)


class PurchaseStep(_Step):
    """Place the order for the cart or the product the customer chose by SMS."""

    type: Literal["purchase"]
    items_from: Literal["cart", "product_choice"] = "cart"
    events: list[PurchaseStepEvent] = Field(max_length=2)


class LimitStep(_Step):
    """Occurrence limit: a customer passes here at most `max_occurrences` times per
    `period` (per lifetime without one)."""

    type: Literal["limit"]
    max_occurrences: int = Field(ge=1, le=1000)
    period: Duration | None = None
    events: list[LimitEvent] = Field(max_length=2)


class EndStep(_Step):
    type: Literal["end"]
    events: list[NextEvent] = Field(default_factory=list, max_length=0)


Step = Annotated[
    MessageStep
    | SegmentStep
    | DelayStep
    | ScheduleStep
    | ExperimentStep
    | RateLimitStep
    | ReplyStep
    | NoReplyStep
    | SplitStep
    | PropertyStep
    | ProductChoiceStep
    | PurchaseOfferStep
    | PurchaseStep
    | LimitStep
    | EndStep,
    Field(discriminator="type"),
]

SendingStep = MessageStep | ProductChoiceStep | PurchaseOfferStep

STEP_MODELS: dict[str, type[BaseModel]] = {
    "message": MessageStep,
    "segment": SegmentStep,
    "delay": DelayStep,
    "schedule": ScheduleStep,
    "experiment": ExperimentStep,
    "rate_limit": RateLimitStep,
    "reply": ReplyStep,
    "no_reply": NoReplyStep,
    "split": SplitStep,
    "property": PropertyStep,
    "product_choice": ProductChoiceStep,
    "purchase_offer": PurchaseOfferStep,
    "purchase": PurchaseStep,
    "limit": LimitStep,
    "end": EndStep,
}


class Flow(_Model):
    """The design's flow: where it starts and its steps (the response adds `metadata`)."""

    initial_step_id: StepId = Field(alias="initialStepID")
    steps: list[Step] = Field(min_length=1, max_length=100)

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)
