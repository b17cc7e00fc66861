"""Telegram goes away while a post falls due: the whole bot retries it, and it goes out
once Telegram is back, instead of waiting for a human as `unknown`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import PostDelivery
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.schedule_support import (
    CHANNEL,
    add_post,
    publishing_settings,
    soon,
    start_harness,
    status_of,
    wait_status,
)


async def _first_failure(sessions: async_sessionmaker[AsyncSession], post_id: int) -> PostDelivery:
    deadline = asyncio.get_running_loop().time() + 15
    while asyncio.get_running_loop().time() < deadline:
        async with sessions() as session:
            row = await session.get(PostDelivery, post_id)
        if row is not None and row.last_error:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"post #{post_id} was never tried")


async def test_a_post_due_while_telegram_is_down_goes_out_once_it_is_back(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = publishing_settings(telegram_api, llm_server, tmp_path, publish_retries=8,
                                   publish_backoff_s=0.3)  # fmt: skip
    harness = await start_harness(telegram_api, llm_server, settings)
    sessions = harness.bot.services.sessions
    try:
        port = telegram_api.port
        await telegram_api.stop()  # connections to the Bot API are refused from here on
        post_id = await add_post(sessions, at=soon(0.5))
        refused = await _first_failure(sessions, post_id)
        assert refused.last_error is not None
        assert refused.last_error.startswith("Telegram could not be reached (")
        assert await status_of(sessions, post_id) == "publishing"  # waiting to try again

        await telegram_api.start(port=port)
        await wait_status(sessions, post_id, "published")
    finally:
        await harness.bot.stop()

    [message] = telegram_api.messages_in(CHANNEL)
    assert message["text"] == "Our autumn candle is back.\n\n#autumn"
    async with sessions() as session:
        row = await session.get(PostDelivery, post_id)
    assert row is not None and row.attempts >= 2 and row.alert is None
