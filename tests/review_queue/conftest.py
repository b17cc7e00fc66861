"""The review queue's fixtures: the whole bot on SQLite and PostgreSQL (`harness`), and the
crew's end-to-end fixtures (tests/crew_cards/support.py) for the compliance test."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.crew_cards.support import crew_llm, crew_settings  # noqa: F401  (fixtures)
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import Harness
from tests.review_queue.support import bot_on


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    async with bot_on(telegram_api, llm_server, tmp_path, database_url) as harness:
        yield harness
