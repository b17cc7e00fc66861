"""What the crew needs from the rest of core, as protocols (tests pass fakes or the real ones)."""

from __future__ import annotations

from typing import Protocol

from core.brands.guidelines import BrandGuidelines
from core.suggestions.ports import StructuredLLM


class CrewLLM(StructuredLLM, Protocol):
    """The gateway: answers, and a warm-up (litellm's import takes seconds) done before a
    run, so it never counts against a step's timeout."""

    async def warm_up(self) -> None: ...


class HasGuidelines(Protocol):
    @property
    def guidelines(self) -> BrandGuidelines: ...


class Brands(Protocol):
    """core.brands.BrandService, as far as the crew uses it."""

    async def for_persona(self, persona_id: int | None) -> BrandGuidelines | None: ...

    async def get(self, brand_id: int) -> HasGuidelines: ...
