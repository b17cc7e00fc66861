"""What the crew's end-to-end tests share: the model server that also plays the crew,
settings with the crew on, and the answer to a tap. The fixtures reach the tests through
tests/crew_cards/conftest.py and tests/e2e/conftest.py.

Cards, reply drafts, sequence emails and the design advisor each start the whole bot
their own way (ComfyUI, SMTP, a moved clock); this module holds only what is the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from domain.crew import StepName
from handlers.common import crew_progress
from tests.crew_cards.crew_server import CrewAwareLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.harness import Harness, make_settings, running


@pytest.fixture
async def crew_llm() -> AsyncIterator[CrewAwareLLMServer]:
    """FakeLLMServer whose crew steps are answered by role (tests.crew_cards.crew_server)."""
    server = CrewAwareLLMServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def crew_settings(
    telegram_api: TelegramApiDouble,
    crew_llm: CrewAwareLLMServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """The whole bot's settings with the crew on; cards poll the crew row every 50 ms, so
    a test sees each step tick off before the scores."""
    monkeypatch.setattr(crew_progress, "POLL_S", 0.05)
    return make_settings(telegram_api, crew_llm, tmp_path, crew_enabled=True)


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, crew_llm: CrewAwareLLMServer, crew_settings: Settings
) -> AsyncIterator[Harness]:
    """The whole bot with the crew on (a test module that needs more starts its own)."""
    async with running(telegram_api, crew_llm, crew_settings) as harness:
        yield harness


def compliance_fails(issue: str) -> dict[StepName, dict[str, Any] | int]:
    """The crew's answers with the compliance officer failing the draft for `issue`."""
    return {StepName.COMPLIANCE: {"verdict": "fail", "compliance": 20, "issues": [issue]}}


async def answered(harness: Harness, text: str) -> RecordedCall:
    """The next answer to a button tap that says `text`."""
    return await harness.api.wait_for(
        "answerCallbackQuery", lambda call: text in str(call.params.get("text"))
    )
