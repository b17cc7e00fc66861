"""Webhook mode (stored before the 200, deduplicated, replayed), /health and /metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import AnyHttpUrl
from sqlalchemy import select

from bot.runner import start
from bot.settings import BotModeSettings, Settings
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import InboxUpdate
from storage.repos import inbox
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import NO_ENV, Harness, eventually, make_settings

SECRET = "s3cret-token_value"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _webhook_settings(api: TelegramApiDouble, llm: FakeLLMServer, data: Path) -> Settings:
    url = AnyHttpUrl("https://bot.example/telegram/webhook")
    mode = BotModeSettings(**NO_ENV, bot_mode="webhook", webhook_url=url)
    return make_settings(api, llm, data, mode=mode, webhook_secret=SECRET)


@pytest.fixture
async def webhook_harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    bot = await start(_webhook_settings(telegram_api, llm_server, tmp_path))
    try:
        yield Harness(telegram_api, llm_server, bot)
    finally:
        await bot.stop()


async def _post(harness: Harness, body: bytes | dict[str, object], secret: str | None) -> int:
    headers = {HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as http:
        kwargs = {"json": body} if isinstance(body, dict) else {"data": body}
        url = f"{harness.web_url}/telegram/webhook"
        async with http.post(url, headers=headers, **kwargs) as response:
            return response.status


async def test_webhook_is_registered_with_the_secret(webhook_harness: Harness) -> None:
    call = webhook_harness.api.last("setWebhook")
    assert call.params["url"] == "https://bot.example/telegram/webhook"
    assert call.params["secret_token"] == SECRET


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
async def test_webhook_refuses_a_bad_secret(webhook_harness: Harness, secret: str | None) -> None:
    update = webhook_harness.api.make_message_update(1001, 1001, "/start")
    assert await _post(webhook_harness, update, secret) == 403
    async with webhook_harness.bot.services.sessions() as session:
        assert (await session.execute(select(InboxUpdate))).first() is None


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"update_id": "x"}'])
async def test_webhook_rejects_what_is_not_an_update(webhook_harness: Harness, body: bytes) -> None:
    assert await _post(webhook_harness, body, SECRET) == 400


async def test_redelivered_update_is_handled_once(webhook_harness: Harness) -> None:
    update = webhook_harness.api.make_message_update(1001, 1001, "/start")
    update["update_id"] = 77
    assert await _post(webhook_harness, update, SECRET) == 200
    assert await _post(webhook_harness, update, SECRET) == 200
    await webhook_harness.said("Campaign Copilot")
    async with webhook_harness.bot.services.sessions() as session:
        row = (await session.execute(select(InboxUpdate))).scalar_one()
        assert row.update_id == 77
    await webhook_harness.api.wait_for("sendMessage")
    welcome = [c for c in webhook_harness.api.calls_to("sendMessage") if "Copilot" in str(c.params)]
    assert len(welcome) == 1


async def test_stored_but_unprocessed_update_is_replayed_at_start(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = _webhook_settings(telegram_api, llm_server, tmp_path)
    # The state a crash leaves: stored (so Telegram got its 200) but never processed.
    engine = make_engine(settings.database.database_url)
    await migrate.upgrade(engine)
    update = telegram_api.make_message_update(1001, 1001, "/help")
    update["update_id"] = 5
    async with make_session_factory(engine).begin() as session:
        await inbox.store_once(session, 5, update)
    await engine.dispose()

    bot = await start(settings)
    try:
        harness = Harness(telegram_api, llm_server, bot)
        await harness.said("What I can do")

        async def processed() -> bool:
            # Marked by the update processor once the handler has returned: after the reply.
            async with bot.services.sessions() as session:
                row = (await session.execute(select(InboxUpdate))).scalar_one()
            return row.processed_at is not None

        await eventually(processed, what="the replayed update marked processed")
    finally:
        await bot.stop()


async def test_health_and_metrics(harness: Harness) -> None:
    harness.send("/start")
    await harness.said("Campaign Copilot")
    metrics = ""

    async def counted() -> bool:
        # The update is counted once its handler has returned: after the reply.
        nonlocal metrics
        async with aiohttp.ClientSession() as http, http.get(f"{harness.web_url}/metrics") as got:
            metrics = await got.text()
        return 'copilot_updates_handled_total{kind="message"}' in metrics

    await eventually(counted, what="/start counted in /metrics")
    async with aiohttp.ClientSession() as http, http.get(f"{harness.web_url}/health") as response:
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["llm_budget_left_usd"] == "10"
    assert "copilot_llm_budget_left_usd 10.0" in metrics
    assert "copilot_handler_latency_seconds_count" in metrics


async def test_health_is_503_when_the_database_is_gone(harness: Harness) -> None:
    services = harness.bot.services
    working = services.engine
    services.engine = make_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{harness.web_url}/health") as response,
        ):
            assert response.status == 503
            assert (await response.json())["status"] == "error"
    finally:
        await services.engine.dispose()
        services.engine = working
