"""A flow as Graphviz DOT text (pure text; drawing it is the bot adapter's job).

Each step is a node labelled with its type, its id and, for sending steps, the start of
its text and its SMS cost; each event is an edge labelled with what makes a customer take
it. Shapes say what a step does: boxes send, diamonds branch or wait for the customer,
an hourglass-like ellipse waits, the end is a double circle.
"""

from __future__ import annotations

import textwrap

from core.flows.models import (
    DelayStep,
    ExperimentStep,
    Flow,
    MessageStep,
    ProductChoiceStep,
    PurchaseOfferStep,
    Step,
)
from core.flows.simulate import duration_text, label_of
from core.flows.sms import segment_count

SHAPES = {
    "message": ("box", "#dbeafe"),
    "product_choice": ("box", "#dbeafe"),
    "purchase_offer": ("box", "#dcfce7"),
    "purchase": ("box", "#dcfce7"),
    "delay": ("ellipse", "#f3f4f6"),
    "no_reply": ("diamond", "#fef3c7"),
    "reply": ("diamond", "#fef3c7"),
    "segment": ("diamond", "#ede9fe"),
    "split": ("diamond", "#ede9fe"),
    "schedule": ("diamond", "#ede9fe"),
    "experiment": ("diamond", "#fce7f3"),
    "rate_limit": ("octagon", "#fee2e2"),
    "limit": ("octagon", "#fee2e2"),
    "property": ("note", "#f3f4f6"),
    "end": ("doublecircle", "#e5e7eb"),
}
EXCERPT = 60
WRAP = 28


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def flow_to_dot(flow: Flow) -> str:
    lines = [
        "digraph flow {",
        '  graph [rankdir=TB, fontname="Helvetica", nodesep=0.4, ranksep=0.5];',
        '  node [fontname="Helvetica", fontsize=10, style="filled,rounded"];',
        '  edge [fontname="Helvetica", fontsize=9];',
        '  start [shape=point, width=0.15, label=""];',
        f"  start -> {quote(flow.initial_step_id)};",
    ]
    lines += [node_line(step) for step in flow.steps]
    lines += [edge for step in flow.steps for edge in edge_lines(step)]
    return "\n".join([*lines, "}"]) + "\n"


def node_line(step: Step) -> str:
    shape, color = SHAPES[step.type]
    return (
        f"  {quote(step.id)} [shape={shape}, fillcolor={quote(color)}, label={quote(label(step))}];"
    )


def label(step: Step) -> str:
    parts = [f"{step.type.replace('_', ' ')}: {step.id}"]
    if isinstance(step, MessageStep | ProductChoiceStep | PurchaseOfferStep):
        text = " ".join(step.content.split())
        excerpt = text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
        parts += textwrap.wrap(excerpt, WRAP)
        count = segment_count(step.content)
        parts.append(f"{count.segments} seg · {count.encoding}")
    elif isinstance(step, DelayStep):
        parts.append(f"wait {duration_text(step.duration)}")
    return "\n".join(parts)


def edge_lines(step: Step) -> list[str]:
    return [
        f"  {quote(step.id)} -> {quote(event.next_step_id)}"
        + (f" [label={quote(text)}]" if (text := edge_label(step, event)) else "")
        + ";"
        for event in step.events
    ]


def edge_label(step: Step, event: object) -> str:
    kind = str(getattr(event, "type", ""))
    named = label_of(event)
    after = getattr(event, "after", None)
    if kind == "variant" and isinstance(step, ExperimentStep):
        share = next((v.share for v in step.variants if v.label == named), 0)
        return f"{named} ({share} %)"
    if named is not None:
        return f'"{named}"' if kind in ("reply", "choice") else named
    words = {
        "next": "",
        "default": "otherwise",
        "timeout": "no reply",
        "replied": "replied",
        "purchase": "bought",
        "limited": "over limit",
        "failed": "failed",
        "no_reply": "no reply",
        "no_purchase": "not bought",
    }
    text = words.get(kind, kind)
    return f"{text} ({duration_text(after)})" if after is not None else text
