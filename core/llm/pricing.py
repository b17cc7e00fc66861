"""What a model costs, and the most a call can cost before it is made.

A price per million tokens in USD is the same number as micro-dollars per token, which
is why the arithmetic below has no scale factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from core.config import LLMSettings
from core.errors import PriceUnknown

# Output allowance for the budget estimate when a request sets no max_tokens.
DEFAULT_OUTPUT_ALLOWANCE = 1024
_MILLION = Decimal(1_000_000)
# What a chat format adds to the text: OpenAI counts 3-4 tokens a message (its
# separators and role) and 3 that prime the reply.
_FRAMING_TOKENS_PER_MESSAGE = 4
_REPLY_PRIMER_TOKENS = 3


@dataclass(frozen=True)
class Price:
    input_per_mtok: Decimal
    output_per_mtok: Decimal

    def cost_microusd(self, input_tokens: int, output_tokens: int) -> int:
        # Rounded up: a call that cost something never books as free.
        exact = self.input_per_mtok * input_tokens + self.output_per_mtok * output_tokens
        return int(exact.to_integral_value(rounding=ROUND_CEILING))


def resolve_price(settings: LLMSettings, model: str, litellm: Any) -> Price:
    """litellm's cost map first; the configured price covers models it doesn't know.

    That order (README: the variables are "for a model litellm has no price for")
    keeps a paid fallback from being booked at a free self-hosted model's price.
    """
    known = _from_cost_map(model, litellm)
    if known is not None:
        return known
    configured = _configured(settings)
    if configured is not None:
        return configured
    raise PriceUnknown(
        f"No price is known for the model {model!r}, so LLM calls are refused rather than "
        "run unmetered. Set LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK "
        "(USD per million tokens; 0 for a free self-hosted model)."
    )


def _configured(settings: LLMSettings) -> Price | None:
    # Both are needed: half a price would silently make the other half free.
    if settings.price_input_per_mtok is None or settings.price_output_per_mtok is None:
        return None
    return Price(settings.price_input_per_mtok, settings.price_output_per_mtok)


def _from_cost_map(model: str, litellm: Any) -> Price | None:
    try:
        info = litellm.get_model_info(model)
    except Exception:  # litellm raises a bare Exception for an unmapped model
        return None
    per_input = info.get("input_cost_per_token")
    per_output = info.get("output_cost_per_token")
    if per_input is None or per_output is None:
        return None
    # Per token in the map; str() first so a float like 1.5e-07 converts exactly.
    return Price(Decimal(str(per_input)) * _MILLION, Decimal(str(per_output)) * _MILLION)


def reservation_input_tokens(messages: list[dict[str, str]]) -> int:
    """An upper bound on a request's input tokens, worked out without a tokenizer.

    Byte-level BPE tokenizers (OpenAI's, Llama's, Gemma's with byte fallback) never emit
    more tokens than the text has UTF-8 bytes: every token stands for at least one byte.
    So each message's byte length plus an allowance for the chat format's framing is at
    least the real count, and a reservation made from it is never below the call's real
    input cost. (The allowance is OpenAI's framing; formats that add a token or two more
    a message are covered by the bytes' slack: English runs about four bytes a token.)
    That slack only holds back budget while a call is in flight: the call is billed at
    its real usage and the reservation released.

    No tokenizer on purpose: this runs before every call, and tiktoken's encoding costs
    ~34 MiB of memory (see core/llm/lazy_tokenizer.py).
    """
    content_bytes = sum(len(m["content"].encode()) for m in messages)
    return content_bytes + _FRAMING_TOKENS_PER_MESSAGE * len(messages) + _REPLY_PRIMER_TOKENS


def count_input_tokens(model: str, messages: list[dict[str, str]], litellm: Any) -> int:
    """The input tokens to bill when a server reported none: litellm's tokenizer count.

    The first count loads the tokenizer; servers that report usage never pay for it.
    """
    try:
        return int(litellm.token_counter(model=model, messages=messages))
    except Exception:  # billing must never fail a call; ~4 characters per token
        return sum(len(m["content"]) for m in messages) // 4 + 1


def estimate_cost_microusd(
    price: Price, messages: list[dict[str, str]], max_tokens: int | None
) -> int:
    """What to reserve before a call: never less than the call can cost (up to max_tokens)."""
    input_tokens = reservation_input_tokens(messages)
    return price.cost_microusd(input_tokens, max_tokens or DEFAULT_OUTPUT_ALLOWANCE)
