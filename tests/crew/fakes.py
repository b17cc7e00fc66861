"""In-process stand-ins for the crew's unit tests: a model answering by template name."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.brands.guidelines import BrandGuidelines
from core.llm.types import LLMRequest, LLMResult, T
from domain.crew import StepName
from tests.doubles.crew_llm import good_answers


@dataclass
class RoutedLLM:
    """Answers each crew template as scripted: an answer, an exception, or a wait."""

    answers: dict[StepName, dict[str, Any] | int | Exception] = field(
        default_factory=lambda: dict(good_answers())
    )
    # Steps that wait for this event before answering (to hold a step mid-flight).
    gates: dict[StepName, asyncio.Event] = field(default_factory=dict)
    requests: list[LLMRequest] = field(default_factory=list)
    started: list[StepName] = field(default_factory=list)

    async def warm_up(self) -> None:
        return None

    async def generate(self, request: LLMRequest, schema: type[T]) -> LLMResult[T]:
        assert request.prompt is not None
        step = StepName(request.prompt.name.removeprefix("crew_"))
        self.requests.append(request)
        self.started.append(step)
        if step in self.gates:
            await self.gates[step].wait()
        answer = self.answers[step]
        if isinstance(answer, Exception):
            raise answer
        assert not isinstance(answer, int), "HTTP statuses are for CrewLLMServer"
        value = schema.model_validate(answer)
        return LLMResult(value, 7, "fake/model", 100, 50, Decimal("0.0002"), cached=False)

    def request_for(self, step: StepName) -> LLMRequest:
        return next(r for r in self.requests if r.prompt and r.prompt.name == f"crew_{step}")


@dataclass
class FixedBrands:
    """BrandService as the crew sees it: one brand for every persona, or by id."""

    brand: BrandGuidelines | None = None
    by_id: dict[int, BrandGuidelines] = field(default_factory=dict)

    async def for_persona(self, persona_id: int | None) -> BrandGuidelines | None:
        return self.brand

    async def get(self, brand_id: int) -> _View:
        return _View(self.by_id[brand_id])


@dataclass(frozen=True)
class _View:
    guidelines: BrandGuidelines


@dataclass
class MovableClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 12, 7, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
