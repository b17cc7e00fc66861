"""LLM_PRICE_* price the models litellm has no price for (README); known prices stand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.config import LLMSettings
from core.errors import PriceUnknown
from core.llm import provider
from core.llm.pricing import resolve_price


def _settings(input_price: str | None, output_price: str | None) -> LLMSettings:
    return LLMSettings(
        _env_file=None,
        model="openai/gpt-4o-mini",
        price_input_per_mtok=None if input_price is None else Decimal(input_price),
        price_output_per_mtok=None if output_price is None else Decimal(output_price),
    )


def test_known_model_keeps_litellm_price_even_when_a_price_is_configured() -> None:
    price = resolve_price(_settings("0", "0"), "openai/gpt-4o-mini", provider.load_litellm())
    assert price.input_per_mtok > 0 and price.output_per_mtok > 0


def test_unknown_model_uses_configured_price() -> None:
    price = resolve_price(_settings("0.5", "1.5"), "openai/my-gemma", provider.load_litellm())
    assert (price.input_per_mtok, price.output_per_mtok) == (Decimal("0.5"), Decimal("1.5"))


@pytest.mark.parametrize(("given_in", "given_out"), [(None, None), ("1", None), (None, "1")])
def test_unknown_model_without_full_price_is_refused(
    given_in: str | None, given_out: str | None
) -> None:
    with pytest.raises(
        PriceUnknown, match="LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK"
    ):
        resolve_price(_settings(given_in, given_out), "openai/my-gemma", provider.load_litellm())
