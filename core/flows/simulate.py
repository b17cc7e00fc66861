""" "Try it": a dry run of a flow for one simulated customer.

The person decides what the customer does where a customer acts — at a reply, a no-reply
wait, a product choice, a purchase offer, a purchase that can fail — and sees, in order,
the messages the customer would receive and the waits between them. Everything else is
decided here and said in a note line: segments and splits on the customer's properties,
schedules on a simulated clock, experiments take their first variant with a share, limits
count the customer's own passes and messages.

`simulate` is a pure replay: given the actions chosen so far it walks from the start and
stops at the first decision it has no action for (`pending`), at an end step, or after
MAX_STEPS (a loop). A Telegram card keeps the list of actions and replays, so nothing of
the walk has to be stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from core.flows.models import (
    Condition,
    DelayStep,
    Duration,
    EndStep,
    ExperimentStep,
    Flow,
    LimitStep,
    MessageStep,
    NoReplyStep,
    ProductChoiceStep,
    PropertyStep,
    PurchaseOfferStep,
    PurchaseStep,
    RateLimitStep,
    ReplyStep,
    ScheduleStep,
    SegmentStep,
    SplitStep,
    Step,
    TimeWindow,
)
from core.flows.sms import PLACEHOLDERS, render, segment_count

MAX_STEPS = 200
IGNORE = "ignore"
BUY = "buy"
REPLY = "reply"
FAIL = "fail"
# Monday 10:00 UTC: schedules are judged on this clock plus the waits so far.
DEFAULT_START = datetime(2026, 1, 5, 10, 0)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UNIT_DELTAS = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
    "weeks": timedelta(weeks=1),
}

LineKind = Literal["message", "wait", "customer", "note"]
Outcome = Literal["ended", "waiting", "loop"]
PropertyValue = str | float | bool


@dataclass(frozen=True, slots=True)
class SimLine:
    kind: LineKind
    step_id: str
    text: str
    elapsed: timedelta  # since the customer entered the flow
    segments: int = 0  # for messages: what this SMS costs


@dataclass(frozen=True, slots=True)
class Option:
    action: str  # what to pass back in `actions` (≤ 20 characters)
    label: str  # for a button: 'Replies "YES"', 'Ignores (1 day)', 'Buys'


@dataclass(frozen=True, slots=True)
class Decision:
    step_id: str
    prompt: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Simulation:
    lines: list[SimLine]
    outcome: Outcome
    pending: Decision | None = None  # set when outcome == "waiting"
    ended_at: str | None = None  # the end step reached

    @property
    def messages(self) -> list[SimLine]:
        return [line for line in self.lines if line.kind == "message"]


@dataclass
class Walk:
    """The state of one replay."""

    flow: Flow
    actions: Sequence[str]
    customer: dict[str, PropertyValue]
    start: datetime
    lines: list[SimLine] = field(default_factory=list)
    elapsed: timedelta = timedelta(0)
    used: int = 0
    visits: dict[str, list[timedelta]] = field(default_factory=dict)

    def add(self, kind: LineKind, step: Step, text: str, segments: int = 0) -> None:
        self.lines.append(SimLine(kind, step.id, text, self.elapsed, segments))

    def next_action(self) -> str | None:
        if self.used >= len(self.actions):
            return None
        self.used += 1
        return self.actions[self.used - 1]

    def wait(self, step: Step, duration: Duration, why: str) -> None:
        self.add("wait", step, f"{why} {duration_text(duration)}")
        self.elapsed += to_delta(duration)


class NeedAction(Exception):
    """The walk reached a decision with no action left: the caller asks the person."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.prompt)
        self.decision = decision


def simulate(
    flow: Flow,
    actions: Sequence[str] = (),
    *,
    customer: Mapping[str, PropertyValue] | None = None,
    start: datetime = DEFAULT_START,
) -> Simulation:
    walk = Walk(flow, actions, dict(customer or {}), start)
    by_id = {step.id: step for step in flow.steps}
    current: str | None = flow.initial_step_id
    for _ in range(MAX_STEPS):
        step = by_id.get(current or "")
        if step is None or isinstance(step, EndStep):
            return Simulation(walk.lines, "ended", ended_at=step.id if step else current)
        walk.visits.setdefault(step.id, []).append(walk.elapsed)
        try:
            current = advance(walk, step)
        except NeedAction as need:
            return Simulation(walk.lines, "waiting", pending=need.decision)
    return Simulation(walk.lines, "loop")


