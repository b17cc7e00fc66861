"""What /schedule and the calendar picture show: plain data, grouped by day in TIMEZONE."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.statuses import PostStatus as S
from storage.repos.publishing_schedule import PlanRow

UPCOMING = (S.SCHEDULED, S.PUBLISHING)
ATTENTION = (S.MISSED, S.FAILED, S.UNKNOWN)
ON_CALENDAR = (S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, *ATTENTION)


@dataclass(frozen=True)
class PlanItem:
    post_id: int
    title: str
    status: str
    scheduled_at: datetime | None
    approved: bool
    caption: str
    hashtags: tuple[str, ...]
    target: str | None
    last_error: str | None
    published_at: datetime | None
    image_path: Path | None = None

    @classmethod
    def from_row(cls, row: PlanRow) -> PlanItem:
        return cls(
            row.post_id, row.title, row.status, row.scheduled_at, row.approved, row.caption,
            row.hashtags, row.target, row.last_error, row.published_at,
        )  # fmt: skip

    def with_image(self, path: Path | None) -> PlanItem:
        return replace(self, image_path=path)

    def local_day(self, tz: ZoneInfo) -> date | None:
        return self.scheduled_at.astimezone(tz).date() if self.scheduled_at else None


@dataclass(frozen=True)
class DayPlan:
    day: date
    items: tuple[PlanItem, ...]


@dataclass(frozen=True)
class Agenda:
    """/schedule: what is coming day by day, what needs a time, what needs a human."""

    days: tuple[DayPlan, ...]
    needs_time: tuple[PlanItem, ...]
    attention: tuple[PlanItem, ...]
    default_target: str | None

    @property
    def empty(self) -> bool:
        return not (self.days or self.needs_time or self.attention)

    @property
    def items(self) -> tuple[PlanItem, ...]:
        coming = tuple(item for day in self.days for item in day.items)
        return self.attention + coming + self.needs_time


@dataclass(frozen=True)
class CalendarPage:
    """A week or a month of posts for the picture; `days` covers whole weeks, Monday first."""

    title: str
    first: date
    days: tuple[DayPlan, ...]
    month: int | None  # the month shown, for greying out its neighbours' days


def by_day(items: Iterable[PlanItem], tz: ZoneInfo) -> tuple[DayPlan, ...]:
    days: dict[date, list[PlanItem]] = {}
    for item in items:
        day = item.local_day(tz)
        if day is not None:
            days.setdefault(day, []).append(item)
    return tuple(DayPlan(day, tuple(found)) for day, found in sorted(days.items()))


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight as an aware time (a DST day is 23 or 25 hours long, not 24)."""
    return datetime.combine(day, time(0), tzinfo=tz)


def week_of(day: date) -> tuple[date, date]:
    first = day - timedelta(days=day.weekday())
    return first, first + timedelta(days=7)


def month_grid(day: date) -> tuple[date, date]:
    """Monday before the 1st to the Monday after the last day: whole weeks."""
    first = day.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
    return start, end


def calendar_page(
    items: Iterable[PlanItem], tz: ZoneInfo, start: date, end: date, *, month: int | None
) -> CalendarPage:
    grouped = {plan.day: plan.items for plan in by_day(items, tz)}
    count = (end - start).days
    days = tuple(
        DayPlan(d, grouped.get(d, ())) for d in (start + timedelta(days=i) for i in range(count))
    )
    anchor = start + timedelta(days=7) if month else start
    title = f"{anchor:%B %Y}" if month else f"Week of {start:%d %b %Y}"
    return CalendarPage(title, start, days, month)
