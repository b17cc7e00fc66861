"""The whole bot against the doubles, with the REST API on (the brand routes need it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import Harness, make_settings, running, with_api

TOKEN = "api-token-for-the-brand-tests"


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    settings = with_api(make_settings(telegram_api, llm_server, tmp_path), TOKEN)
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


@pytest.fixture
async def api_harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    """The same, on SQLite and on PostgreSQL."""
    settings = make_settings(telegram_api, llm_server, tmp_path, database_url=database_url)
    async with running(telegram_api, llm_server, with_api(settings, TOKEN)) as harness:
        yield harness