def advance(walk: Walk, step: Step) -> str:
    """Run one step; the id of the step the customer goes to next."""
    if isinstance(step, MessageStep | ProductChoiceStep | PurchaseOfferStep):
        send(walk, step)
    if isinstance(step, ReplyStep | ProductChoiceStep | NoReplyStep):
        return answer(walk, step)
    if isinstance(step, PurchaseOfferStep | PurchaseStep):
        return buy(walk, step)
    if isinstance(step, SegmentStep | SplitStep | ScheduleStep | ExperimentStep):
        return branch(walk, step)
    if isinstance(step, RateLimitStep | LimitStep):
        return limit(walk, step)
    if isinstance(step, DelayStep):
        walk.wait(step, step.duration, "Waits")
    if isinstance(step, PropertyStep):
        for update in step.properties:
            walk.customer[update.name] = update.value
        settings = ", ".join(f"{update.name} = {update.value}" for update in step.properties)
        walk.add("note", step, f"Sets {settings}")
    return target(step, "next")


def target(step: Step, kind: str, label: str | None = None) -> str:
    for event in step.events:
        if event.type == kind and (label is None or label_of(event) == label):
            return event.next_step_id
    raise LookupError(f"step {step.id!r} has no {kind!r} event")  # a valid flow always has


def label_of(event: object) -> str | None:
    for name in ("label", "intent", "keyword"):
        value = getattr(event, name, None)
        if isinstance(value, str):
            return value
    return None


def send(walk: Walk, step: MessageStep | ProductChoiceStep | PurchaseOfferStep) -> None:
    values = {key: str(value) for key, value in walk.customer.items() if key in PLACEHOLDERS}
    text = render(step.content, values)
    walk.add("message", step, text, segment_count(step.content).segments)
    if isinstance(step, MessageStep) and step.image_url:
        walk.add("note", step, f"With the image {step.image_url}")
    if isinstance(step, MessageStep) and step.contact_card:
        walk.add("note", step, f"With the contact card {step.contact_card.name}")


def decide(walk: Walk, decision: Decision) -> str:
    action = walk.next_action()
    if action is None:
        raise NeedAction(decision)
    known = {option.action for option in decision.options}
    return action if action in known else IGNORE


def answer(walk: Walk, step: ReplyStep | ProductChoiceStep | NoReplyStep) -> str:
    if isinstance(step, NoReplyStep):
        options = (
            Option(REPLY, "Replies"),
            Option(IGNORE, f"Ignores ({duration_text(step.after)})"),
        )
        if decide(walk, Decision(step.id, "Does the customer answer?", options)) == REPLY:
            walk.add("customer", step, "Replies")
            return target(step, "replied")
        walk.wait(step, step.after, "No answer for")
        return target(step, "timeout")
    after = next(event.after for event in step.events if event.type == "no_reply")
    if isinstance(step, ReplyStep):
        answers = [
            Option(intent.intent[:20], f'Replies "{intent.keywords[0]}"') for intent in step.intents
        ]
        kind = "reply"
    else:
        answers = [
            Option(p.keyword[:20], f'Replies "{p.keyword}" ({p.name})') for p in step.products
        ]
        kind = "choice"
    choices = (*answers, Option(IGNORE, f"Ignores ({duration_text(after)})"))
    action = decide(walk, Decision(step.id, "What does the customer answer?", choices))
    if action == IGNORE:
        walk.wait(step, after, "No answer for")
        return target(step, "no_reply")
    chosen = next(option for option in answers if option.action == action)
    walk.add("customer", step, chosen.label)
    labels = [label_of(event) for event in step.events if event.type == kind]
    return target(step, kind, next(label for label in labels if label and label[:20] == action))


