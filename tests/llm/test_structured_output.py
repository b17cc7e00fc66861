"""generate(): schema-valid answers, re-asks with the errors, and what gets logged."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import tiktoken
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import LLMError
from core.llm import structured
from core.llm.gateway import LLMGateway
from core.llm.pricing import reservation_input_tokens
from core.llm.types import LLMRequest, Message
from core.metrics import Metrics
from tests.doubles.llm_server import FakeLLMServer
from tests.llm.conftest import (
    GOOD,
    GatewayFactory,
    Post,
    cache_rows,
    call_rows,
    ledger_rows,
    make_request,
)


async def test_valid_answer_is_returned_priced_and_logged(
    gateway: LLMGateway,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
    metrics: Metrics,
) -> None:
    llm_server.reply(GOOD, prompt_tokens=120, completion_tokens=30)

    result = await gateway.generate(make_request(), Post)

    assert result.value == Post(**GOOD)
    assert (result.model, result.cached) == ("openai/test-model", False)
    # $1 and $2 per million tokens: 120 * 1 + 30 * 2 micro-dollars.
    assert (result.input_tokens, result.output_tokens, result.cost_usd) == (
        120,
        30,
        Decimal("0.00018"),
    )
    [row] = await call_rows(session_factory)
    assert row.id == result.call_id
    assert (row.outcome, row.attempt, row.error) == ("ok", 1, None)
    assert (row.template_name, row.template_version, row.variant) == ("post", 3, "B")
    assert (row.input_tokens, row.output_tokens, row.cost_microusd) == (120, 30, 180)
    assert json.loads(row.output or "") == GOOD
    assert row.messages[-1] == {"role": "user", "content": "Write a post about our spring sale."}
    [day] = await ledger_rows(session_factory)
    assert (day.spent_microusd, day.reserved_microusd) == (180, 0)
    assert metrics.llm_calls.labels(model="openai/test-model", outcome="ok")._value.get() == 1
    assert (
        metrics.llm_tokens.labels(model="openai/test-model", direction="input")._value.get() == 120
    )


async def test_request_carries_schema_in_response_format_and_system_message(
    gateway: LLMGateway, llm_server: FakeLLMServer
) -> None:
    llm_server.reply(GOOD)

    await gateway.generate(make_request(), Post)

    [sent] = llm_server.requests
    assert sent["model"] == "test-model"
    assert sent["response_format"] == {"type": "json_object", "schema": Post.model_json_schema()}
    assert (sent["temperature"], sent["max_tokens"]) == (0.2, 100)
    system = sent["messages"][0]
    assert system["role"] == "system"
    assert system["content"].startswith("You write marketing posts.")
    assert '"hashtags"' in system["content"]
    assert "JSON" in system["content"]


@pytest.mark.parametrize(
    "answer",
    [
        "```json\n" + json.dumps(GOOD) + "\n```",
        "Sure! Here it is:\n```\n" + json.dumps(GOOD) + "\n```",
        "  " + json.dumps(GOOD) + "\n",
    ],
    ids=["json-fence", "bare-fence-with-prose", "whitespace"],
)
async def test_tolerated_wrappings(
    gateway: LLMGateway, llm_server: FakeLLMServer, answer: str
) -> None:
    llm_server.reply(answer)

    result = await gateway.generate(make_request(), Post)

    assert result.value == Post(**GOOD)
    assert len(llm_server.requests) == 1


async def test_a_configured_seed_reaches_the_provider(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer
) -> None:
    llm_server.reply(GOOD)
    llm_server.reply(GOOD)

    await make_gateway(seed=42, cache_ttl_s=0).generate(make_request(), Post)
    await make_gateway(cache_ttl_s=0).generate(make_request("unseeded"), Post)

    seeded, unseeded = llm_server.requests
    assert seeded["seed"] == 42
    assert "seed" not in unseeded


async def test_raw_line_breaks_inside_strings_are_read_not_reasked(
    gateway: LLMGateway, llm_server: FakeLLMServer
) -> None:
    # What Gemma 3 270M writes for a two-line caption: a real newline and tab in a string.
    llm_server.reply('{"title": "Spring\nsale\tnow", "hashtags": ["#spring"]}')

    result = await gateway.generate(make_request(), Post)

    assert result.value == Post(title="Spring\nsale\tnow", hashtags=["#spring"])
    assert len(llm_server.requests) == 1


async def test_loose_json_is_still_validated_against_the_schema(
    gateway: LLMGateway, llm_server: FakeLLMServer
) -> None:
    llm_server.reply('{"title": "Spring\nsale"}')
    llm_server.reply(GOOD)

    result = await gateway.generate(make_request(), Post)

    assert result.value == Post(**GOOD)
    reask = llm_server.requests[1]["messages"][-1]["content"]
    assert "hashtags" in reask and "Field required" in reask


async def test_invalid_then_valid_reasks_with_the_errors(
    gateway: LLMGateway,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    bad = json.dumps({"title": "Spring sale"})
    llm_server.reply(bad, prompt_tokens=100, completion_tokens=10)
    llm_server.reply(GOOD, prompt_tokens=150, completion_tokens=20)

    result = await gateway.generate(make_request(), Post)

    assert result.value == Post(**GOOD)
    first, second = llm_server.requests
    assert second["messages"][: len(first["messages"])] == first["messages"]
    assistant, correction = second["messages"][-2:]
    assert assistant == {"role": "assistant", "content": bad}
    assert correction["role"] == "user"
    assert "hashtags: Field required" in correction["content"]
    rows = await call_rows(session_factory)
    assert [(r.outcome, r.attempt) for r in rows] == [("invalid", 1), ("ok", 2)]
    assert rows[0].error == "hashtags: Field required"
    # Both calls were billed, and the result reports the total.
    assert [r.cost_microusd for r in rows] == [120, 190]
    assert (result.input_tokens, result.output_tokens, result.cost_usd) == (
        250,
        30,
        Decimal("0.00031"),
    )


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["not json at all"] * 3, "Invalid JSON"),
        ([{"title": 1, "hashtags": []}] * 3, "title: Input should be a valid string"),
        (["", "{}", {"title": "x"}], "hashtags: Field required"),
    ],
    ids=["prose", "wrong-type", "mixed"],
)
async def test_three_invalid_answers_raise_and_cache_nothing(
    gateway: LLMGateway,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
    answers: list[str | dict[str, object]],
    reason: str,
) -> None:
    for answer in answers:
        llm_server.reply(answer)

    with pytest.raises(LLMError, match="did not match the expected format after 3 tries") as info:
        await gateway.generate(make_request(), Post)

    assert reason in str(info.value)
    assert len(llm_server.requests) == 3
    assert len(llm_server.requests[-1]["messages"]) == len(llm_server.requests[0]["messages"]) + 4
    rows = await call_rows(session_factory)
    assert [(r.outcome, r.attempt) for r in rows] == [
        ("invalid", 1),
        ("invalid", 2),
        ("invalid", 3),
    ]
    assert all(r.cost_microusd == 20 for r in rows)  # billed although unusable
    assert await cache_rows(session_factory) == []


async def test_request_without_system_message_gets_one(
    gateway: LLMGateway, llm_server: FakeLLMServer
) -> None:
    llm_server.reply(GOOD)

    await gateway.generate(LLMRequest(messages=(Message("user", "hi"),)), Post)

    roles = [m["role"] for m in llm_server.requests[0]["messages"]]
    assert roles == ["system", "user"]
    assert "max_tokens" not in llm_server.requests[0]


async def test_missing_usage_is_counted_not_booked_as_free(
    gateway: LLMGateway,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    llm_server.reply(GOOD, prompt_tokens=None)

    result = await gateway.generate(make_request(), Post)

    [row] = await call_rows(session_factory)
    # Counted by the tokenizer (not the byte bound the reservation uses): litellm counts
    # an unknown OpenAI-style model as gpt-3.5-turbo, i.e. cl100k_base plus its framing.
    messages = structured.with_instruction(make_request().messages, Post)
    assert row.input_tokens == _cl100k_chat_tokens(messages)
    assert row.input_tokens < reservation_input_tokens(messages)
    assert row.output_tokens == len(json.dumps(GOOD)) // 4 + 1
    assert row.cost_microusd == row.input_tokens + 2 * row.output_tokens
    assert result.cost_usd == Decimal(row.cost_microusd) / 1_000_000


def _cl100k_chat_tokens(messages: list[dict[str, str]]) -> int:
    """OpenAI's count for a chat: 3 tokens a message, its role and content, 3 for the reply."""
    encoding = tiktoken.get_encoding("cl100k_base")
    per_message = (
        3 + len(encoding.encode(m["role"])) + len(encoding.encode(m["content"])) for m in messages
    )
    return sum(per_message) + 3
