"""/report as a use case: the facts of a period, then the model's reading of them.

The two halves are separate calls so the facts reach the person at once and stand on
their own if the model fails or the budget is used up; `analyze_performance` is the
LLM-integration design's single entry point, both halves in one dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.llm.budget import format_usd
from core.report import facts
from core.report.answer import ReportAnswer, answer_schema
from core.report.facts import FactSheet
from core.suggestions.ports import PromptRenderer, StructuredLLM
from domain.timegrammar import DateRange

TEMPLATE = "report"


@dataclass(frozen=True)
class Analysis:
    answer: ReportAnswer
    cost_usd: str


class ReportService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        prompts: PromptRenderer,
        llm: StructuredLLM,
        tz: ZoneInfo,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._prompts = prompts
        self._llm = llm
        self._tz = tz

    def today(self) -> date:
        return self._clock.now().astimezone(self._tz).date()

    async def facts(self, period: DateRange) -> FactSheet:
        async with self._sessions() as session:
            return await facts.collect(session, period, self._tz)

    async def analyze(self, sheet: FactSheet) -> Analysis:
        """The model's insights and three recommendations; LLMError, BudgetExceeded and
        the like propagate (core.errors), worded for people."""
        variables = {
            "period": sheet.period.show(),
            "today": f"{self.today():%Y-%m-%d (%A)}",
            "facts": [{"id": fact.id, "text": fact.text} for fact in sheet.facts],
        }
        key = f"report:{sheet.period.start}:{sheet.period.end}"
        request = self._prompts.render(TEMPLATE, variables, variant_key=key)
        result = await self._llm.generate(request, answer_schema(sheet.ids))
        return Analysis(result.value, format_usd(result.cost_usd))

    async def analyze_performance(self, date_range: tuple[date, date]) -> dict[str, Any]:
        """The design's signature: facts, insights and recommendations for [start, end]."""
        start, end = date_range
        sheet = await self.facts(DateRange(start, min(end, self.today())))
        analysis = await self.analyze(sheet)
        return {
            "period": {
                "start": sheet.period.start.isoformat(),
                "end": sheet.period.end.isoformat(),
            },
            "facts": [{"id": fact.id, "text": fact.text} for fact in sheet.facts],
            **analysis.answer.model_dump(include={"insights", "recommendations"}),
            "cost_usd": analysis.cost_usd,
            "generated_at": self._clock.now().isoformat(),
        }
