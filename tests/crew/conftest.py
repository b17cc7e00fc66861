"""The crew's fixtures: the shipped templates, a routed model, a service over the test DB."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.crew.ports import CrewLLM
from core.crew.service import CrewService
from core.prompting import PromptRegistry
from tests.crew.fakes import FixedBrands, MovableClock, RoutedLLM
from tests.doubles.crew_llm import CrewLLMServer

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

CrewFactory = Callable[..., CrewService]


@pytest.fixture
async def prompts() -> PromptRegistry:
    return await PromptRegistry.load(PROMPTS_DIR)


@pytest.fixture
def routed() -> RoutedLLM:
    return RoutedLLM()


@pytest.fixture
def brands() -> FixedBrands:
    return FixedBrands()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def make_crew(
    session_factory: async_sessionmaker[AsyncSession],
    prompts: PromptRegistry,
    routed: RoutedLLM,
    brands: FixedBrands,
    clock: MovableClock,
) -> CrewFactory:
    """A CrewService over the test database; keywords override its parts."""

    def build(**overrides: Any) -> CrewService:
        llm: CrewLLM = overrides.pop("llm", routed)
        return CrewService(
            session_factory, overrides.pop("clock", clock), prompts, llm,
            overrides.pop("brands", brands), enabled=overrides.pop("enabled", True),
            step_timeout_s=overrides.pop("step_timeout_s", 5.0),
        )  # fmt: skip

    return build


@pytest.fixture
async def crew_server() -> AsyncIterator[CrewLLMServer]:
    server = CrewLLMServer()
    await server.start()
    yield server
    await server.stop()
