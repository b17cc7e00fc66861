"""Validation of a flow as the model wrote it: JSON shape, each step against its node
type's schema, then the graph rules and the SMS rules. No fixes here (core.flows.fixes).

Steps are parsed one by one so a schema error names its step; the graph and SMS rules run
on the parsed Flow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from core.flows.graph import graph_problems, targets
from core.flows.models import (
    STEP_MODELS,
    STEP_TYPES,
    Flow,
    MessageStep,
    ProductChoiceStep,
    PurchaseOfferStep,
    Step,
)
from core.flows.problems import Problem
from core.flows.sms import (
    MAX_SEGMENTS,
    OPT_OUT_LINE,
    has_opt_out,
    link_allowed,
    links_in,
    placeholder_issues,
    segment_count,
)

SENDING = (MessageStep, ProductChoiceStep, PurchaseOfferStep)
EVENT_TYPES = (
    "next",
    "match",
    "default",
    "variant",
    "reply",
    "no_reply",
    "timeout",
    "replied",
    "choice",
    "purchase",
    "no_purchase",
    "limited",
    "failed",
)
UNION_TAGS = frozenset((*EVENT_TYPES, *STEP_TYPES))


@dataclass(frozen=True)
class Validation:
    flow: Flow | None  # None when the JSON or a step's schema is wrong
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.flow is not None and not self.problems


def validate_flow(
    raw: Mapping[str, Any] | str | Flow, *, link_allowlist: Sequence[str] = ()
) -> Validation:
    flow, problems = (raw, []) if isinstance(raw, Flow) else parse_flow(raw)
    if flow is None:
        return Validation(None, problems)
    # A lone string is one host, not a sequence of one-letter hosts.
    hosts = (link_allowlist,) if isinstance(link_allowlist, str) else tuple(link_allowlist)
    problems = graph_problems(flow) + sms_problems(flow, hosts)
    return Validation(flow, problems)


def load_json(raw: Mapping[str, Any] | str) -> tuple[dict[str, Any] | None, list[Problem]]:
    if not isinstance(raw, str):
        return dict(raw), []
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        return None, [
            Problem(
                "json",
                None,
                f"The flow is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}.",
            )
        ]
    if not isinstance(data, dict):
        return None, [
            Problem("json", None, "The flow must be a JSON object with initialStepID and steps.")
        ]
    return data, []


def parse_flow(raw: Mapping[str, Any] | str) -> tuple[Flow | None, list[Problem]]:
    data, problems = load_json(raw)
    if data is None:
        return None, problems
    problems = shape_problems(data)
    if problems:
        return None, problems
    for index, step in enumerate(data["steps"]):
        problems += step_problems(step, index)
    problems += duplicate_problems(data["steps"])
    if problems:
        return None, problems
    return Flow.model_validate(data), []


def shape_problems(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    unknown = sorted(set(data) - {"initialStepID", "steps", "metadata"})
    if unknown:
        problems.append(
            Problem(
                "json",
                None,
                f"The flow has unknown top-level fields: {', '.join(unknown)}; only "
                "initialStepID and steps are allowed.",
            )
        )
    if not isinstance(data.get("initialStepID"), str) or not data["initialStepID"]:
        problems.append(
            Problem(
                "json",
                None,
                "The flow has no initialStepID: name the id of the step it starts with.",
            )
        )
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        problems.append(
            Problem("json", None, "The flow has no steps: 'steps' must be a non-empty list.")
        )
    elif len(steps) > 100:
        problems.append(
            Problem("json", None, f"The flow has {len(steps)} steps; at most 100 are allowed.")
        )
    return problems


def step_name(step: object, index: int) -> str:
    if isinstance(step, dict) and isinstance(step.get("id"), str) and step["id"]:
        return str(step["id"])
    return f"#{index + 1}"


def step_problems(step: object, index: int) -> list[Problem]:
    name = step_name(step, index)
    if not isinstance(step, dict):
        return [Problem("schema", None, f"Step {name} is not a JSON object.")]
    kind = step.get("type")
    if kind not in STEP_TYPES:
        return [
            Problem(
                "schema",
                name,
                f"Step '{name}' has type {json.dumps(kind)}, which is not a node type "
                f"(one of: {', '.join(STEP_TYPES)}).",
            )
        ]
    try:
        STEP_MODELS[str(kind)].model_validate(step)
    except ValidationError as error:
        return [
            Problem("schema", name, f"Step '{name}' ({kind}): {describe(detail)}")
            for detail in error.errors(include_url=False)
        ]
    return []


# What a pattern means, for the sentence (the regex itself helps nobody).
PATTERNS = {
    r"^([01]\d|2[0-3]):[0-5]\d$": "must be a time like 09:00",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": "must be letters, digits, '-', '_' or '.' (e.g. wait-2d)",
}


def location(loc: Sequence[int | str]) -> str:
    """`events[1].reply.intent` → `events[1].intent`: the union's tag is pydantic's, not
    a field the model wrote."""
    parts: list[str] = []
    for index, part in enumerate(loc):
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif not (index and isinstance(loc[index - 1], int) and part in UNION_TAGS):
            parts.append(f".{part}")
    return "".join(parts).lstrip(".")


def describe(detail: Mapping[str, Any]) -> str:
    """A pydantic error as a sentence: where, then what is wrong."""
    where = location(detail["loc"])
    kind = detail["type"]
    context = detail.get("ctx") or {}
    if kind == "missing":
        return f"'{where}' is missing."
    if kind == "extra_forbidden":
        return f"'{where}' is not a field of this node type; remove it."
    if kind == "union_tag_invalid":
        tag, allowed = context.get("tag", "?"), context.get("expected_tags", "?")
        return f"'{where}' has type '{tag}', which this node type can't have (allowed: {allowed})."
    if kind == "string_pattern_mismatch" and context.get("pattern") in PATTERNS:
        return f"'{where}' {PATTERNS[context['pattern']]}."
    message = str(detail["msg"]).replace("Input should be", "must be").rstrip(".")
    return f"'{where}' {message[0].lower()}{message[1:]}."


def duplicate_problems(steps: list[Any]) -> list[Problem]:
    ids = [
        step["id"] for step in steps if isinstance(step, dict) and isinstance(step.get("id"), str)
    ]
    return [
        Problem(
            "duplicate",
            str(step_id),
            f"{ids.count(step_id)} steps have the id '{step_id}'; each step needs its own id.",
        )
        for step_id in dict.fromkeys(step_id for step_id in ids if ids.count(step_id) > 1)
    ]


def first_sending(flow: Flow) -> list[Step]:
    """The steps that send a customer's first SMS: reached from the start without passing
    another sending step (a branch before the first message gives several)."""
    by_id = {step.id: step for step in flow.steps}
    if flow.initial_step_id not in by_id:
        return []
    found: list[Step] = []
    order, seen = [flow.initial_step_id], {flow.initial_step_id}
    for current in order:
        step = by_id[current]
        if isinstance(step, SENDING):
            found.append(step)
            continue
        for target in targets(step):
            if target in by_id and target not in seen:
                seen.add(target)
                order.append(target)
    return found


def sms_problems(flow: Flow, allowlist: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    for step in flow.steps:
        if isinstance(step, SENDING):
            problems += content_problems(step, allowlist)
        if (
            isinstance(step, MessageStep)
            and step.image_url
            and allowlist
            and not link_allowed(step.image_url, allowlist)
        ):
            problems.append(
                Problem(
                    "link",
                    step.id,
                    f"Step '{step.id}' has the image {step.image_url}, whose host is not in "
                    f"the allowlist ({', '.join(allowlist)}).",
                )
            )
    problems += [
        Problem(
            "opt_out",
            step.id,
            f"Step '{step.id}' is the first message customers get but has no opt-out "
            f'wording: end it with "{OPT_OUT_LINE}"',
        )
        for step in first_sending(flow)
        if isinstance(step, SENDING) and not has_opt_out(step.content)
    ]
    return problems


def content_problems(
    step: MessageStep | ProductChoiceStep | PurchaseOfferStep, allowlist: tuple[str, ...]
) -> list[Problem]:
    problems = [
        Problem("placeholder", step.id, f"Step '{step.id}' {issue}.")
        for issue in placeholder_issues(step.content)
    ]
    if allowlist:
        problems += [
            Problem(
                "link",
                step.id,
                f"Step '{step.id}' links to {link}, which is not in the allowlist "
                f"({', '.join(allowlist)}); use {{{{cart_url}}}} or an allowed host.",
            )
            for link in dict.fromkeys(links_in(step.content))
            if not link_allowed(link, allowlist)
        ]
    count = segment_count(step.content)
    if count.segments > MAX_SEGMENTS:
        problems.append(
            Problem(
                "length",
                step.id,
                f"Step '{step.id}' is {count.segments} SMS segments ({count.units} "
                f"{count.encoding} units); shorten it to {MAX_SEGMENTS} segments or fewer, "
                "or split it into two messages.",
            )
        )
    return problems
