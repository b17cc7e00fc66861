"""The plain objects that cross the LLM boundary: what we ask, and what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class PromptRef:
    """Which template, version and A/B variant produced a request (logged with the call)."""

    name: str
    version: int
    variant: str


@dataclass(frozen=True)
class LLMRequest:
    messages: tuple[Message, ...]
    prompt: PromptRef | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    # A redo the person asked for (🔄 Regenerate, 🔁 Retry, Re-plan): they rejected the last
    # answer, so the cache is not read (its entry is refreshed with the new answer) and the
    # sampling seed is a new one wherever the provider takes a seed.
    fresh: bool = False
    # A litellm model string that replaces LLM_MODEL for this call (a sequence's
    # ai_agent_id); LLM_FALLBACK_MODELS still follow it. None: LLM_MODEL.
    model: str | None = None
    # What semantic memory showed the model in this prompt (core/memory/retrieval.py), one
    # row per past item: kind, item_id, label, similarity, why ("similar" | "best"). Stored
    # with the call (llm_calls.retrieval) so a reviewer sees it; None: nothing was shown.
    retrieval: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class LLMResult(Generic[T]):
    value: T
    call_id: int | None
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal
    cached: bool


@dataclass(frozen=True)
class BudgetStatus:
    cap_usd: Decimal
    spent_usd: Decimal
    reserved_usd: Decimal

    @property
    def remaining_usd(self) -> Decimal:
        return max(Decimal(0), self.cap_usd - self.spent_usd - self.reserved_usd)
