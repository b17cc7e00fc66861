"""The periods /usage reports on: today, the last 7 and the last 30 days.

Days are UTC days, the same days the daily budget (core/llm/budget.py) counts, so
"today" here is exactly what the budget line beside it has spent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


@dataclass(frozen=True)
class Window:
    label: str
    days: int

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """[since, until): from the start of the first UTC day to now."""
        return first_instant(utc_today(now) - timedelta(days=self.days - 1)), now


TODAY = Window("Today", 1)
WEEK = Window("7 days", 7)
MONTH = Window("30 days", 30)
WINDOWS = (TODAY, WEEK, MONTH)
BY_DAYS = {window.days: window for window in WINDOWS}


def utc_today(now: datetime) -> date:
    return now.astimezone(UTC).date()


def first_instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
