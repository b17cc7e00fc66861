"""The response cache: a repeat within the TTL costs nothing and reaches no provider."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.llm.types import LLMRequest, Message
from tests.doubles.llm_server import FakeLLMServer
from tests.llm.conftest import (
    GOOD,
    GatewayFactory,
    MovableClock,
    Post,
    cache_rows,
    call_rows,
    ledger_rows,
    make_request,
)


class Tagline(BaseModel):
    title: str
    hashtags: list[str]
    tone: str = "friendly"


async def test_repeat_within_ttl_is_served_from_cache(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
    clock: MovableClock,
) -> None:
    gateway = make_gateway(cache_ttl_s=600)
    llm_server.reply(GOOD, prompt_tokens=50, completion_tokens=20)
    first = await gateway.generate(make_request(), Post)
    clock.advance(seconds=599)

    second = await gateway.generate(make_request(), Post)

    assert len(llm_server.requests) == 1
    assert (second.value, second.cached, second.model) == (first.value, True, "openai/test-model")
    assert (second.input_tokens, second.output_tokens, second.cost_usd) == (0, 0, Decimal(0))
    rows = await call_rows(session_factory)
    assert [(r.outcome, r.cost_microusd, r.input_tokens) for r in rows] == [
        ("ok", 90, 50),
        ("cached", 0, 0),
    ]
    assert second.call_id == rows[1].id
    assert rows[1].template_name == "post"
    [day] = await ledger_rows(session_factory)
    assert day.spent_microusd == 90


async def test_entry_expires_after_ttl(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer, clock: MovableClock
) -> None:
    gateway = make_gateway(cache_ttl_s=600)
    llm_server.reply(GOOD)
    llm_server.reply({"title": "Fresh", "hashtags": []})
    await gateway.generate(make_request(), Post)
    clock.advance(seconds=600)

    again = await gateway.generate(make_request(), Post)

    assert (again.value.title, again.cached) == ("Fresh", False)
    assert len(llm_server.requests) == 2


async def test_zero_ttl_disables_the_cache(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gateway = make_gateway(cache_ttl_s=0)
    llm_server.reply(GOOD)
    llm_server.reply(GOOD)

    await gateway.generate(make_request(), Post)
    second = await gateway.generate(make_request(), Post)

    assert not second.cached
    assert len(llm_server.requests) == 2
    assert await cache_rows(session_factory) == []


BASE = make_request()


@pytest.mark.parametrize(
    ("request_", "schema"),
    [
        (replace(BASE, temperature=0.9), Post),
        (replace(BASE, max_tokens=50), Post),
        (replace(BASE, messages=(*BASE.messages, Message("user", "Shorter please."))), Post),
        (BASE, Tagline),
    ],
    ids=["temperature", "max_tokens", "messages", "schema"],
)
async def test_any_difference_in_the_question_misses(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    request_: LLMRequest,
    schema: type[BaseModel],
) -> None:
    gateway = make_gateway()
    llm_server.reply(GOOD)
    llm_server.reply(GOOD)
    await gateway.generate(BASE, Post)

    result = await gateway.generate(request_, schema)

    assert not result.cached
    assert len(llm_server.requests) == 2


async def test_cache_is_shared_across_gateway_instances(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer
) -> None:
    llm_server.reply(GOOD)
    await make_gateway().generate(make_request(), Post)

    result = await make_gateway().generate(make_request(), Post)

    assert result.cached
    assert len(llm_server.requests) == 1


async def test_cache_hit_is_served_even_when_the_budget_is_spent(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer
) -> None:
    gateway = make_gateway(daily_budget_usd=Decimal("0.00001"))
    llm_server.reply(GOOD)
    await gateway.generate(make_request(), Post)

    assert (await gateway.generate(make_request(), Post)).cached


async def test_a_fresh_request_skips_the_cache_read_but_refreshes_it(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gateway = make_gateway(cache_ttl_s=600)
    llm_server.reply(GOOD)
    llm_server.reply({"title": "Another take", "hashtags": ["#new"]})
    await gateway.generate(make_request(), Post)

    redo = await gateway.generate(replace(make_request(), fresh=True), Post)

    assert (redo.value.title, redo.cached) == ("Another take", False)
    assert len(llm_server.requests) == 2
    [entry] = await cache_rows(session_factory)
    assert "Another take" in entry.output
    # The same question asked plainly now gets the newer answer, from the cache.
    again = await gateway.generate(make_request(), Post)
    assert (again.value.title, again.cached) == ("Another take", True)
    assert len(llm_server.requests) == 2
    outcomes = [row.outcome for row in await call_rows(session_factory)]
    assert outcomes == ["ok", "ok", "cached"]


async def test_a_fresh_request_samples_with_a_new_seed(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer
) -> None:
    gateway = make_gateway(seed=42, cache_ttl_s=600)
    for title in ("One", "Two", "Three"):
        llm_server.reply({"title": title, "hashtags": []})

    await gateway.generate(make_request(), Post)
    await gateway.generate(replace(make_request(), fresh=True), Post)
    await gateway.generate(replace(make_request(), fresh=True), Post)

    seeds = [request["seed"] for request in llm_server.requests]
    assert seeds[0] == 42  # LLM_SEED for a first ask, as before
    assert 42 not in seeds[1:] and seeds[1] != seeds[2]
    assert all(isinstance(seed, int) and seed >= 0 for seed in seeds)
