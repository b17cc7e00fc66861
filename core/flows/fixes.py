"""Deterministic fixes for the mistakes models make most, applied to the raw JSON before
validation so no repair call is spent on them. Each fix that changes something records one
correction line, in words a person can check.

The fixes: JSON wrapped in prose or a code fence; node and event type names in the wrong
case ("MESSAGE", "purchaseOffer"); `nextStepId` spellings; missing or duplicate step ids; a
missing initialStepID; a missing end step; events pointing nowhere (retargeted to the step
meant when only the case differs, else to the end); steps missing the event that says
where customers go next (sent to the end); placeholders in the wrong syntax; an over-long
message split at a sentence; the opt-out line on the first message. `segments` and
`encoding` are dropped: they are recomputed from the content, never trusted.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.flows.graph import SINGLE_EVENTS
from core.flows.models import STEP_TYPES
from core.flows.sms import (
    BRACED,
    MAX_SEGMENTS,
    OPT_OUT_LINE,
    PLACEHOLDER,
    has_opt_out,
    normalize_placeholder,
    segment_count,
)

JsonObject = dict[str, Any]

TYPE_SYNONYMS = {
    "sms": "message",
    "send_message": "message",
    "wait": "delay",
    "ab_test": "experiment",
    "a_b_test": "experiment",
    "exit": "end",
    "stop": "end",
    "wait_for_reply": "reply",
    "condition": "split",
}
EVENT_TYPE_SYNONYMS = {
    "noreply": "no_reply",
    "no_response": "no_reply",
    "nopurchase": "no_purchase",
}
TARGET_KEYS = ("nextStepId", "next_step_id", "nextStepID ", "next_step", "nextStep", "target")
# Events a step gets when it lacks one, all leading to the end; the waits default to a day.
WAIT_EVENTS = {"no_reply", "no_purchase"}
SENDING_TYPES = {"message", "product_choice", "purchase_offer"}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Fixed:
    data: JsonObject  # the fixed flow JSON (unparsed)
    corrections: list[str] = field(default_factory=list)


def fix_flow(raw: Mapping[str, Any] | str) -> Fixed:
    """The flow with every deterministic fix applied; unknown shapes are left to validation."""
    fixed = Fixed({})
    data = unwrap(raw, fixed.corrections)
    if data is None or not isinstance(data.get("steps"), list):
        fixed.data = data or {}
        return fixed
    fixed.data = data
    data["steps"] = [step for step in data["steps"] if isinstance(step, dict)]
    strip_counts(data)
    fix_type_names(data, fixed.corrections)
    renamed = fix_ids(data, fixed.corrections)
    for fix in (
        fix_initial,
        fix_end,
        fix_targets,
        fix_missing_events,
        fix_placeholders,
        fix_long_messages,
        fix_opt_out,
    ):
        fix(data, fixed.corrections)
    drop_unreached(data, renamed, fixed.corrections)
    return fixed


def unwrap(raw: Mapping[str, Any] | str, notes: list[str]) -> JsonObject | None:
    if not isinstance(raw, str):
        return copy.deepcopy(dict(raw))
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        start, end = raw.find("{"), raw.rfind("}")
        if start < 0 or end <= start:
            return None
        try:
            data = json.loads(raw[start : end + 1])
        except json.JSONDecodeError:
            return None
        notes.append("Removed the text around the flow's JSON.")
    return data if isinstance(data, dict) else None


def snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name.strip())
    return re.sub(r"[\s-]+", "_", name).lower()


def fix_type_names(data: JsonObject, notes: list[str]) -> None:
    for index, step in enumerate(data["steps"]):
        kind = step.get("type")
        if isinstance(kind, str) and kind not in STEP_TYPES:
            name = TYPE_SYNONYMS.get(snake(kind), snake(kind))
            if name in STEP_TYPES:
                step["type"] = name
                where = f"'{step['id']}'" if step.get("id") else f"#{index + 1}"
                notes.append(f"Step {where}: type '{kind}' written as '{name}'.")
        for event in events_of(step):
            fix_event_keys(step, event, notes)


def events_of(step: JsonObject) -> list[JsonObject]:
    events = step.get("events")
    if not isinstance(events, list):
        return []
    step["events"] = [event for event in events if isinstance(event, dict)]
    return list(step["events"])


def fix_event_keys(step: JsonObject, event: JsonObject, notes: list[str]) -> None:
    kind = event.get("type")
    if isinstance(kind, str):
        name = EVENT_TYPE_SYNONYMS.get(snake(kind).replace("_", ""), snake(kind))
        if name != kind:
            event["type"] = name
            notes.append(f"Step '{step.get('id')}': event type '{kind}' written as '{name}'.")
    for key in TARGET_KEYS:
        if key in event and "nextStepID" not in event:
            event["nextStepID"] = event.pop(key)
            notes.append(f"Step '{step.get('id')}': '{key}' renamed to 'nextStepID'.")


def fix_ids(data: JsonObject, notes: list[str]) -> set[str]:
    """Unique ids for all steps; returns the ids given to duplicates."""
    seen: dict[str, JsonObject] = {}
    renamed: set[str] = set()
    kept: list[JsonObject] = []
    for index, step in enumerate(data["steps"]):
        step_id = step.get("id")
        if not isinstance(step_id, str) or not step_id.strip():
            step_id = unique_id(f"step-{index + 1}", seen)
            step["id"] = step_id
            notes.append(f"Step #{index + 1} had no id; it is now '{step_id}'.")
        if step_id in seen:
            if step == seen[step_id]:
                notes.append(f"Removed a second, identical copy of step '{step_id}'.")
                continue
            new_id = unique_id(step_id, seen)
            step["id"] = new_id
            renamed.add(new_id)
            notes.append(f"Two steps had the id '{step_id}'; the second is now '{new_id}'.")
        seen[step["id"]] = step
        kept.append(step)
    data["steps"] = kept
    return renamed


def unique_id(base: str, taken: Mapping[str, object]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def ids_of(data: JsonObject) -> dict[str, JsonObject]:
    return {step["id"]: step for step in data["steps"]}


def shown(value: object) -> str:
    """A value as a correction line quotes it: 'name', or its JSON when not a string."""
    return f"'{value}'" if isinstance(value, str) else json.dumps(value)


def text(value: object) -> str:
    """A JSON value as a key: models put lists or objects where a name belongs."""
    return value if isinstance(value, str) else ""


def fix_initial(data: JsonObject, notes: list[str]) -> None:
    initial = data.get("initialStepID")
    ids = ids_of(data)
    if text(initial) in ids or not ids:
        return
    match = closest(initial, ids) if isinstance(initial, str) else None
    data["initialStepID"] = match or data["steps"][0]["id"]
    said = f"{shown(initial)} names no step" if initial else "was missing"
    notes.append(f"initialStepID {said}; the flow now starts at '{data['initialStepID']}'.")


def closest(target: str, ids: Mapping[str, object]) -> str | None:
    """The step meant when only case, spaces or underscores differ from an existing id."""

    def key(value: str) -> str:
        return re.sub(r"[\s_-]+", "-", value.strip().lower())

    return next((step_id for step_id in ids if key(step_id) == key(target)), None)


def end_id(data: JsonObject, notes: list[str]) -> str:
    """The id of the flow's end step, added when there is none."""
    for step in data["steps"]:
        if step.get("type") == "end":
            return str(step["id"])
    new_id = unique_id("end", ids_of(data))
    data["steps"].append({"id": new_id, "type": "end", "events": []})
    notes.append(f"The flow had no end step; added '{new_id}'.")
    return new_id


