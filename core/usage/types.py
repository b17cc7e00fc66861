"""What /usage shows, as plain data: core computes it, handlers only lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.llm.budget import from_micro
from core.llm.types import BudgetStatus
from core.usage.windows import Window


@dataclass(frozen=True)
class Line:
    """One feature's or model's share of a window."""

    name: str
    tokens: int
    cost_usd: Decimal


@dataclass(frozen=True)
class WindowUsage:
    window: Window
    calls: int
    tokens: int
    cost_usd: Decimal
    by_feature: tuple[Line, ...]
    by_model: tuple[Line, ...]


@dataclass(frozen=True)
class Acceptance:
    """How often people kept what the model wrote for one kind of item.

    `cost_microusd` is what all items of the kind cost to write, kept or not: a rejected
    draft was paid for too, so the cost per accepted item counts it.
    """

    label: str
    decided: int
    accepted: int
    cost_microusd: int

    @property
    def rate(self) -> float | None:
        return self.accepted / self.decided if self.decided else None

    @property
    def cost_per_accepted_usd(self) -> Decimal | None:
        return from_micro(self.cost_microusd) / self.accepted if self.accepted else None


@dataclass(frozen=True)
class UsageSummary:
    windows: tuple[WindowUsage, ...]
    budget: BudgetStatus
    acceptance: tuple[Acceptance, ...]
    acceptance_window: Window


@dataclass(frozen=True)
class DailyCosts:
    """The chart's data: cost per UTC day and feature, oldest day first."""

    days: tuple[date, ...]
    by_feature: dict[str, tuple[Decimal, ...]]
    cap_usd: Decimal
