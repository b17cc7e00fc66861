"""FlowMaker: generate → deterministic fixes → at most two repair rounds, over the real
gateway and litellm against the error-injecting FlowLLMServer."""

from __future__ import annotations

import json

import pytest

from core.flows.generation import MAX_REPAIRS, FlowMaker, FlowNotValid
from core.flows.validate import validate_flow
from tests.doubles.flow_llm import FlowLLMServer
from tests.flows_gen.conftest import CART, CLEAN, HOPELESS, SHOP, STUBBORN, VIP


def system_of(payload: dict[str, object]) -> str:
    messages = payload["messages"]
    assert isinstance(messages, list)
    return str(messages[0]["content"])


def user_of(payload: dict[str, object]) -> str:
    messages = payload["messages"]
    assert isinstance(messages, list)
    return str(messages[-1]["content"])


async def test_a_clean_answer_needs_no_fix_and_no_repair(
    maker: FlowMaker, flow_server: FlowLLMServer
) -> None:
    made = await maker.make(CLEAN.description, brand=SHOP)
    assert (made.repairs, made.corrections) == (0, ())
    assert flow_server.calls == [("generate", CLEAN.description)]
    assert validate_flow(made.wire, link_allowlist=["shop.example"]).valid
    welcome = made.wire["steps"][0]
    assert (welcome["segments"], welcome["encoding"]) == (1, "GSM-7")
    assert made.model_used == "openai/test-model"
    assert made.tokens_used == 1600
    assert made.prompt_variant == "base"
    assert made.cost_usd > 0
    assert made.llm_call_id is not None


async def test_the_flow_schema_is_the_response_format(
    maker: FlowMaker, flow_server: FlowLLMServer
) -> None:
    await maker.make(CLEAN.description, brand=SHOP)
    schema = flow_server.requests[0]["response_format"]["schema"]
    assert "initialStepID" in schema["properties"]
    assert "Reply STOP to opt out." in system_of(flow_server.requests[0])
    assert "<description>\nWelcome new subscribers" in user_of(flow_server.requests[0])


async def test_upper_case_types_are_fixed_without_another_call(
    maker: FlowMaker, flow_server: FlowLLMServer
) -> None:
    made = await maker.make(CART.description, brand=SHOP)
    assert made.repairs == 0
    assert made.corrections, "the fix is recorded as a correction line"
    assert len(flow_server.calls) == 1
    types = [step["type"] for step in made.wire["steps"]]
    assert types == ["message", "delay", "purchase_offer", "end"]


async def test_a_wrong_placeholder_goes_to_one_repair_round_listing_it(
    maker: FlowMaker, flow_server: FlowLLMServer
) -> None:
    made = await maker.make(VIP.description, brand=SHOP)
    assert made.repairs == 1
    assert [call for call, _ in flow_server.calls] == ["generate", "repair"]
    repair = flow_server.requests[1]
    assert system_of(repair).startswith("You fix SMS")
    user = user_of(repair)
    assert "{{customer_nickname}}" in user  # the flow as it stands, in the prompt
    problems = user.split("Fix exactly these problems:")[1]
    assert "'welcome'" in problems and "customer_nickname" in problems
    flow_text = user.split("<flow>")[1].split("</flow>")[0]
    assert json.loads(flow_text)["initialStepID"] == "welcome"
    assert "{{first_name}}" in made.wire["steps"][0]["content"]
    assert made.tokens_used == 3200  # both calls counted


async def test_a_second_round_runs_when_the_first_repair_is_still_wrong(
    maker: FlowMaker, flow_server: FlowLLMServer
) -> None:
    made = await maker.make(STUBBORN.description, brand=SHOP)
    assert made.repairs == 2
    assert [call for call, _ in flow_server.calls] == ["generate", "repair", "repair"]
    shares = [v["share"] for s in made.wire["steps"] if s["type"] == "experiment"
              for v in s["variants"]]  # fmt: skip
    assert sum(shares) == 100


async def test_after_two_rounds_the_problems_are_listed_and_nothing_is_returned(
    maker: FlowMaker, flow_server: FlowLLMServer
) -> None:
    with pytest.raises(FlowNotValid) as failed:
        await maker.make(HOPELESS.description, brand=SHOP)
    assert failed.value.repairs == MAX_REPAIRS
    assert len(flow_server.calls) == 1 + MAX_REPAIRS
    assert failed.value.problems
    assert all("'welcome'" in problem for problem in failed.value.problems)
    assert "2 repair round(s)" in str(failed.value)


async def test_without_a_brand_links_are_not_checked(
    maker: FlowMaker, flow_server: FlowLLMServer
) -> None:
    """The hopeless case's only lasting error is the bit.ly link: no allowlist, no error."""
    made = await maker.make(HOPELESS.description, brand=None)
    assert made.repairs == 0
    assert "bit.ly" in made.wire["steps"][0]["content"]
    assert "Links only to these domains" not in system_of(flow_server.requests[0])
