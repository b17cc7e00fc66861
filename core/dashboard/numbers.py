"""The Mini App's numbers: /usage's spend and /report's facts for 7 or 30 days.

Facts only, straight from the database (core/usage, core/report): no model is called.
Bars are plain data here; the page draws them as SVG on the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from core.errors import ValidationFailed
from core.llm.types import BudgetStatus
from core.report.facts import Fact, FactSheet
from core.usage.types import Acceptance, DailyCosts, UsageSummary
from core.usage.windows import MONTH, WEEK, Window
from domain.timegrammar import DateRange

PERIODS: dict[str, Window] = {"7d": WEEK, "30d": MONTH}


class UsageSource(Protocol):
    async def summary(self) -> UsageSummary: ...
    async def daily_costs(self, window: Window = MONTH) -> DailyCosts: ...


class FactSource(Protocol):
    def today(self) -> date: ...
    async def facts(self, period: DateRange) -> FactSheet: ...


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    share: float  # of the tallest bar, 0..1, for the chart's height


@dataclass(frozen=True)
class Numbers:
    period: str
    window: Window
    daily: tuple[Bar, ...]  # model cost per UTC day, oldest first
    by_feature: tuple[Bar, ...]  # costliest first
    calls: int
    tokens: int
    cost_usd: Decimal
    budget: BudgetStatus
    acceptance: tuple[Acceptance, ...]  # only kinds with decisions, over acceptance_window
    acceptance_window: Window  # /usage counts kept drafts over 30 days, whatever the period
    facts: tuple[Fact, ...]


def parse_period(raw: str | None) -> str:
    period = raw or "7d"
    if period not in PERIODS:
        raise ValidationFailed([f"period: must be one of {', '.join(PERIODS)}"])
    return period


class DashboardNumbers:
    def __init__(self, usage: UsageSource, reports: FactSource) -> None:
        self._usage = usage
        self._reports = reports

    async def numbers(self, period: str) -> Numbers:
        window = PERIODS[parse_period(period)]
        summary = await self._usage.summary()
        costs = await self._usage.daily_costs(window)
        usage = next(w for w in summary.windows if w.window == window)
        today = self._reports.today()
        sheet = await self._reports.facts(DateRange(today - timedelta(days=window.days - 1), today))
        return Numbers(
            period, window, _daily(costs),
            _bars((line.name, line.cost_usd) for line in usage.by_feature),
            usage.calls, usage.tokens, usage.cost_usd, summary.budget,
            tuple(kind for kind in summary.acceptance if kind.decided),
            summary.acceptance_window, sheet.facts,
        )  # fmt: skip


def _daily(costs: DailyCosts) -> tuple[Bar, ...]:
    totals = [
        sum((series[n] for series in costs.by_feature.values()), Decimal(0))
        for n in range(len(costs.days))
    ]
    return _bars((f"{day:%d %b}", total) for day, total in zip(costs.days, totals, strict=True))


def _bars(pairs: Iterable[tuple[str, Decimal]]) -> tuple[Bar, ...]:
    values = list(pairs)
    top = max((value for _, value in values), default=Decimal(0))
    return tuple(
        Bar(label, value, float(value / top) if top > 0 else 0.0) for label, value in values
    )
