"""The Mini App calendar: posts and sequence emails by local day, and moving a post.

Moving an approved post goes through core.publishing's SchedulingService, the one
/schedule uses, so the same rules hold: it gets that time to go out, and a post published
or being published refuses with that service's own message. A post nobody may schedule yet
(a draft, one waiting for its image, an unapproved ready post) has a planned time all the
same: moving it moves the plan (core.posts.service.PostService.replan), and it stays what
it is until it is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import ValidationFailed
from core.posts.service import PLANNED_ONLY, plannable
from core.posts.views import PostView
from core.publishing.agenda import PlanItem, month_grid, week_of
from domain import calendar as statuses
from domain.crew import ItemKind
from domain.localtime import NonexistentLocalTime, wall_to_utc
from domain.statuses import SCHEDULABLE, PostStatus
from storage.repos import calendar as repo

MAX_DAYS = 92  # a query of at most about a quarter
MAX_ITEMS = 2000  # per kind: far more than a quarter holds; keeps one request bounded


class Scheduler(Protocol):
    """What the calendar needs of core.publishing.service.SchedulingService."""

    async def schedule(self, post_id: int, at: datetime, user_id: int) -> PlanItem: ...


class Planner(Protocol):
    """What the calendar needs of core.posts.service.PostService."""

    async def get(self, post_id: int) -> PostView: ...

    async def replan(self, post_id: int, at: datetime, user_id: int, *, seen: str) -> PostView: ...


@dataclass(frozen=True)
class CalendarItem:
    kind: ItemKind
    id: int
    title: str
    status: statuses.CalendarStatus
    scheduled_at: datetime
    movable: bool  # /schedule's service would take a new time for it

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": str(self.kind), "title": self.title,
            "status": str(self.status), "scheduled_at": self.scheduled_at.isoformat(),
            "movable": self.movable,
        }  # fmt: skip


@dataclass(frozen=True)
class Day:
    day: date
    items: tuple[CalendarItem, ...]
    in_focus: bool  # in the month shown (the grid's neighbours' days are greyed out)


@dataclass(frozen=True)
class CalendarGrid:
    title: str
    view: str  # "month" or "week"
    first: date
    days: tuple[Day, ...]
    previous: date
    following: date
    today: date


def parse_day(raw: str | None, field: str) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise ValidationFailed([f"{field}: must be a date as YYYY-MM-DD"]) from None


class DashboardCalendar:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tz: ZoneInfo,
        scheduler: Scheduler,
        planner: Planner,
    ) -> None:
        self._sessions = sessions
        self._tz = tz
        self._scheduler = scheduler
        self._planner = planner

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    async def items(self, first: date, last: date) -> tuple[CalendarItem, ...]:
        """Everything timed on the local days first..last (both included), in time order."""
        if last < first:
            raise ValidationFailed(["to: must not be before from"])
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationFailed([f"from/to: at most {MAX_DAYS} days at a time"])
        start, end = self._midnight(first), self._midnight(last + timedelta(days=1))
        async with self._sessions() as session:
            posts = await repo.posts_between(
                session, start, end, leave_out=statuses.HIDDEN_POSTS, limit=MAX_ITEMS
            )
            emails = await repo.emails_between(
                session, start, end, leave_out=statuses.HIDDEN_EMAILS, limit=MAX_ITEMS
            )
        found = [_post(row) for row in posts] + [_email(row) for row in emails]
        return tuple(sorted(found, key=lambda item: (item.scheduled_at, item.kind, item.id)))

    async def month(self, day: date, today: date) -> CalendarGrid:
        first, end = month_grid(day)
        focus = day.replace(day=1)
        previous = (focus - timedelta(days=1)).replace(day=1)
        following = (focus + timedelta(days=32)).replace(day=1)
        days = await self._days(first, end, month=focus.month)
        return CalendarGrid(f"{focus:%B %Y}", "month", first, days, previous, following, today)

    async def week(self, day: date, today: date) -> CalendarGrid:
        first, end = week_of(day)
        days = await self._days(first, end, month=None)
        title = f"Week of {first:%d %b %Y}"
        previous, following = first - timedelta(days=7), end
        return CalendarGrid(title, "week", first, days, previous, following, today)

    async def reschedule(self, post_id: int, at: datetime, user_id: int) -> CalendarItem:
        """`at` aware, or naive meaning a wall time in TIMEZONE. The service's errors propagate.

        An approved post is scheduled for `at`; a post whose time is only a plan keeps its
        status and gets `at` as its plan."""
        post = await self._planner.get(post_id)
        if plannable(post):
            view = await self._planner.replan(post_id, self._instant(at), user_id, seen=post.status)
            assert view.scheduled_at is not None  # replan sets it
            return CalendarItem(
                ItemKind.POST, view.id, view.title, statuses.of_post(view.status),
                view.scheduled_at, movable=True,
            )  # fmt: skip
        moved = await self._scheduler.schedule(post_id, self._instant(at), user_id)
        assert moved.scheduled_at is not None  # scheduling sets it
        return CalendarItem(
            ItemKind.POST, moved.post_id, moved.title, statuses.of_post(moved.status),
            moved.scheduled_at, _movable(moved.status, moved.approved),
        )  # fmt: skip

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self._tz)

    async def _days(self, first: date, end: date, *, month: int | None) -> tuple[Day, ...]:
        items = await self.items(first, end - timedelta(days=1))
        by_day: dict[date, list[CalendarItem]] = {}
        for item in items:
            by_day.setdefault(self.local(item.scheduled_at).date(), []).append(item)
        count = (end - first).days
        return tuple(
            Day(d, tuple(by_day.get(d, ())), month is None or d.month == month)
            for d in (first + timedelta(days=n) for n in range(count))
        )

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self._tz)

    def _instant(self, at: datetime) -> datetime:
        if at.tzinfo is not None:
            return at
        try:
            return wall_to_utc(at, self._tz)
        except NonexistentLocalTime as exc:
            raise ValidationFailed([f"scheduled_at: {exc}"]) from None


def _movable(status: str, approved: bool) -> bool:
    """Scheduling takes a new time for it, or its time is only a plan (PostService.replan)."""
    if status in PLANNED_ONLY or (status == PostStatus.READY and not approved):
        return True
    return approved and status in SCHEDULABLE


def _post(row: repo.PostSlot) -> CalendarItem:
    return CalendarItem(
        ItemKind.POST, row.post_id, row.title, statuses.of_post(row.status), row.scheduled_at,
        _movable(row.status, row.approved),
    )  # fmt: skip


def _email(row: repo.EmailSlot) -> CalendarItem:
    title = f"{row.sequence_name} #{row.number}" + (f": {row.subject}" if row.subject else "")
    return CalendarItem(
        ItemKind.SEQUENCE_EMAIL, row.email_id, title, statuses.of_email(row.status), row.due_at,
        movable=False,
    )  # fmt: skip