def buy(walk: Walk, step: PurchaseOfferStep | PurchaseStep) -> str:
    if isinstance(step, PurchaseStep):
        failing = any(event.type == "failed" for event in step.events)
        if failing:
            options = (Option(BUY, "Payment goes through"), Option(FAIL, "Payment fails"))
            if decide(walk, Decision(step.id, "Does the order go through?", options)) == FAIL:
                walk.add("note", step, "The order could not be placed")
                return target(step, "failed")
        walk.add("note", step, f"Order placed ({step.items_from.replace('_', ' ')})")
        return target(step, "next")
    after = next(event.after for event in step.events if event.type == "no_purchase")
    options = (Option(BUY, "Buys"), Option(IGNORE, f"Doesn't buy ({duration_text(after)})"))
    if decide(walk, Decision(step.id, "Does the customer buy?", options)) == BUY:
        walk.add("customer", step, "Buys")
        return target(step, "purchase")
    walk.wait(step, after, "No purchase for")
    return target(step, "no_purchase")


def branch(walk: Walk, step: SegmentStep | SplitStep | ScheduleStep | ExperimentStep) -> str:
    if isinstance(step, ExperimentStep):
        variant = next(variant for variant in step.variants if variant.share > 0)
        walk.add("note", step, f"A/B test: variant '{variant.label}' ({variant.share} %)")
        return target(step, "variant", variant.label)
    if isinstance(step, ScheduleStep):
        now = walk.start + walk.elapsed
        labels = [window.label for window in step.windows if in_window(window, now)]
    else:
        labels = [
            item.label
            for item in step.branches
            if all(holds(condition, walk.customer) for condition in item.conditions)
        ]
    if labels:
        walk.add("note", step, f"{step.type.title()}: goes to '{labels[0]}'")
        return target(step, "match", labels[0])
    walk.add("note", step, f"{step.type.title()}: no branch matches, the default path")
    return target(step, "default")


def limit(walk: Walk, step: RateLimitStep | LimitStep) -> str:
    if isinstance(step, RateLimitStep):
        since = walk.elapsed - to_delta(step.period)
        sent = [line for line in walk.lines if line.kind == "message" and line.elapsed > since]
        # At the limit already: one more message would exceed it.
        over = len(sent) >= step.max_messages
        what = f"{len(sent)} sent in {duration_text(step.period)}, limit {step.max_messages}"
    else:
        window = walk.elapsed - to_delta(step.period) if step.period else None
        passes = [t for t in walk.visits[step.id] if window is None or t > window]
        over = len(passes) > step.max_occurrences
        what = f"pass {len(passes)}, limit {step.max_occurrences}"
    walk.add("note", step, f"{'Over the limit' if over else 'Within the limit'} ({what})")
    return target(step, "limited" if over else "next")


def holds(condition: Condition, customer: Mapping[str, PropertyValue]) -> bool:
    value = customer.get(condition.property)
    operator, expected = condition.operator, condition.value
    if operator in ("exists", "not_exists"):
        return (value is not None) == (operator == "exists")
    if value is None:
        return operator == "not_equals"
    if operator in ("greater_than", "less_than"):
        try:
            left, right = float(value), float(str(expected))
        except ValueError:
            return False
        return left > right if operator == "greater_than" else left < right
    if operator == "contains":
        return str(expected).lower() in str(value).lower()
    same = str(value).lower() == str(expected).lower()
    return same if operator == "equals" else not same


def in_window(window: TimeWindow, now: datetime) -> bool:
    """HH:MM strings compare in time order; a window past midnight (22:00-06:00) wraps."""
    clock, start, end = now.strftime("%H:%M"), window.start, window.end
    inside = start <= clock < end if start <= end else clock >= start or clock < end
    return WEEKDAYS[now.weekday()] in window.days and inside


def to_delta(duration: Duration) -> timedelta:
    return UNIT_DELTAS[duration.unit] * duration.value


def duration_text(duration: Duration) -> str:
    unit = duration.unit.removesuffix("s") if duration.value == 1 else duration.unit
    return f"{duration.value} {unit}"


def elapsed_text(elapsed: timedelta) -> str:
    """`+2 days 3 hours` since the start, `at once` for zero (for transcripts)."""
    if not elapsed:
        return "at once"
    days, rest = elapsed.days, elapsed.seconds
    hours, minutes = rest // 3600, rest % 3600 // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    return "+" + " ".join(f"{n} {name}{'s' if n != 1 else ''}" for n, name in parts if n)
