"""Deterministic fixes: each common model error is repaired, said in one correction line,
and the result validates; what can't be fixed is left for validation to report."""

from __future__ import annotations

import json
from typing import Any

from core.flows.checks import check_flow
from core.flows.fixes import fix_flow
from core.flows.sms import MAX_SEGMENTS, segment_count
from tests.flows.samples import step, winback


def test_a_valid_flow_is_left_alone() -> None:
    fixed = fix_flow(winback())
    assert fixed.corrections == []
    assert fixed.data == winback()


def test_the_input_is_not_mutated() -> None:
    flow = winback()
    step(flow, "ask")["type"] = "MESSAGE"
    fix_flow(flow)
    assert step(flow, "ask")["type"] == "MESSAGE"


def test_json_in_prose_and_a_code_fence() -> None:
    text = f"Here is your flow:\n```json\n{json.dumps(winback())}\n```\nEnjoy!"
    result = check_flow(text)
    assert result.valid
    assert result.corrections == ["Removed the text around the flow's JSON."]


def test_type_name_case_and_event_spellings() -> None:
    flow = winback()
    step(flow, "ask")["type"] = "MESSAGE"
    step(flow, "offer")["type"] = "PurchaseOffer"
    step(flow, "cap")["type"] = "rate-limit"
    step(flow, "wait-1d")["type"] = "wait"
    step(flow, "answer")["events"][2]["type"] = "noReply"
    event = step(flow, "thanks")["events"][0]
    event["nextStepId"] = event.pop("nextStepID")
    result = check_flow(flow)
    assert result.valid, result.problems
    assert result.corrections == [
        "Step 'wait-1d': type 'wait' written as 'delay'.",
        "Step 'cap': type 'rate-limit' written as 'rate_limit'.",
        "Step 'ask': type 'MESSAGE' written as 'message'.",
        "Step 'answer': event type 'noReply' written as 'no_reply'.",
        "Step 'offer': type 'PurchaseOffer' written as 'purchase_offer'.",
        "Step 'thanks': 'nextStepId' renamed to 'nextStepID'.",
    ]


def test_missing_end_and_dangling_targets() -> None:
    flow = winback()
    flow["steps"] = [s for s in flow["steps"] if s["type"] != "end"]
    step(flow, "ask")["events"][0]["nextStepID"] = "Answer"  # case slip: the step meant
    result = check_flow(flow)
    assert result.valid, result.problems
    assert result.corrections == [
        "The flow had no end step; added 'end'.",
        "Step 'ask': an event pointed to 'Answer', which does not exist; it now goes to 'answer'.",
    ]
    assert result.flow is not None and result.flow.steps[-1].type == "end"


def test_unknown_target_goes_to_the_end() -> None:
    flow = winback()
    step(flow, "thanks")["events"][0]["nextStepID"] = "celebrate"
    result = check_flow(flow)
    assert result.valid
    assert result.corrections == [
        "Step 'thanks': an event pointed to 'celebrate', which does not exist; it now goes "
        "to 'end'."
    ]


def test_missing_initial_step() -> None:
    flow = winback()
    del flow["initialStepID"]
    result = check_flow(flow)
    assert result.valid
    assert result.corrections == ["initialStepID was missing; the flow now starts at 'once'."]


def test_duplicate_ids() -> None:
    flow = winback()
    flow["steps"].insert(3, dict(step(flow, "welcome")))  # an identical repeat
    other = {"id": "ask", "type": "delay", "duration": {"value": 1, "unit": "hours"}}
    flow["steps"].append(other | {"events": [{"type": "next", "nextStepID": "end"}]})
    result = check_flow(flow)
    assert result.valid, result.problems
    assert result.corrections == [
        "Removed a second, identical copy of step 'welcome'.",
        "Two steps had the id 'ask'; the second is now 'ask-2'.",
        "Removed 'ask-2', a repeated step id that no event led to.",
    ]


def test_missing_events_lead_to_the_end() -> None:
    flow = winback()
    step(flow, "picks")["events"].pop()  # no no_reply
    step(flow, "thanks")["events"] = []
    result = check_flow(flow)
    assert result.valid, result.problems
    assert result.corrections == [
        "Step 'picks' had no 'no_reply' event; added one after 1 day to 'end'.",
        "Step 'thanks' had no 'next' event; added one to 'end'.",
    ]
    assert step(result.fixed, "picks")["events"][-1] == {
        "type": "no_reply",
        "nextStepID": "end",
        "after": {"value": 1, "unit": "days"},
    }


def test_end_step_events_are_dropped() -> None:
    flow = winback()
    step(flow, "end")["events"] = [{"type": "next", "nextStepID": "once"}]
    result = check_flow(flow)
    assert result.valid
    assert result.corrections == ["End step 'end' had events; they were removed."]


def test_missing_opt_out_line() -> None:
    flow = winback()
    step(flow, "welcome")["content"] = "Hi {{first_name}}, 10% off: {{discount_code}}."
    result = check_flow(flow)
    assert result.valid
    assert step(result.fixed, "welcome")["content"] == (
        "Hi {{first_name}}, 10% off: {{discount_code}}. Reply STOP to opt out."
    )
    assert result.corrections == [
        "Step 'welcome': added the opt-out line \"Reply STOP to opt out.\"."
    ]


def test_placeholder_syntax() -> None:
    flow = winback()
    step(flow, "thanks")["content"] = "Thanks {first_name}! Order {{ orderNumber }} ships."
    result = check_flow(flow)
    assert result.valid, result.problems
    assert step(result.fixed, "thanks")["content"] == (
        "Thanks {{first_name}}! Order {{order_number}} ships."
    )
    assert result.corrections == ["Step 'thanks': placeholders written as {{name}}."]


