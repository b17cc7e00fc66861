"""The one error handler, and the daily budget as a user meets it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.runner import start
from core.suggestions.models import Page
from storage.models import LLMCall, Suggestion
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import Harness, make_settings


async def test_unexpected_error_is_logged_counted_and_the_user_told(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*, offset: int, limit: int) -> Page:
        raise RuntimeError("database exploded: secret internals")

    monkeypatch.setattr(harness.bot.services.suggestions, "pending", broken)
    harness.send("/approve")
    told = await harness.said("Sorry, something went wrong")
    assert "secret internals" not in told.params["text"]
    assert any(r.name == "copilot.errors" and r.exc_info for r in caplog.records)
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{harness.web_url}/metrics") as response,
    ):
        assert 'copilot_errors_total{where="RuntimeError"} 1.0' in await response.text()


@pytest.fixture
async def broke_harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    bot = await start(make_settings(telegram_api, llm_server, tmp_path, budget=Decimal(0)))
    try:
        await telegram_api.wait_for("getUpdates", timeout=10)
        yield Harness(telegram_api, llm_server, bot)
    finally:
        await bot.stop()


async def test_spent_budget_makes_no_call_and_says_so(broke_harness: Harness) -> None:
    broke_harness.send("/suggest")
    failure = await broke_harness.said("budget")
    assert "Retry" in str(failure.params["reply_markup"])
    assert broke_harness.llm.requests == []
    async with broke_harness.bot.services.sessions() as session:
        assert (await session.execute(select(Suggestion))).first() is None
        call = (await session.execute(select(LLMCall))).scalar_one()
    assert call.outcome == "budget"