def fix_end(data: JsonObject, notes: list[str]) -> None:
    """An end step has no events. A missing end is added by the fixes that need one to
    point to (end_id), so an unused end never becomes an orphan."""
    for step in data["steps"]:
        if step.get("type") == "end":
            if step.get("events"):
                notes.append(f"End step '{step['id']}' had events; they were removed.")
            step["events"] = []


def fix_targets(data: JsonObject, notes: list[str]) -> None:
    ids = ids_of(data)
    for step in data["steps"]:
        for event in events_of(step):
            target = event.get("nextStepID")
            if text(target) in ids:
                continue
            new = (closest(target, ids) if isinstance(target, str) else None) or end_id(data, notes)
            ids = ids_of(data)
            if new == target:
                continue  # it pointed to "end" and the end step just added has that id
            event["nextStepID"] = new
            reason = f"{shown(target)}, which does not exist" if target else "nowhere"
            notes.append(
                f"Step '{step['id']}': an event pointed to {reason}; it now goes to "
                f"'{event['nextStepID']}'."
            )


def fix_missing_events(data: JsonObject, notes: list[str]) -> None:
    for step in list(data["steps"]):
        needed = SINGLE_EVENTS.get(text(step.get("type")), ())
        present = {text(event.get("type")) for event in events_of(step)}
        for kind in needed:
            if kind in present:
                continue
            event: JsonObject = {"type": kind, "nextStepID": end_id(data, notes)}
            if kind in WAIT_EVENTS:
                event["after"] = {"value": 1, "unit": "days"}
            step["events"] = [*events_of(step), event]
            wait = " after 1 day" if kind in WAIT_EVENTS else ""
            notes.append(
                f"Step '{step['id']}' had no '{kind}' event; added one{wait} to "
                f"'{event['nextStepID']}'."
            )


def fix_placeholders(data: JsonObject, notes: list[str]) -> None:
    for step in data["steps"]:
        content = step.get("content")
        if not isinstance(content, str):
            continue

        def repair(match: re.Match[str]) -> str:
            name = normalize_placeholder(match.group(0))
            return f"{{{{{name}}}}}" if name else match.group(0)

        parts = PLACEHOLDER.split(content)
        # split() alternates text and captured names; only text parts are rewritten.
        rebuilt = "".join(
            f"{{{{{part}}}}}" if index % 2 else BRACED.sub(repair, part)
            for index, part in enumerate(parts)
        )
        if rebuilt != content:
            step["content"] = rebuilt
            notes.append(f"Step '{step['id']}': placeholders written as {{{{name}}}}.")


