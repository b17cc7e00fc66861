"""Graph rules of a parsed flow: where it starts, where events lead, what each step must
branch on, whether every customer can reach an end, and loops that would spam.

Each rule returns Problems whose messages name the step and the fix.
"""

from __future__ import annotations

from collections.abc import Iterator

from core.flows.models import (
    DelayStep,
    EndStep,
    ExperimentStep,
    Flow,
    NoReplyStep,
    ProductChoiceStep,
    ReplyStep,
    ScheduleStep,
    SegmentStep,
    SplitStep,
    Step,
)
from core.flows.problems import Problem

# Event types a step of each node type needs exactly once (branch events are checked
# against the step's own labels below).
SINGLE_EVENTS: dict[str, tuple[str, ...]] = {
    "message": ("next",),
    "delay": ("next",),
    "property": ("next",),
    "purchase": ("next",),
    "segment": ("default",),
    "split": ("default",),
    "schedule": ("default",),
    "rate_limit": ("next", "limited"),
    "limit": ("next", "limited"),
    "reply": ("no_reply",),
    "no_reply": ("timeout", "replied"),
    "product_choice": ("no_reply",),
    "purchase_offer": ("purchase", "no_purchase"),
}
# Event types a node type may carry at most once without needing them.
OPTIONAL_EVENTS: dict[str, tuple[str, ...]] = {"purchase": ("failed",)}

WHY = {
    "next": "where the customer goes next",
    "default": "where customers who match no branch go",
    "limited": "where customers over the limit go",
    "no_reply": "where customers who don't answer go, and after how long",
    "timeout": "where customers who don't answer in time go",
    "replied": "where customers who answer go",
    "purchase": "where customers who buy go",
    "no_purchase": "where customers who don't buy go, and after how long",
}


def targets(step: Step) -> Iterator[str]:
    for event in step.events:
        yield event.next_step_id


def graph_problems(flow: Flow) -> list[Problem]:
    ids = {step.id for step in flow.steps}
    problems: list[Problem] = []
    if flow.initial_step_id not in ids:
        problems.append(
            Problem(
                "initial",
                None,
                f"initialStepID is '{flow.initial_step_id}', but no step has that id.",
            )
        )
    for step in flow.steps:
        problems += event_problems(step)
        problems += [
            Problem(
                "target",
                step.id,
                f"Step '{step.id}' sends customers to '{target}', which does not exist.",
            )
            for target in dict.fromkeys(targets(step))
            if target not in ids
        ]
        if isinstance(step, ExperimentStep):
            problems += share_problems(step)
    # Reachability means little while the start or a target is missing; a step already
    # reported (say, for a missing event) is not reported again as a dead end.
    if not any(problem.code in ("initial", "target") for problem in problems):
        problems += reach_problems(flow, {problem.step_id for problem in problems})
    return problems


def labels_of(step: Step) -> tuple[str, str, list[str]] | None:
    """(event type, what it is called, the labels) of a branching step's own branches."""
    if isinstance(step, SegmentStep | SplitStep):
        return "match", "branch", [branch.label for branch in step.branches]
    if isinstance(step, ScheduleStep):
        return "match", "window", [window.label for window in step.windows]
    if isinstance(step, ExperimentStep):
        return "variant", "variant", [variant.label for variant in step.variants]
    if isinstance(step, ReplyStep):
        return "reply", "intent", [intent.intent for intent in step.intents]
    if isinstance(step, ProductChoiceStep):
        return "choice", "product keyword", [product.keyword for product in step.products]
    return None


def event_label(event: object) -> str | None:
    for field in ("label", "intent", "keyword"):
        value = getattr(event, field, None)
        if isinstance(value, str):
            return value
    return None


def event_problems(step: Step) -> list[Problem]:
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    for event in step.events:
        counts[event.type] = counts.get(event.type, 0) + 1
    for kind in SINGLE_EVENTS.get(step.type, ()):
        if counts.get(kind, 0) == 0:
            problems.append(
                Problem(
                    "events",
                    step.id,
                    f"Step '{step.id}' ({step.type}) has no '{kind}' event: add one that "
                    f"says {WHY[kind]}.",
                )
            )
    for kind in (*SINGLE_EVENTS.get(step.type, ()), *OPTIONAL_EVENTS.get(step.type, ())):
        if counts.get(kind, 0) > 1:
            problems.append(
                Problem(
                    "events",
                    step.id,
                    f"Step '{step.id}' has {counts[kind]} '{kind}' events; keep exactly one.",
                )
            )
    return problems + branch_problems(step)


