"""An OpenAI-compatible server that writes SMS flows the way a careless model does.

For a `flow_generate` request it reads the description out of the user message, builds a
valid flow that contains the node types the description asks for (`build_flow`), then
breaks it with the typical model errors scripted for that description (`INJECTIONS`):
upper-case type names, a dangling target, no end step, no opt-out line, duplicate ids, an
over-long message, a misspelled placeholder, a link outside the allowlist, experiment
shares that do not add up. A `flow_repair` request is answered with the flow intact, or
(for a description scripted as `stubborn`) with one error still left the first time, so
the second round is exercised too. bench/flows.py and tests/flows_gen use it.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.doubles.openai_compat import OpenAICompatServer, completion

OPT_OUT = "Reply STOP to opt out."
_DESCRIPTION = re.compile(r"<description>\s*(.*?)\s*</description>", re.DOTALL)
_DAY = {"value": 1, "unit": "days"}

Step = dict[str, Any]


def _next(target: str) -> list[dict[str, Any]]:
    return [{"type": "next", "nextStepID": target}]


def _branches(target: str, labels: Sequence[str]) -> list[dict[str, Any]]:
    matches = [{"type": "match", "label": label, "nextStepID": target} for label in labels]
    return [*matches, {"type": "default", "nextStepID": target}]


# One valid step of each type whose every way out leads to `target` (a straight line keeps
# any mix of types a valid graph: no orphans, no cycles, every path reaches the end).
_MAKERS: dict[str, Callable[[str, str], Step]] = {
    "message": lambda sid, to: {
        "id": sid, "type": "message",
        "content": "Hi {{first_name}}, 15% off today with code {{discount_code}}.",
        "discount": {"type": "percentage", "value": 15, "code": "{{discount_code}}"},
        "events": _next(to)},
    "segment": lambda sid, to: {
        "id": sid, "type": "segment",
        "branches": [{"label": "vip", "conditions": [
            {"property": "total_spent", "operator": "greater_than", "value": 500}]}],
        "events": _branches(to, ["vip"])},
    "split": lambda sid, to: {
        "id": sid, "type": "split",
        "branches": [{"label": "new", "conditions": [
            {"property": "orders_count", "operator": "equals", "value": 1}]}],
        "events": _branches(to, ["new"])},
    "delay": lambda sid, to: {
        "id": sid, "type": "delay", "duration": {"value": 2, "unit": "days"},
        "events": _next(to)},
    "schedule": lambda sid, to: {
        "id": sid, "type": "schedule", "timezone": "UTC",
        "windows": [{"label": "weekdays", "days": ["mon", "tue", "wed", "thu", "fri"],
                     "start": "09:00", "end": "18:00"}],
        "events": _branches(to, ["weekdays"])},
    "experiment": lambda sid, to: {
        "id": sid, "type": "experiment",
        "variants": [{"label": "a", "share": 50}, {"label": "b", "share": 50}],
        "events": [{"type": "variant", "label": label, "nextStepID": to} for label in "ab"]},
    "rate_limit": lambda sid, to: {
        "id": sid, "type": "rate_limit", "max_messages": 1, "period": {"value": 1, "unit": "weeks"},
        "events": [*_next(to), {"type": "limited", "nextStepID": to}]},
    "limit": lambda sid, to: {
        "id": sid, "type": "limit", "max_occurrences": 1,
        "events": [*_next(to), {"type": "limited", "nextStepID": to}]},
    "reply": lambda sid, to: {
        "id": sid, "type": "reply",
        "intents": [{"intent": "yes", "keywords": ["yes", "y"]}],
        "events": [{"type": "reply", "intent": "yes", "nextStepID": to},
                   {"type": "no_reply", "after": _DAY, "nextStepID": to}]},
    "no_reply": lambda sid, to: {
        "id": sid, "type": "no_reply", "after": _DAY,
        "events": [{"type": "timeout", "nextStepID": to}, {"type": "replied", "nextStepID": to}]},
    "property": lambda sid, to: {
        "id": sid, "type": "property", "properties": [{"name": "winback", "value": True}],
        "events": _next(to)},
    "product_choice": lambda sid, to: {
        "id": sid, "type": "product_choice",
        "content": "Reply 1 for socks or 2 for a beanie.",
        "products": [{"keyword": "1", "name": "Socks"}, {"keyword": "2", "name": "Beanie"}],
        "events": [{"type": "choice", "keyword": "1", "nextStepID": to},
                   {"type": "choice", "keyword": "2", "nextStepID": to},
                   {"type": "no_reply", "after": _DAY, "nextStepID": to}]},
    "purchase_offer": lambda sid, to: {
        "id": sid, "type": "purchase_offer",
        "content": "Your cart is waiting: {{cart_url}} Reply BUY to order now.",
        "events": [{"type": "purchase", "nextStepID": to},
                   {"type": "no_purchase", "after": _DAY, "nextStepID": to}]},
    "purchase": lambda sid, to: {
        "id": sid, "type": "purchase", "items_from": "cart", "events": _next(to)},
}  # fmt: skip


def build_flow(required: Sequence[str]) -> dict[str, Any]:
    """A valid flow: a welcome message with the opt-out line, one step per required type
    (in the order given), an end step."""
    types = [t for t in required if t not in ("end",)]
    ids = ["welcome", *(f"{t.replace('_', '-')}-{n}" for n, t in enumerate(types, 1)), "end"]
    welcome = _MAKERS["message"]("welcome", ids[1])
    welcome["content"] = f"Hi {{{{first_name}}}}! Thanks for shopping with us. {OPT_OUT}"
    del welcome["discount"]
    steps = [welcome]
    steps += [_MAKERS[t](ids[n], ids[n + 1]) for n, t in enumerate(types, 1)]
    steps.append({"id": "end", "type": "end", "events": []})
    return {"initialStepID": "welcome", "steps": steps}


# --- the typical model errors -------------------------------------------------------------


def _upper_case(flow: dict[str, Any]) -> None:
    for step in flow["steps"]:
        step["type"] = step["type"].upper()


def _dangling(flow: dict[str, Any]) -> None:
    flow["steps"][0]["events"][0]["nextStepID"] = flow["steps"][1]["id"] + "-x"
    # The step it should have led to is still there, so only the target is wrong.


def _no_end(flow: dict[str, Any]) -> None:
    flow["steps"] = [s for s in flow["steps"] if s["type"] != "end"]


def _no_opt_out(flow: dict[str, Any]) -> None:
    first = flow["steps"][0]
    first["content"] = first["content"].replace(f" {OPT_OUT}", "")


def _duplicate_id(flow: dict[str, Any]) -> None:
    """The model wrote the second step twice (same id, same content)."""
    flow["steps"].insert(2, copy.deepcopy(flow["steps"][1]))


def _too_long(flow: dict[str, Any]) -> None:
    flow["steps"][0]["content"] += " " + "Our winter collection is here and it is warm. " * 12


def _bad_placeholder(flow: dict[str, Any]) -> None:
    flow["steps"][0]["content"] = flow["steps"][0]["content"].replace(
        "{{first_name}}", "{{customer_nickname}}"
    )


def _foreign_link(flow: dict[str, Any]) -> None:
    flow["steps"][0]["content"] = flow["steps"][0]["content"].replace(
        OPT_OUT, f"See https://bit.ly/xyz {OPT_OUT}"
    )


def _bad_shares(flow: dict[str, Any]) -> None:
    for step in flow["steps"]:
        if step["type"].lower() == "experiment":
            step["variants"][0]["share"] = 70


INJECTIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "upper_case": _upper_case,
    "dangling": _dangling,
    "no_end": _no_end,
    "no_opt_out": _no_opt_out,
    "duplicate_id": _duplicate_id,
    "too_long": _too_long,
    "bad_placeholder": _bad_placeholder,
    "foreign_link": _foreign_link,
    "bad_shares": _bad_shares,
}
# Errors the deterministic fixes can't mend; one of these left in the first repair answer
# makes a `stubborn` case need the second round.
NEEDS_A_MODEL = ("bad_placeholder", "foreign_link")


def broken(required: Sequence[str], errors: Sequence[str]) -> dict[str, Any]:
    flow = build_flow(required)
    for name in errors:
        INJECTIONS[name](flow)
    return flow


@dataclass(frozen=True)
class Case:
    description: str
    required: tuple[str, ...]
    errors: tuple[str, ...] = ()
    stubborn: bool = False  # the first repair still leaves a misspelled placeholder
    hopeless: bool = False  # every repair does (no valid flow can be made)


@dataclass
class FlowLLMServer(OpenAICompatServer):
    cases: Mapping[str, Case]
    requests: list[dict[str, Any]] = field(default_factory=list)
    # template ("generate"/"repair") per call, in order.
    calls: list[tuple[str, str]] = field(default_factory=list)
    _repairs_seen: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def answer(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The flow this server writes for one chat request."""
        system = next(m["content"] for m in payload["messages"] if m["role"] == "system")
        user = next(m["content"] for m in payload["messages"] if m["role"] == "user")
        match = _DESCRIPTION.search(user)
        if match is None:
            raise AssertionError(f"FlowLLMServer: no <description> in {user[:80]!r}")
        case = self.cases[match.group(1)]
        if system.startswith("You fix SMS"):
            seen = self._repairs_seen.get(case.description, 0) + 1
            self._repairs_seen[case.description] = seen
            self.calls.append(("repair", case.description))
            still_wrong = case.hopeless or (case.stubborn and seen == 1)
            left = ("bad_placeholder",) if still_wrong else ()
            return broken(case.required, left)
        self.calls.append(("generate", case.description))
        return broken(case.required, case.errors)

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.requests.append(payload)
        content = json.dumps(copy.deepcopy(self.answer(payload)))
        # 1,200 tokens in and 400 out: tests/flows_gen counts 1,600 per call.
        body = completion(
            payload, content, (1200, 400), completion_id=f"chatcmpl-{next(self._ids)}"
        )
        return web.json_response(body)
