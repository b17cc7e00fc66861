"""What a person does to the plan: schedule, reschedule, unschedule, publish now, settle.

Each action is a conditional update on the status the person saw; a double tap or two
admins at once give one change, and the second hears what happened instead.
Nothing here sends anything: a post due now is picked up by the dispatcher, woken at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.errors import AlreadyDecided, InvalidTransition, NotFound, ValidationFailed
from core.publishing import agenda as plans
from core.publishing.agenda import Agenda, CalendarPage, PlanItem
from core.publishing.cards import ScheduleCards
from core.publishing.sender import Published
from domain.statuses import SCHEDULABLE, UNSCHEDULABLE
from domain.statuses import PostStatus as S
from storage.repos import pipeline
from storage.repos import publishing_mirrors as mirrors
from storage.repos import publishing_schedule as repo

log = logging.getLogger(__name__)

AGENDA_DAYS = 14
LIST_LIMIT = 30


class SchedulingService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        tz: ZoneInfo,
        *,
        image_root: Path,
        default_target: str | None = None,
        mirror: bool = False,
        on_published: Published | None = None,
        cards: ScheduleCards | None = None,
    ) -> None:
        """`mirror`: posts published to a Telegram channel are owed to the webhook too;
        `on_published`: told of a post a person confirmed went out (semantic memory, and
        its cards); `cards`: where the schedule cards were drawn (redrawn when published)."""
        self._sessions = sessions
        self._clock = clock
        self._tz = tz
        self._image_root = image_root
        self._default_target = default_target
        self._mirror = mirror
        self._on_published = on_published
        self.cards = cards or ScheduleCards(sessions, clock)
        # Set by the runtime: wakes this replica's dispatcher when a post falls due at a time
        # (now, for publish-now) sooner than its next regular sweep.
        self.on_due: Callable[[datetime], None] = lambda _at: None

    async def get(self, post_id: int) -> PlanItem:
        async with self._sessions() as session:
            row = await repo.one(session, post_id)
        if row is None:
            raise NotFound(f"Post #{post_id} does not exist.")
        return PlanItem.from_row(row)

    async def schedule(self, post_id: int, at: datetime, user_id: int) -> PlanItem:
        """Set or change the time of an approved post; `at` must be ahead."""
        if at <= self._clock.now():
            raise ValidationFailed(["That time has already passed. Send a time ahead."])
        return await self._set_time(await self.get(post_id), at, user_id, SCHEDULABLE)

    async def confirm_planned(self, post_id: int, planned: datetime, user_id: int) -> PlanItem:
        """Keep the planned time the person was shown, if it is still that and still ahead."""
        item = await self.get(post_id)
        if item.scheduled_at != planned:
            raise AlreadyDecided(f"The time of post #{post_id} changed meanwhile; see the card.")
        if item.status == S.SCHEDULED:
            raise AlreadyDecided(f"Post #{post_id} is already scheduled for that time.")
        if planned <= self._clock.now():
            raise ValidationFailed(["The planned time has passed. Pick another time."])
        return await self._set_time(item, planned, user_id, SCHEDULABLE)

    async def publish_now(self, post_id: int, user_id: int, *, again: bool = False) -> PlanItem:
        """Due right now; `again` also sends a post whose earlier send is unknown."""
        allowed = (*SCHEDULABLE, S.UNKNOWN) if again else SCHEDULABLE
        now = self._clock.now()
        current = await self.get(post_id)
        if current.status == S.SCHEDULED and current.scheduled_at and current.scheduled_at <= now:
            raise AlreadyDecided(f"Post #{post_id} is already on its way.")
        return await self._set_time(current, now, user_id, allowed)

    async def unschedule(self, post_id: int, user_id: int) -> PlanItem:
        item = await self.get(post_id)
        if item.status not in UNSCHEDULABLE:
            raise _refusal(item, "unscheduled")
        return await self._move(item, S.READY, user_id)

    async def confirm_published(self, post_id: int, user_id: int) -> PlanItem:
        """A person checked: the post whose send was cut off did go out."""
        item = await self.get(post_id)
        if item.status != S.UNKNOWN:
            raise _refusal(item, "marked as published")
        channel = item.target or self._default_target
        mirror = self._mirror and channel is not None and channel.startswith("telegram:")
        moved = await self._move(item, S.PUBLISHED, user_id, mirror_to=channel if mirror else None)
        if self._on_published is not None:
            await self._on_published(post_id, self._clock.now())
        return moved

    async def retry_mirror(self, post_id: int, user_id: int) -> PlanItem:
        """Send a failed webhook mirror again (the Retry on its alert); the channel post stays."""
        item = await self.get(post_id)
        async with self._sessions.begin() as session:
            done = await mirrors.retry_failed(session, post_id, now=self._clock.now())
        if not done:
            raise AlreadyDecided(
                f"The webhook copy of post #{post_id} is not failed now: sent, or on its way."
            )
        log.info("webhook mirror retried", extra={"post_id": post_id, "user_id": user_id})
        self.on_due(self._clock.now())
        return item

    async def _set_time(
        self, item: PlanItem, at: datetime, user_id: int, allowed: tuple[str, ...]
    ) -> PlanItem:
        """Conditional on the status `item` was read in: a change meanwhile wins."""
        post_id = item.post_id
        if item.status not in allowed:
            raise _refusal(item, "scheduled")
        if not item.approved:
            raise InvalidTransition(
                f"Post #{post_id} is not approved (or changed since). Approve it first: /approve"
            )
        async with self._sessions.begin() as session:
            done = await repo.schedule(session, post_id, at=at, from_status=item.status,
                                       now=self._clock.now(), actor=f"user:{user_id}")  # fmt: skip
        if not done:
            raise await self._changed(post_id)
        self.on_due(at)
        return await self.get(post_id)

    async def _move(
        self, item: PlanItem, to: str, user_id: int, *, mirror_to: str | None = None
    ) -> PlanItem:
        async with self._sessions.begin() as session:
            done = await repo.move(session, item.post_id, from_status=item.status, to=to,
                                   now=self._clock.now(), actor=f"user:{user_id}",
                                   mirror_to=mirror_to)  # fmt: skip
        if not done:
            raise await self._changed(item.post_id)
        return await self.get(item.post_id)

    async def _changed(self, post_id: int) -> AlreadyDecided:
        now = await self.get(post_id)
        return AlreadyDecided(f"Post #{post_id} changed meanwhile; it is {now.status} now.")

    async def agenda(self, days: int = AGENDA_DAYS) -> Agenda:
        now = self._clock.now()
        start = plans.day_start(now.astimezone(self._tz).date(), self._tz)
        async with self._sessions() as session:
            coming = await repo.between(session, start, now + timedelta(days=days),
                                        plans.UPCOMING, LIST_LIMIT)  # fmt: skip
            needs = await repo.in_status(session, (S.READY,), limit=LIST_LIMIT, approved_only=True)
            attention = await repo.in_status(session, plans.ATTENTION, limit=LIST_LIMIT)
        return Agenda(
            plans.by_day((PlanItem.from_row(r) for r in coming), self._tz),
            tuple(PlanItem.from_row(r) for r in needs),
            tuple(PlanItem.from_row(r) for r in attention),
            self._default_target,
        )

    async def calendar(self, *, month: bool, offset: int = 0) -> CalendarPage:
        """This week or month (`offset` weeks or months away), with each post's picked image."""
        today = self._clock.now().astimezone(self._tz).date()
        start, end = _span(today, month=month, offset=offset)
        tz = self._tz
        async with self._sessions() as session:
            rows = await repo.between(session, plans.day_start(start, tz),
                                      plans.day_start(end, tz), plans.ON_CALENDAR, 500)  # fmt: skip
            items = [await self._with_image(session, PlanItem.from_row(row)) for row in rows]
        return plans.calendar_page(items, tz, start, end, month=start.month if month else None)

    async def _with_image(self, session: AsyncSession, item: PlanItem) -> PlanItem:
        image = await pipeline.picked_image_of_post(session, item.post_id)
        return item.with_image(self._image_root / image.path if image else None)


def _span(today: date, *, month: bool, offset: int) -> tuple[date, date]:
    if not month:
        first, _ = plans.week_of(today + timedelta(weeks=offset))
        return first, first + timedelta(days=7)
    index = today.year * 12 + today.month - 1 + offset
    start, end = plans.month_grid(date(index // 12, index % 12 + 1, 1))
    return start, end


def _refusal(item: PlanItem, verb: str) -> InvalidTransition | AlreadyDecided:
    reasons: dict[str, str] = {
        S.PUBLISHING: "it is being published right now",
        S.PUBLISHED: "it was already published",
        S.REJECTED: "it was rejected",
        S.UNKNOWN: "its last send may have gone out; settle that first",
        S.DRAFT: "it is not ready yet",
        S.AWAITING_IMAGE: "it is still waiting for its image",
    }
    reason = reasons.get(item.status, f"it is {item.status}")
    error = AlreadyDecided if item.status in (S.PUBLISHING, S.PUBLISHED) else InvalidTransition
    return error(f"Post #{item.post_id} can't be {verb}: {reason}.")
