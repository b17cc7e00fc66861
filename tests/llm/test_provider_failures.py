"""generate() when the provider misbehaves: timeouts, retries, fallbacks, refusals."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import LLMSettings
from core.errors import FeatureOff, LLMError, LLMTimeout, PriceUnknown
from tests.doubles.llm_server import FakeLLMServer
from tests.llm.conftest import GOOD, GatewayFactory, Post, call_rows, ledger_rows, make_request


async def test_hang_times_out_within_the_deadline_and_is_logged(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gateway = make_gateway(timeout_s=0.5, max_retries=0)
    llm_server.hang(5)
    await gateway.warm_up()  # the first litellm import takes seconds; not part of the call

    started = time.monotonic()
    with pytest.raises(LLMTimeout, match=r"did not answer within 0\.5 seconds"):
        await gateway.generate(make_request(), Post)

    # The model hangs for 5 s: well under that proves the 0.5 s deadline cut the call off,
    # with room for a loaded machine's database writes (a CI run once took 2.0 s).
    assert time.monotonic() - started < 3.0
    [row] = await call_rows(session_factory)
    assert (row.outcome, row.cost_microusd, row.output) == ("timeout", 0, None)
    assert 400 <= row.latency_ms < 3000
    [day] = await ledger_rows(session_factory)
    assert (day.spent_microusd, day.reserved_microusd) == (0, 0)  # reservation released


async def test_timeout_is_retried_like_other_transient_errors(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gateway = make_gateway(timeout_s=0.3, max_retries=1)
    llm_server.hang(5)
    llm_server.reply(GOOD)

    result = await gateway.generate(make_request(), Post)

    assert result.value == Post(**GOOD)
    assert [r.outcome for r in await call_rows(session_factory)] == ["timeout", "ok"]


@pytest.mark.parametrize(
    ("status", "retried", "outcome"),
    [
        (500, True, "error"),
        (502, True, "error"),
        (503, True, "error"),
        (429, True, "error"),
        (408, True, "timeout"),  # litellm turns HTTP 408 into its Timeout
        (400, False, "error"),
        (401, False, "error"),
        (404, False, "error"),
    ],
)
async def test_only_transient_errors_are_retried(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
    status: int,
    retried: bool,
    outcome: str,
) -> None:
    gateway = make_gateway(max_retries=2)
    llm_server.fail(status)
    llm_server.reply(GOOD)

    if retried:
        assert (await gateway.generate(make_request(), Post)).value == Post(**GOOD)
        expected = [(outcome, 1), ("ok", 2)]
    else:
        with pytest.raises(LLMError) as info:
            await gateway.generate(make_request(), Post)
        assert "sk-test" not in str(info.value)
        assert "Traceback" not in str(info.value)
        expected = [(outcome, 1)]

    rows = await call_rows(session_factory)
    assert [(r.outcome, r.attempt) for r in rows] == expected
    assert f"scripted failure {status}" in (rows[0].error or "")
    assert len(llm_server.requests) == len(expected)


async def test_retries_are_bounded(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gateway = make_gateway(max_retries=2)
    llm_server.fail(503, times=5)

    with pytest.raises(LLMError, match="unavailable right now") as info:
        await gateway.generate(make_request(), Post)

    assert type(info.value) is LLMError
    assert len(llm_server.requests) == 3
    assert [r.attempt for r in await call_rows(session_factory)] == [1, 2, 3]
    [day] = await ledger_rows(session_factory)
    assert (day.spent_microusd, day.reserved_microusd) == (0, 0)


async def test_failing_main_model_falls_back_in_order(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gateway = make_gateway(max_retries=1, fallback_models=["openai/backup-1", "openai/backup-2"])
    llm_server.fail(500, times=2)  # main model: first try and its retry
    llm_server.fail(401)  # backup-1: not transient, no retry
    llm_server.reply(GOOD)  # backup-2

    result = await gateway.generate(make_request(), Post)

    assert (result.value, result.model) == (Post(**GOOD), "openai/backup-2")
    assert [r["model"] for r in llm_server.requests] == [
        "test-model",
        "test-model",
        "backup-1",
        "backup-2",
    ]
    rows = await call_rows(session_factory)
    assert [(r.model, r.outcome, r.attempt) for r in rows] == [
        ("openai/test-model", "error", 1),
        ("openai/test-model", "error", 2),
        ("openai/backup-1", "error", 3),
        ("openai/backup-2", "ok", 4),
    ]
    assert result.call_id == rows[-1].id


async def test_last_models_error_is_raised_when_the_whole_chain_fails(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer
) -> None:
    gateway = make_gateway(max_retries=0, fallback_models=["openai/backup"], timeout_s=0.3)
    llm_server.fail(500)
    llm_server.hang(5)

    with pytest.raises(LLMTimeout):
        await gateway.generate(make_request(), Post)


async def test_connection_refused_is_a_clean_error(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gateway = make_gateway(max_retries=1)
    await llm_server.stop()

    with pytest.raises(LLMError, match="unavailable right now"):
        await gateway.generate(make_request(), Post)

    assert [r.outcome for r in await call_rows(session_factory)] == ["error", "error"]


@pytest.mark.parametrize(
    ("price_in", "price_out"),
    [(None, None), (Decimal("1"), None), (None, Decimal("1"))],
    ids=["none", "input-only", "output-only"],
)
async def test_unknown_price_refuses_before_any_request(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
    price_in: Decimal | None,
    price_out: Decimal | None,
) -> None:
    gateway = make_gateway(price_input_per_mtok=price_in, price_output_per_mtok=price_out)
    llm_server.reply(GOOD)

    with pytest.raises(PriceUnknown) as info:
        await gateway.generate(make_request(), Post)

    assert "LLM_PRICE_INPUT_PER_MTOK" in str(info.value)
    assert "LLM_PRICE_OUTPUT_PER_MTOK" in str(info.value)
    assert "openai/test-model" in str(info.value)
    assert llm_server.requests == []
    assert await call_rows(session_factory) == []


async def test_unpriced_fallback_is_only_checked_when_reached(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    llm_settings: LLMSettings,
) -> None:
    # gpt-4o-mini is in litellm's cost map; the fallback is not. No configured prices.
    gateway = make_gateway(
        model="openai/gpt-4o-mini",
        fallback_models=["openai/not-a-priced-model"],
        price_input_per_mtok=None,
        price_output_per_mtok=None,
        max_retries=0,
    )
    llm_server.reply(GOOD, prompt_tokens=1000, completion_tokens=1000)

    result = await gateway.generate(make_request(), Post)
    assert result.cost_usd == Decimal("0.00075")  # $0.15 + $0.60 per million tokens

    llm_server.fail(500)
    with pytest.raises(PriceUnknown, match="openai/not-a-priced-model"):
        await gateway.generate(make_request("another question"), Post)
    assert len(llm_server.requests) == 2


async def test_no_model_means_the_feature_is_off(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer
) -> None:
    gateway = make_gateway(model=None)

    with pytest.raises(FeatureOff, match="LLM_MODEL"):
        await gateway.generate(make_request(), Post)

    assert llm_server.requests == []
