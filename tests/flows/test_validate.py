"""Validation without fixes: every rule broken once in the sample flow, each problem a
sentence naming its step."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from core.flows.problems import Problem
from core.flows.validate import validate_flow
from tests.flows.samples import step, winback

Flow = dict[str, Any]


def test_the_sample_is_valid() -> None:
    result = validate_flow(winback(), link_allowlist=("shop.example",))
    assert result.problems == []
    assert result.valid
    assert result.flow is not None and len(result.flow.steps) == 19


def test_json_text_is_accepted_and_broken_json_explained() -> None:
    assert validate_flow(json.dumps(winback())).valid
    [problem] = validate_flow('{"initialStepID": "a", "steps": [').problems
    assert problem.code == "json"
    assert problem.message.startswith("The flow is not valid JSON:")
    [problem] = validate_flow("[1, 2]").problems
    assert problem.message == "The flow must be a JSON object with initialStepID and steps."


def test_shape_problems() -> None:
    problems = validate_flow({"steps": [], "extra": 1}).problems
    assert [p.message for p in problems] == [
        "The flow has unknown top-level fields: extra; only initialStepID and steps are allowed.",
        "The flow has no initialStepID: name the id of the step it starts with.",
        "The flow has no steps: 'steps' must be a non-empty list.",
    ]


def set_field(step_id: str, key: str, value: object) -> Callable[[Flow], None]:
    def change(flow: Flow) -> None:
        step(flow, step_id)[key] = value

    return change


def drop_event(step_id: str, index: int) -> Callable[[Flow], None]:
    def change(flow: Flow) -> None:
        del step(flow, step_id)["events"][index]

    return change


def retarget(step_id: str, index: int, target: str) -> Callable[[Flow], None]:
    def change(flow: Flow) -> None:
        step(flow, step_id)["events"][index]["nextStepID"] = target

    return change


CASES: list[tuple[str, Callable[[Flow], None], str, str | None, str]] = [
    (
        "unknown type",
        set_field("ask", "type", "sms_blast"),
        "schema",
        "ask",
        "Step 'ask' has type \"sms_blast\", which is not a node type (one of: message, ",
    ),
    (
        "missing field",
        lambda flow: step(flow, "wait-1d").pop("duration"),
        "schema",
        "wait-1d",
        "Step 'wait-1d' (delay): 'duration' is missing.",
    ),
    (
        "unknown field",
        set_field("ask", "priority", "high"),
        "schema",
        "ask",
        "Step 'ask' (message): 'priority' is not a field of this node type; remove it.",
    ),
    (
        "event type not allowed on the node",
        set_field("ask", "events", [{"type": "purchase", "nextStepID": "answer"}]),
        "schema",
        "ask",
        "Step 'ask' (message): 'events[0].type' must be 'next'",
    ),
    (
        "bad enum",
        set_field("wait-1d", "duration", {"value": 1, "unit": "fortnights"}),
        "schema",
        "wait-1d",
        "Step 'wait-1d' (delay): 'duration.unit' must be 'minutes', 'hours', 'days' or 'weeks'.",
    ),
    (
        "initial step missing",
        lambda flow: flow.update(initialStepID="start"),
        "initial",
        None,
        "initialStepID is 'start', but no step has that id.",
    ),
    (
        "dangling target",
        retarget("ask", 0, "answr"),
        "target",
        "ask",
        "Step 'ask' sends customers to 'answr', which does not exist.",
    ),
    (
        "orphan",
        lambda flow: flow["steps"].insert(
            1,
            {
                "id": "lost",
                "type": "delay",
                "duration": {"value": 1, "unit": "days"},
                "events": [{"type": "next", "nextStepID": "end"}],
            },
        ),
        "orphan",
        "lost",
        "Step 'lost' is never reached: no event leads to it from the start 'once'. Link it "
        "or remove it.",
    ),
    (
        "missing next event",
        drop_event("thanks", 0),
        "events",
        "thanks",
        "Step 'thanks' (message) has no 'next' event: add one that says where the customer "
        "goes next.",
    ),
    (
        "missing no_reply on a product choice",
        drop_event("picks", 2),
        "events",
        "picks",
        "Step 'picks' (product_choice) has no 'no_reply' event: add one that says where "
        "customers who don't answer go, and after how long.",
    ),
    (
        "intent without an event",
        drop_event("answer", 1),
        "events",
        "answer",
        "Step 'answer' has no 'reply' event for its intent 'no': add one saying where those "
        "customers go.",
    ),
    (
        "event for an unknown branch",
        lambda flow: step(flow, "audience")["events"].append(
            {"type": "match", "label": "lapsed", "nextStepID": "welcome"}
        ),
        "events",
        "audience",
        "Step 'audience' has a 'match' event for 'lapsed', which is not one of its branches (vip).",
    ),
    (
        "two defaults",
        lambda flow: step(flow, "loyal")["events"].append({"type": "default", "nextStepID": "end"}),
        "events",
        "loyal",
        "Step 'loyal' has 2 'default' events; keep exactly one.",
    ),
    (
        "shares",
        lambda flow: step(flow, "ab")["variants"][1].update(share=40),
        "shares",
        "ab",
        "Experiment 'ab' splits customers 50 + 40 = 90 %; the shares must add up to 100.",
    ),
    (
        "missing opt-out",
        set_field("welcome", "content", "Hi {{first_name}}, here's 10% off: {{discount_code}}."),
        "opt_out",
        "welcome",
        "Step 'welcome' is the first message customers get but has no opt-out wording: end "
        'it with "Reply STOP to opt out."',
    ),
    (
        "unknown placeholder",
        set_field("thanks", "content", "Thanks {{nickname}}!"),
        "placeholder",
        "thanks",
        "Step 'thanks' uses the unknown placeholder {{nickname}} (known: {{first_name}}, ",
    ),
    (
        "link outside the allowlist",
        set_field("thanks", "content", "Track it at https://tracker.io/123"),
        "link",
        "thanks",
        "Step 'thanks' links to https://tracker.io/123, which is not in the allowlist "
        "(shop.example); use {{cart_url}} or an allowed host.",
    ),
    (
        "over-long offer",
        set_field("offer", "content", "Finish your order now. " * 25),
        "length",
        "offer",
        "Step 'offer' is 4 SMS segments (575 GSM-7 units); shorten it to 3 segments or "
        "fewer, or split it into two messages.",
    ),
]


@pytest.mark.parametrize(
    ("change", "code", "step_id", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_rule(
    change: Callable[[Flow], None], code: str, step_id: str | None, message: str
) -> None:
    flow = winback()
    change(flow)
    problems = validate_flow(flow, link_allowlist=("shop.example",)).problems
    assert [p.code for p in problems] == [code], problems
    assert problems[0].step_id == step_id
    assert problems[0].message.startswith(message)


def test_duplicate_ids_stop_before_the_graph_rules() -> None:
    flow = winback()
    flow["steps"].append(dict(step(flow, "thanks")))
    result = validate_flow(flow)
    assert result.flow is None
    assert result.problems == [
        Problem("duplicate", "thanks", "2 steps have the id 'thanks'; each step needs its own id.")
    ]


def test_cycle_without_a_delay() -> None:
    flow = winback()
    # declined -> loyal -> (regular) declined: no wait anywhere in the loop.
    step(flow, "loyal")["events"][0]["nextStepID"] = "declined"
    [problem] = validate_flow(flow).problems
    assert problem.code == "cycle"
    assert problem.message == (
        "Steps declined → loyal → declined form a loop with no delay: add a delay step (or a "
        "wait for a reply) inside it, or end the loop."
    )


def test_a_loop_through_a_delay_is_allowed() -> None:
    flow = winback()
    # thanks -> wait-1d -> cap -> ask ...: the delay makes it a paced reminder loop.
    step(flow, "thanks")["events"][0]["nextStepID"] = "wait-1d"
    assert validate_flow(flow).problems == []


def test_opt_out_is_needed_on_every_first_message_only() -> None:
    flow = winback()
    step(flow, "vip-welcome")["content"] = "VIP? 20% off with {{discount_code}}."
    step(flow, "thanks")["content"] = "Thanks, order {{order_number}} ships today."
    problems = validate_flow(flow).problems
    assert [(p.code, p.step_id) for p in problems] == [("opt_out", "vip-welcome")]


def test_links_are_not_checked_without_an_allowlist() -> None:
    flow = winback()
    step(flow, "thanks")["content"] = "Track it at https://tracker.io/123"
    assert validate_flow(flow).valid
    assert not validate_flow(flow, link_allowlist=["shop.example"]).valid


def test_image_host_is_checked() -> None:
    flow = winback()
    step(flow, "thanks")["image_url"] = "https://cdn.other.net/a.png"
    [problem] = validate_flow(flow, link_allowlist=["shop.example"]).problems
    assert problem.message == (
        "Step 'thanks' has the image https://cdn.other.net/a.png, whose host is not in the "
        "allowlist (shop.example)."
    )


def test_a_closed_loop_never_reaching_an_end() -> None:
    flow = winback()
    pause = {"id": "pause", "type": "delay", "duration": {"value": 1, "unit": "weeks"}}
    flow["steps"].insert(-1, pause | {"events": [{"type": "next", "nextStepID": "thanks"}]})
    step(flow, "thanks")["events"][0]["nextStepID"] = "pause"
    problems = validate_flow(flow).problems
    assert [(p.code, p.step_id) for p in problems] == [
        ("dead_end", "thanks"),
        ("dead_end", "pause"),
    ]
    assert problems[0].message == (
        "Step 'thanks' never reaches an end step: every path from it must lead to a step of "
        "type 'end'."
    )


def test_all_problems_are_listed_at_once() -> None:
    # A repair round gets everything: the missing event and the steps it cut off.
    flow = winback()
    del step(flow, "answer")["events"][2]
    step(flow, "ab")["variants"][0]["share"] = 10
    problems = validate_flow(flow).problems
    assert [(p.code, p.step_id) for p in problems] == [
        ("shares", "ab"),
        ("events", "answer"),
        ("orphan", "nudge"),
        ("orphan", "nudge-wait"),
    ]


def test_a_lone_host_string_is_one_host() -> None:
    flow = winback()
    step(flow, "thanks")["content"] = "Track it at https://shop.example/t/1"
    assert validate_flow(flow, link_allowlist="shop.example").valid


def test_schema_sentences_speak_plainly() -> None:
    flow = winback()
    step(flow, "timing")["windows"][0]["start"] = "9am"
    step(flow, "answer")["events"][1].pop("intent")
    step(flow, "answer")["events"][0]["type"] = "purchase"
    messages = [p.message for p in validate_flow(flow).problems]
    assert messages == [
        "Step 'timing' (schedule): 'windows[0].start' must be a time like 09:00.",
        "Step 'answer' (reply): 'events[0]' has type 'purchase', which this node type can't "
        "have (allowed: 'reply', 'no_reply').",
        "Step 'answer' (reply): 'events[1].intent' is missing.",
    ]
