"""The flow as the design's JSON: the key order of its examples (`id`, `type`, `content`,
then the node's fields, `events` last; in events `type` first, `nextStepID` last), the
SMS cost of every sending step, and the JSON Schema a model is asked to answer in."""

from __future__ import annotations

from typing import Any

from core.flows.models import Flow, MessageStep, ProductChoiceStep, PurchaseOfferStep, Step
from core.flows.sms import segment_count

FIRST_KEYS = ("id", "type", "content", "segments", "encoding")


def annotate(flow: Flow) -> Flow:
    """The flow with `segments` and `encoding` computed for every sending step."""
    return flow.model_copy(update={"steps": [with_count(step) for step in flow.steps]})


def with_count(step: Step) -> Step:
    if not isinstance(step, MessageStep | ProductChoiceStep | PurchaseOfferStep):
        return step
    count = segment_count(step.content)
    return step.model_copy(update={"segments": count.segments, "encoding": count.encoding})


def flow_to_wire(flow: Flow) -> dict[str, Any]:
    """`{"initialStepID": ..., "steps": [...]}`; the caller adds `metadata`."""
    dumped = annotate(flow).model_dump(mode="json", by_alias=True, exclude_none=True)
    return {
        "initialStepID": dumped["initialStepID"],
        "steps": [ordered_step(step) for step in dumped["steps"]],
    }


def ordered_step(step: dict[str, Any]) -> dict[str, Any]:
    head = {key: step[key] for key in FIRST_KEYS if key in step}
    body = {key: value for key, value in step.items() if key not in head and key != "events"}
    return head | body | {"events": [ordered_event(event) for event in step["events"]]}


def ordered_event(event: dict[str, Any]) -> dict[str, Any]:
    body = {key: value for key, value in event.items() if key not in ("type", "nextStepID")}
    return {"type": event["type"]} | body | {"nextStepID": event["nextStepID"]}


def flow_json_schema() -> dict[str, Any]:
    """The whole flow's JSON Schema (for response_format); per-node files in schemas/flows."""
    return Flow.model_json_schema(by_alias=True)
