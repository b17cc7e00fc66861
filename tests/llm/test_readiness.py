"""What will stop a configured model, found before anyone asks it: a missing key, no price."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from core.config import LLMSettings
from core.llm import provider
from core.llm.readiness import AI_FEATURES, model_problems

PRICE = "set LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK"


@pytest.fixture(autouse=True)
def no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY")
    for name in [*keys, *(name for name in os.environ if name.startswith("LLM_"))]:
        monkeypatch.delenv(name, raising=False)


def _lines(**given: Any) -> list[str]:
    settings = LLMSettings(_env_file=None, **given)
    return [problem.line for problem in model_problems(settings, provider.load_litellm())]


def test_a_known_model_without_its_key_says_what_will_fail_and_which_variable_fixes_it() -> None:
    assert _lines(model="openai/gpt-4o-mini") == [
        f"LLM_MODEL openai/gpt-4o-mini has no API key: {AI_FEATURES} will fail; "
        "set LLM_API_KEY or OPENAI_API_KEY"
    ]


def test_the_providers_own_variable_counts_as_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    assert _lines(model="openai/gpt-4o-mini") == []
    assert _lines(model="openai/gpt-4o-mini", api_key=SecretStr("sk-x")) == []


def test_a_model_nobody_priced_is_refused_until_a_price_is_set() -> None:
    local = {"model": "openai/my-gemma", "api_base": "http://127.0.0.1:9/v1", "api_key": "x"}
    assert _lines(**local) == [
        f"LLM_MODEL openai/my-gemma has no known price: {AI_FEATURES} is refused; {PRICE} "
        "(USD per million tokens, 0 for a free self-hosted model)"
    ]
    priced = {"price_input_per_mtok": Decimal(0), "price_output_per_mtok": Decimal(0)}
    assert _lines(**local, **priced) == []


def test_each_fallback_is_looked_at_and_named_as_a_fallback() -> None:
    lines = _lines(model="openai/gpt-4o-mini", api_key="sk-x", fallback_models=["openai/unpriced"])
    assert lines == [
        f"LLM_FALLBACK_MODELS openai/unpriced has no known price: this fallback is refused; "
        f"{PRICE} (USD per million tokens, 0 for a free self-hosted model)"
    ]


def test_ollama_needs_neither_key_nor_base_url() -> None:
    # litellm lists OLLAMA_API_BASE as missing, but defaults it to localhost:11434.
    assert _lines(model="ollama/llama3.1") == []


def test_no_model_no_problems() -> None:
    assert _lines() == []
