"""The daily budget: refused at the cap, race-safe, durable across restarts."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import BudgetExceeded
from core.llm.budget import BudgetLedger
from core.llm.types import BudgetStatus
from core.metrics import Metrics
from tests.doubles.llm_server import FakeLLMServer
from tests.llm.conftest import (
    GOOD,
    GatewayFactory,
    MovableClock,
    Post,
    call_rows,
    ledger_rows,
    make_request,
)

# Prices in the fixture are $1 / $2 per million tokens, i.e. 1 / 2 micro-dollars a token.
CALL_COST = 50 * 1 + 20 * 2


def _reply_priced(server: FakeLLMServer, times: int = 1) -> None:
    for _ in range(times):
        server.reply(GOOD, prompt_tokens=50, completion_tokens=20)


async def test_at_the_cap_no_request_reaches_the_provider(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
    metrics: Metrics,
) -> None:
    gateway = make_gateway(daily_budget_usd=Decimal("0.00005"))  # 50 micro-dollars
    _reply_priced(llm_server, times=2)
    await gateway.generate(make_request(), Post)  # 90 spent: one call past the cap

    with pytest.raises(BudgetExceeded) as info:
        await gateway.generate(make_request("a different question"), Post)

    assert str(info.value) == ("Today's LLM budget of $0.00005 is used up; it resets at 00:00 UTC.")
    assert len(llm_server.requests) == 1
    rows = await call_rows(session_factory)
    assert [(r.outcome, r.cost_microusd) for r in rows] == [("ok", CALL_COST), ("budget", 0)]
    assert rows[1].error == str(info.value)
    assert metrics.budget_left._value.get() == 0


async def test_zero_budget_refuses_everything(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer
) -> None:
    gateway = make_gateway(daily_budget_usd=Decimal(0))
    _reply_priced(llm_server)

    with pytest.raises(BudgetExceeded, match=r"budget of \$0.00 is used up"):
        await gateway.generate(make_request(), Post)

    assert llm_server.requests == []


async def test_budget_resets_at_utc_midnight(
    make_gateway: GatewayFactory, llm_server: FakeLLMServer, clock: MovableClock
) -> None:
    gateway = make_gateway(daily_budget_usd=Decimal("0.00005"))
    _reply_priced(llm_server, times=2)
    await gateway.generate(make_request(), Post)
    with pytest.raises(BudgetExceeded):
        await gateway.generate(make_request("again"), Post)

    clock.advance(hours=12)  # 12:00 UTC + 12 h: the next UTC day

    assert (await gateway.generate(make_request("again"), Post)).value == Post(**GOOD)
    assert (await gateway.budget_status()).spent_usd == Decimal("0.00009")


async def test_ledger_survives_a_new_gateway_instance(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    metrics: Metrics,
) -> None:
    _reply_priced(llm_server, times=2)
    before = make_gateway(daily_budget_usd=Decimal("0.0001"))
    await before.generate(make_request("one"), Post)
    await before.generate(make_request("two"), Post)

    after = make_gateway(daily_budget_usd=Decimal("0.0001"))  # as after a restart

    status = await after.budget_status()
    assert status == BudgetStatus(
        cap_usd=Decimal("0.0001"), spent_usd=Decimal("0.00018"), reserved_usd=Decimal(0)
    )
    assert status.remaining_usd == 0
    assert metrics.budget_left._value.get() == 0
    with pytest.raises(BudgetExceeded):
        await after.generate(make_request("three"), Post)
    assert len(llm_server.requests) == 2


async def test_concurrent_calls_overshoot_by_at_most_one_call(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    # Room for about seven calls, asked for twelve at once. Each call's reservation (its
    # estimate) is at least its actual cost, which is what bounds the overshoot.
    cap_micro = 600
    gateway = make_gateway(daily_budget_usd=Decimal(cap_micro) / 1_000_000, cache_ttl_s=0)
    _reply_priced(llm_server, times=12)

    results = await asyncio.gather(
        *(gateway.generate(make_request(f"question {i}"), Post) for i in range(12)),
        return_exceptions=True,
    )

    answered = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BudgetExceeded)]
    assert len(answered) + len(refused) == 12
    assert answered
    assert refused
    assert len(llm_server.requests) == len(answered)
    [day] = await ledger_rows(session_factory)
    assert day.reserved_microusd == 0
    assert day.spent_microusd == CALL_COST * len(answered)
    assert day.spent_microusd < cap_micro + CALL_COST
    rows = await call_rows(session_factory)
    assert sorted(r.outcome for r in rows) == sorted(
        ["ok"] * len(answered) + ["budget"] * len(refused)
    )
    assert sum(r.cost_microusd for r in rows) == day.spent_microusd


async def test_reservations_are_atomic_under_contention(
    session_factory: async_sessionmaker[AsyncSession], clock: MovableClock
) -> None:
    """50 racing reservations of 10 against a cap of 100: exactly 10 fit, never 11."""
    ledger = BudgetLedger(session_factory, clock, Decimal("0.0001"))

    outcomes = await asyncio.gather(
        *(ledger.reserve(10) for _ in range(50)), return_exceptions=True
    )

    admitted = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(admitted) == 10
    assert all(isinstance(o, BudgetExceeded) for o in outcomes if o not in admitted)
    status = await ledger.status()
    assert (status.spent_usd, status.reserved_usd) == (Decimal(0), Decimal("0.0001"))


async def test_cancelled_call_releases_its_reservation(
    make_gateway: GatewayFactory,
    llm_server: FakeLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gateway = make_gateway(timeout_s=5)
    llm_server.hang(10)
    await gateway.warm_up()  # so the wait below measures the call, not litellm's import
    task = asyncio.create_task(gateway.generate(make_request(), Post))
    await asyncio.wait_for(llm_server.request_seen.wait(), 5)
    [day] = await ledger_rows(session_factory)
    assert day.reserved_microusd > 0

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    [day] = await ledger_rows(session_factory)
    assert (day.spent_microusd, day.reserved_microusd) == (0, 0)
    [row] = await call_rows(session_factory)
    assert (row.outcome, row.error, row.cost_microusd) == ("error", "cancelled", 0)
