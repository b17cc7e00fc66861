"""Fixtures that start the whole bot (polling) against the doubles."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.crew_cards.support import crew_llm, crew_settings  # noqa: F401  (fixtures)
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import Harness, make_settings, running
from tests.e2e.local_model import llama_cpp_server, local_llm
from tests.e2e.schedule_support import publishing_settings, start_harness


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    async with running(
        telegram_api, llm_server, make_settings(telegram_api, llm_server, tmp_path)
    ) as harness:
        yield harness


@pytest.fixture
async def publishing_harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The whole bot with a channel to publish to and a fast publishing sweep."""
    harness = await start_harness(
        telegram_api, llm_server, publishing_settings(telegram_api, llm_server, tmp_path)
    )
    try:
        yield harness
    finally:
        await harness.bot.stop()


@pytest.fixture
async def cached(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The bot with the LLM response cache on, as it runs by default (10 minutes)."""
    settings = make_settings(telegram_api, llm_server, tmp_path, cache_ttl_s=600)
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Gemma 3 270M on llama.cpp, one server per test module (skipped when not installed)."""
    with llama_cpp_server(tmp_path_factory.mktemp("llama")) as url:
        yield url


@pytest.fixture
async def local_harness(
    telegram_api: TelegramApiDouble, llama_server: str, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The whole bot on the real local model, no fake on the LLM path."""
    settings = replace(make_settings(telegram_api, None, tmp_path), llm=local_llm(llama_server))
    async with running(telegram_api, None, settings) as harness:
        yield harness