def test_over_long_message_is_split_at_sentences() -> None:
    flow = winback()
    sentences = [
        f"Sentence number {n} tells the customer something rather useful." for n in range(12)
    ]
    step(flow, "thanks")["content"] = " ".join(sentences)
    result = check_flow(flow)
    assert result.valid, result.problems
    assert result.corrections == ["Step 'thanks' was over 3 SMS segments; split into 2 messages."]
    first, second = step(result.fixed, "thanks"), step(result.fixed, "thanks-part2")
    assert first["events"] == [{"type": "next", "nextStepID": "thanks-part2"}]
    assert second["events"] == [{"type": "next", "nextStepID": "end"}]
    assert f"{first['content']} {second['content']}" == " ".join(sentences)
    for part in (first, second):
        assert segment_count(part["content"]).segments <= MAX_SEGMENTS


def test_split_first_message_keeps_its_opt_out_on_the_first_part() -> None:
    flow = winback()
    body = "Hi {{first_name}}! " + "We have missed you a lot. " * 30
    step(flow, "welcome")["content"] = body + "Reply STOP to opt out."
    result = check_flow(flow)
    assert result.valid, result.problems
    first, second = step(result.fixed, "welcome"), step(result.fixed, "welcome-part2")
    assert first["content"].endswith("a lot. Reply STOP to opt out.")
    assert "STOP" not in second["content"]
    assert result.corrections == [
        "Step 'welcome' was over 3 SMS segments; split into 2 messages, the opt-out line on "
        "the first."
    ]


def test_split_first_message_without_opt_out_gets_it_on_the_first_part() -> None:
    flow = winback()
    step(flow, "welcome")["content"] = "We have missed you a lot. " * 30
    result = check_flow(flow)
    assert result.valid, result.problems
    assert step(result.fixed, "welcome")["content"].endswith("Reply STOP to opt out.")
    assert result.corrections == [
        "Step 'welcome' was over 3 SMS segments; split into 2 messages, the opt-out line on "
        "the first.",
        "Step 'welcome': added the opt-out line \"Reply STOP to opt out.\".",
    ]


def test_an_unsplittable_message_is_flagged() -> None:
    flow = winback()
    step(flow, "thanks")["content"] = "word " * 200  # one "sentence" of 1000 characters
    result = check_flow(flow)
    assert not result.valid
    assert [p.code for p in result.problems] == ["length"]
    assert result.problems[0].message.startswith("Step 'thanks' is 7 SMS segments")


def test_segments_and_encoding_are_recomputed_never_trusted() -> None:
    flow = winback()
    step(flow, "thanks").update(segments=9, encoding="UCS-2")
    result = check_flow(flow)
    assert result.valid and result.corrections == []
    assert result.flow is not None
    thanks: Any = result.flow.step("thanks")
    assert (thanks.segments, thanks.encoding) == (1, "GSM-7")


def test_what_cannot_be_fixed_is_reported() -> None:
    flow = winback()
    step(flow, "ab")["variants"][0]["share"] = 70
    result = check_flow(flow)
    assert not result.valid
    assert [p.code for p in result.problems] == ["shares"]
    assert result.flow is not None  # parsed, yet not valid: never shown as valid


def test_garbage_is_reported_not_raised() -> None:
    for raw in ("no json here", "{", "[]", {"steps": "none"}, {}):
        result = check_flow(raw)
        assert not result.valid
        assert result.flow is None
        assert result.problems and all(p.code == "json" for p in result.problems)


def test_a_step_without_an_id_gets_one() -> None:
    flow = winback()
    del step(flow, "thanks")["id"]
    flow["steps"][-2]["type"] = "Message"
    for s in flow["steps"]:
        for event in s["events"]:
            if event["nextStepID"] == "thanks":
                event["nextStepID"] = "step-18"
    result = check_flow(flow)
    assert result.valid, result.problems
    assert result.corrections == [
        "Step #18: type 'Message' written as 'message'.",
        "Step #18 had no id; it is now 'step-18'.",
    ]


def test_names_of_the_wrong_json_type_are_reported_not_raised() -> None:
    flow = winback()
    flow["initialStepID"] = {"id": "once"}
    step(flow, "ask")["events"][0]["nextStepID"] = ["answer"]
    step(flow, "thanks")["type"] = {"kind": "message"}
    result = check_flow(flow)
    assert not result.valid
    assert result.corrections == [
        'initialStepID {"id": "once"} names no step; the flow now starts at \'once\'.',
        "Step 'ask': an event pointed to [\"answer\"], which does not exist; it now goes to 'end'.",
    ]
    assert [p.message for p in result.problems] == [
        'Step \'thanks\' has type {"kind": "message"}, which is not a node type (one of: '
        "message, segment, delay, schedule, experiment, rate_limit, reply, no_reply, split, "
        "property, product_choice, purchase_offer, purchase, limit, end)."
    ]


def test_fixing_twice_changes_nothing_more() -> None:
    flow = winback()
    step(flow, "ask")["type"] = "MESSAGE"
    del step(flow, "answer")["events"][2]
    step(flow, "welcome")["content"] = "{first_name}, " + "we have missed you. " * 30
    once = check_flow(flow)
    twice = check_flow(once.fixed)
    assert once.corrections and twice.corrections == []
    assert twice.fixed == once.fixed