def fix_long_messages(data: JsonObject, notes: list[str]) -> None:
    """A message over MAX_SEGMENTS is split at sentence ends into messages that fit; one
    that has no such split (or another sending type) is left for validation to flag. A
    first message keeps its opt-out line on its first part, where the customer reads it."""
    first = {id(step) for step in first_sending_raw(data)}
    for step in list(data["steps"]):
        content = step.get("content")
        if step.get("type") != "message" or not isinstance(content, str):
            continue
        if segment_count(content).segments <= MAX_SEGMENTS:
            continue
        sentences = SENTENCE_END.split(content.strip())
        opt_out = [s for s in sentences if has_opt_out(s)] if id(step) in first else []
        keep = " ".join(opt_out) or (OPT_OUT_LINE if id(step) in first else "")
        parts = group_sentences([s for s in sentences if s not in opt_out], keep)
        if len(parts) < 2:
            continue
        split_step(data, step, parts)
        kept = ", the opt-out line on the first" if keep else ""
        notes.append(
            f"Step '{step['id']}' was over {MAX_SEGMENTS} SMS segments; split into "
            f"{len(parts)} messages{kept}."
        )
        if keep and not opt_out:
            notes.append(f"Step '{step['id']}': added the opt-out line \"{OPT_OUT_LINE}\".")


def group_sentences(sentences: list[str], first_tail: str) -> list[str]:
    """Sentences grouped greedily into texts of at most MAX_SEGMENTS segments, the first
    text ending with `first_tail`; [] when a sentence alone is too long."""
    parts: list[str] = []

    def fits(text: str, index: int) -> bool:
        full = f"{text} {first_tail}" if index == 0 and first_tail else text
        return segment_count(full).segments <= MAX_SEGMENTS

    for sentence in sentences:
        joined = f"{parts[-1]} {sentence}" if parts else sentence
        if parts and fits(joined, len(parts) - 1):
            parts[-1] = joined
        elif fits(sentence, len(parts)):
            parts.append(sentence)
        else:
            return []
    if parts and first_tail:
        parts[0] = f"{parts[0]} {first_tail}"
    return parts


def split_step(data: JsonObject, step: JsonObject, parts: list[str]) -> None:
    """`step` keeps the first part; new message steps carry the rest and the old events."""
    ids = ids_of(data)
    chain: list[JsonObject] = []
    for number, part in enumerate(parts[1:], start=2):
        new_id = unique_id(f"{step['id']}-part{number}", ids)
        new: JsonObject = {"id": new_id, "type": "message", "content": part, "events": []}
        ids[new_id] = new
        chain.append(new)
    chain[-1]["events"] = step.get("events", [])
    for current, following in zip([step, *chain], chain, strict=False):
        current["events"] = [{"type": "next", "nextStepID": following["id"]}]
    step["content"] = parts[0]
    position = data["steps"].index(step)
    data["steps"][position + 1 : position + 1] = chain


def fix_opt_out(data: JsonObject, notes: list[str]) -> None:
    for step in first_sending_raw(data):
        content = step.get("content")
        if isinstance(content, str) and not has_opt_out(content):
            step["content"] = f"{content.rstrip()} {OPT_OUT_LINE}"
            notes.append(f"Step '{step['id']}': added the opt-out line \"{OPT_OUT_LINE}\".")


def first_sending_raw(data: JsonObject) -> list[JsonObject]:
    """The steps sending a customer's first SMS (see core.flows.validate.first_sending)."""
    ids = ids_of(data)
    start = text(data.get("initialStepID"))
    if start not in ids:
        return []
    order, seen, found = [start], {start}, []
    for current in order:
        step = ids[current]
        if text(step.get("type")) in SENDING_TYPES:
            found.append(step)
            continue
        for event in events_of(step):
            target = text(event.get("nextStepID"))
            if target in ids and target not in seen:
                seen.add(target)
                order.append(target)
    return found


def drop_unreached(data: JsonObject, renamed: set[str], notes: list[str]) -> None:
    """A renamed duplicate that nothing leads to was the model repeating an id for a step
    it never linked: drop it rather than leave an orphan. Other orphans stay for a person
    (or the repair round) to link."""
    reached = reachable_raw(data)
    for step in list(data["steps"]):
        if step["id"] in renamed and step["id"] not in reached:
            data["steps"].remove(step)
            notes.append(f"Removed '{step['id']}', a repeated step id that no event led to.")


def reachable_raw(data: JsonObject) -> set[str]:
    ids = ids_of(data)
    start = text(data.get("initialStepID"))
    order = [start] if start in ids else []
    seen = set(order)
    for current in order:
        for event in events_of(ids[current]):
            target = text(event.get("nextStepID"))
            if target in ids and target not in seen:
                seen.add(target)
                order.append(target)
    return seen


def strip_counts(data: JsonObject) -> None:
    """Drop `segments`/`encoding` from the input: they are computed, never trusted."""
    for step in data.get("steps", []):
        if isinstance(step, dict):
            step.pop("segments", None)
            step.pop("encoding", None)
