"""Pure pieces of the gateway: pricing, cache keys, answer parsing. No server, no DB."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import BaseModel

from core.llm import provider, structured
from core.llm.budget import format_usd
from core.llm.cache import cache_key
from core.llm.pricing import Price, reservation_input_tokens
from core.llm.types import Message


class Item(BaseModel):
    name: str
    count: int


@pytest.mark.parametrize(
    ("price", "tokens", "micro"),
    [
        (Price(Decimal(1), Decimal(2)), (100, 10), 120),
        (Price(Decimal("0.15"), Decimal("0.6")), (1000, 1000), 750),
        (Price(Decimal("0.15"), Decimal("0.6")), (1, 0), 1),  # rounds up, never free
        (Price(Decimal(0), Decimal(0)), (5000, 5000), 0),  # a declared-free model
    ],
)
def test_cost_in_micro_dollars(price: Price, tokens: tuple[int, int], micro: int) -> None:
    assert price.cost_microusd(*tokens) == micro


@pytest.mark.parametrize(
    "text",
    [
        "Write a post about our spring sale: 20% off everything until Sunday!",
        "Весенняя распродажа 🌸🎉 — скидки до 50% на всё! 👩‍👩‍👧‍👦 春季促销：全场五折！",
        json.dumps(
            {"title": "Скидки 🌷", "hashtags": ["#spring", "#sale"], "price": 9.99, "n": None},
            ensure_ascii=False,
        ),
        "",
    ],
    ids=["ascii", "cyrillic-emoji-cjk", "json", "empty"],
)
@pytest.mark.parametrize("model", ["gpt-4o-mini", "openai/test-model"])  # o200k, cl100k
def test_reservation_never_below_the_tokenizer_count(text: str, model: str) -> None:
    messages = [
        {"role": "system", "content": "You write marketing posts."},
        {"role": "user", "content": text},
    ]
    counted = provider.load_litellm().token_counter(model=model, messages=messages)

    assert reservation_input_tokens(messages) >= counted


@pytest.mark.parametrize(
    ("usd", "text"),
    [
        (Decimal(10), "10.00"),
        (Decimal("2.5"), "2.50"),
        (Decimal("0.0001"), "0.0001"),
        (Decimal(0), "0.00"),
    ],
)
def test_format_usd(usd: Decimal, text: str) -> None:
    assert format_usd(usd) == text


def test_cache_key_is_stable_and_sensitive() -> None:
    messages = [{"role": "user", "content": "hi"}]
    key = cache_key("m", messages, "{}", 0.2, 100)
    assert key == cache_key("m", [dict(m) for m in messages], "{}", 0.2, 100)
    assert len(key) == 64
    variants = [
        cache_key("other", messages, "{}", 0.2, 100),
        cache_key("m", [{"role": "user", "content": "hi!"}], "{}", 0.2, 100),
        cache_key("m", messages, '{"a":1}', 0.2, 100),
        cache_key("m", messages, "{}", None, 100),
        cache_key("m", messages, "{}", 0.2, None),
    ]
    assert len({key, *variants}) == 6


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"name": "a", "count": 2}', None),
        ('```json\n{"name": "a", "count": 2}\n```', None),
        ('{"name": "a"}', "count: Field required"),
        ('{"name": "a", "count": "many"}', "count: Input should be a valid integer"),
        ("[1, 2]", "(whole answer): Input should be an object"),
        ("", "(whole answer): Invalid JSON"),
    ],
)
def test_try_parse(text: str, problem: str | None) -> None:
    value, why = structured.try_parse(Item, text)
    if problem is None:
        assert value == Item(name="a", count=2)
        assert why is None
    else:
        assert value is None
        assert why is not None
        assert why.startswith(problem)


def test_instruction_joins_an_existing_system_message() -> None:
    rendered = structured.with_instruction(
        (Message("system", "Be brief."), Message("user", "go")), Item
    )
    assert [m["role"] for m in rendered] == ["system", "user"]
    assert rendered[0]["content"].startswith("Be brief.\n\nReply with one JSON object only")
    assert structured.schema_text(Item) in rendered[0]["content"]


@pytest.mark.parametrize(
    ("model", "takes"),
    [
        ("openai/gpt-4o-mini", True),
        ("openai/gemma3-270m", True),  # any OpenAI-compatible server
        ("anthropic/claude-3-5-sonnet-20241022", False),  # litellm would refuse the call
    ],
)
def test_the_seed_goes_only_to_providers_that_take_it(model: str, takes: bool) -> None:
    assert provider._takes_seed(provider.load_litellm(), model) is takes
