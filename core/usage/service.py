"""/usage as a use case: tokens and cost per period, feature and model; the budget; how
much of what the model wrote people kept, and what each kept item cost."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.llm.budget import from_micro
from core.llm.types import BudgetStatus
from core.usage.acceptance import AcceptanceSource
from core.usage.features import feature_of
from core.usage.types import DailyCosts, Line, UsageSummary, WindowUsage
from core.usage.windows import MONTH, WINDOWS, Window, utc_today
from storage.repos import usage as repo


class BudgetSource(Protocol):
    async def budget_status(self) -> BudgetStatus: ...


class UsageService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        budget: BudgetSource,
        acceptance: AcceptanceSource,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._budget = budget
        self._acceptance = acceptance

    async def summary(self) -> UsageSummary:
        """Every window at once, all cut at the same `now`, so the three columns agree."""
        now = self._clock.now()
        async with self._sessions() as session:
            windows = tuple([await _window(session, w, *w.bounds(now)) for w in WINDOWS])
        since, until = MONTH.bounds(now)
        return UsageSummary(
            windows=windows,
            budget=await self._budget.budget_status(),
            acceptance=await self._acceptance.acceptance(since, until),
            acceptance_window=MONTH,
        )

    async def daily_costs(self, window: Window = MONTH) -> DailyCosts:
        now = self._clock.now()
        since, until = window.bounds(now)
        async with self._sessions() as session:
            rows = await repo.daily_spend(session, since, until)
        first = utc_today(now) - timedelta(days=window.days - 1)
        days = tuple(first + timedelta(days=n) for n in range(window.days))
        status = await self._budget.budget_status()
        return DailyCosts(days, _per_feature(rows, days), status.cap_usd)


async def _window(
    session: AsyncSession, window: Window, since: datetime, until: datetime
) -> WindowUsage:
    templates = await repo.spend_by(session, "template", since, until)
    models = await repo.spend_by(session, "model", since, until)
    return WindowUsage(
        window=window,
        calls=sum(row.calls for row in templates),
        tokens=sum(row.tokens for row in templates),
        cost_usd=from_micro(sum(row.cost_microusd for row in templates)),
        by_feature=_lines((feature_of(row.key), row) for row in templates),
        by_model=_lines((row.key or "unknown", row) for row in models),
    )


def _per_feature(
    rows: Iterable[repo.DaySpend], days: tuple[date, ...]
) -> dict[str, tuple[Decimal, ...]]:
    index = {day: n for n, day in enumerate(days)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for row in rows:
        if row.day in index:
            series[feature_of(row.template)][index[row.day]] += row.cost_microusd
    return {name: tuple(from_micro(v) for v in values) for name, values in series.items()}


def _lines(rows: Iterable[tuple[str, repo.Spend]]) -> tuple[Line, ...]:
    """Rows summed under their names, costliest first (ties: most tokens, then by name)."""
    tokens: dict[str, int] = defaultdict(int)
    cost: dict[str, int] = defaultdict(int)
    for name, spend in rows:
        tokens[name] += spend.tokens
        cost[name] += spend.cost_microusd
    order = sorted(tokens, key=lambda name: (-cost[name], -tokens[name], name))
    return tuple(Line(name, tokens[name], from_micro(cost[name])) for name in order)