def branch_problems(step: Step) -> list[Problem]:
    described = labels_of(step)
    if described is None:
        return []
    kind, noun, labels = described
    problems = [
        Problem("events", step.id, f"Step '{step.id}' has two {plural(noun)} called '{label}'.")
        for label in dict.fromkeys(label for label in labels if labels.count(label) > 1)
    ]
    used = [
        label
        for event in step.events
        if event.type == kind and (label := event_label(event)) is not None
    ]
    for label in dict.fromkeys(labels):
        if label not in used:
            problems.append(
                Problem(
                    "events",
                    step.id,
                    f"Step '{step.id}' has no '{kind}' event for its {noun} '{label}': add "
                    f"one saying where those customers go.",
                )
            )
        elif used.count(label) > 1:
            problems.append(
                Problem(
                    "events",
                    step.id,
                    f"Step '{step.id}' has {used.count(label)} '{kind}' events for its {noun} "
                    f"'{label}'; keep one.",
                )
            )
    for label in dict.fromkeys(label for label in used if label not in labels):
        problems.append(
            Problem(
                "events",
                step.id,
                f"Step '{step.id}' has a '{kind}' event for '{label}', which is not one of "
                f"its {plural(noun)} ({', '.join(labels)}).",
            )
        )
    return problems


def plural(noun: str) -> str:
    return noun + ("es" if noun.endswith("ch") else "s")


def share_problems(step: ExperimentStep) -> list[Problem]:
    total = sum(variant.share for variant in step.variants)
    if total == 100:
        return []
    shares = " + ".join(str(variant.share) for variant in step.variants)
    return [
        Problem(
            "shares",
            step.id,
            f"Experiment '{step.id}' splits customers {shares} = {total} %; the shares must "
            f"add up to 100.",
        )
    ]


def reachable(flow: Flow, start: str) -> list[str]:
    """Step ids reachable from `start`, in breadth-first order."""
    by_id = {step.id: step for step in flow.steps}
    order, seen = [start], {start}
    for current in order:
        for target in targets(by_id[current]):
            if target in by_id and target not in seen:
                seen.add(target)
                order.append(target)
    return order


def reach_problems(flow: Flow, reported: set[str | None]) -> list[Problem]:
    """Orphans, dead ends and spam loops; only run once every target exists."""
    seen = set(reachable(flow, flow.initial_step_id))
    problems = [
        Problem(
            "orphan",
            step.id,
            f"Step '{step.id}' is never reached: no event leads to it from the start "
            f"'{flow.initial_step_id}'. Link it or remove it.",
        )
        for step in flow.steps
        if step.id not in seen
    ]
    ends = ending_ids(flow)
    problems += [
        Problem(
            "dead_end",
            step.id,
            f"Step '{step.id}' never reaches an end step: every path from it must lead to "
            f"a step of type 'end'.",
        )
        for step in flow.steps
        if step.id in seen and step.id not in ends and step.id not in reported
    ]
    return problems + cycle_problems(flow)


def ending_ids(flow: Flow) -> set[str]:
    """Steps from which some path reaches an end step."""
    done = {step.id for step in flow.steps if isinstance(step, EndStep)}
    changed = True
    while changed:
        changed = False
        for step in flow.steps:
            if step.id not in done and any(target in done for target in targets(step)):
                done.add(step.id)
                changed = True
    return done


def waits(step: Step) -> bool:
    """Time passes at this step: a delay, or waiting for the customer with a timeout."""
    return isinstance(step, DelayStep | NoReplyStep) or any(
        hasattr(event, "after") for event in step.events
    )


def cycle_problems(flow: Flow) -> list[Problem]:
    """A loop through steps where no time passes would message a customer without end."""
    instant = {step.id: step for step in flow.steps if not waits(step)}
    edges = {sid: [t for t in targets(step) if t in instant] for sid, step in instant.items()}
    problems: list[Problem] = []
    for component in strongly_connected(edges):
        first = component[0]
        if len(component) > 1 or first in edges[first]:
            path = " → ".join([*component, first])
            problems.append(
                Problem(
                    "cycle",
                    first,
                    f"Steps {path} form a loop with no delay: add a delay step (or a wait "
                    f"for a reply) inside it, or end the loop.",
                )
            )
    return problems


def strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components in discovery order of their root."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            children = edges[node]
            if position < len(children):
                work.append((node, position + 1))
                child = children[position]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component[::-1])
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found
