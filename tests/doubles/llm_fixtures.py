"""Fixtures for the llm test double (registered in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from pydantic import SecretStr

from core.config import LLMSettings
from tests.doubles.llm_server import FakeLLMServer


@pytest.fixture
async def llm_server() -> AsyncIterator[FakeLLMServer]:
    server = FakeLLMServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def llm_settings(llm_server: FakeLLMServer) -> LLMSettings:
    """Points at the fake server; `_env_file=None` and explicit values keep .env/env out."""
    return LLMSettings(
        _env_file=None,
        model="openai/test-model",
        api_base=llm_server.url,
        api_key=SecretStr("sk-test"),
        fallback_models=[],
        timeout_s=2.0,
        daily_budget_usd=Decimal("10"),
        price_input_per_mtok=Decimal("1"),
        price_output_per_mtok=Decimal("2"),
        max_retries=2,
        cache_ttl_s=600,
    )
