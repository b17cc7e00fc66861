"""What the suggestion service needs from the LLM layer, as protocols so tests can pass fakes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from core.llm.types import LLMRequest, LLMResult, T


class StructuredLLM(Protocol):
    async def generate(self, request: LLMRequest, schema: type[T]) -> LLMResult[T]: ...


class PromptRenderer(Protocol):
    def render(
        self, name: str, variables: Mapping[str, object], *, variant_key: str | None = None
    ) -> LLMRequest: ...
