"""The publishing sweep remembers what it published: a post sent to the channel is in
memory as published, with its caption, once the sweep records it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from core.config import MemorySettings
from domain.memory import MemoryKind
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.schedule_support import (
    add_post,
    publishing_settings,
    soon,
    start_harness,
    wait_status,
)

CAPTION = "Our autumn candle is back <3"


async def test_a_published_post_is_remembered_as_published(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = publishing_settings(telegram_api, llm_server, tmp_path)
    settings = replace(settings, memory=MemorySettings(_env_file=None, enabled=True))
    harness = await start_harness(telegram_api, llm_server, settings)
    try:
        services = harness.bot.services
        post_id = await add_post(services.sessions, at=soon(0.3), caption=CAPTION)
        await wait_status(services.sessions, post_id, "published")
        for _ in range(100):  # the hook runs right after the sweep records the post
            found = await services.memory.get(MemoryKind.POST, post_id)
            if found is not None:
                break
            await asyncio.sleep(0.05)
        assert found is not None
        assert (found.outcome, found.text) == ("published", CAPTION)
        assert found.label.startswith("the post of ")
    finally:
        await harness.bot.stop()
