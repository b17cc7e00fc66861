"""A queue-based stand-in for the LLM gateway, for tests of the services above it.

Gateway behaviour itself (litellm, budget, retries) is tested against the HTTP fake
server in tests/llm; here we only need "the model answered X" or "the model failed".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from decimal import Decimal

from core.llm.types import LLMRequest, LLMResult, T


@dataclass
class FakeLLM:
    answers: list[dict[str, object] | Exception] = field(default_factory=list)
    requests: list[LLMRequest] = field(default_factory=list)
    gate: asyncio.Event | None = None  # when set, calls wait for it: a "slow model"

    def queue(self, *answers: dict[str, object] | Exception) -> None:
        self.answers.extend(answers)

    async def generate(self, request: LLMRequest, schema: type[T]) -> LLMResult[T]:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        if not self.answers:
            raise AssertionError("FakeLLM: no answer queued")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        value = schema.model_validate(answer)
        return LLMResult(value, None, "fake/model", 10, 20, Decimal("0.001"), cached=False)


def suggestion_answer(**overrides: object) -> dict[str, object]:
    answer: dict[str, object] = {
        "title": "Weekend candle sale",
        "what": "A photo post of the new autumn candles",
        "why": "Saturday mornings get the most engagement",
        "when": "2030-01-05T10:00:00",
        "products": ["Autumn candle"],
        "caption": "Cosy up: our autumn candles are here <3 & ready",
        "hashtags": ["autumn", "#candles", "cosy home"],
    }
    answer.update(overrides)
    return answer
