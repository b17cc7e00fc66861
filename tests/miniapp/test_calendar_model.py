"""core/dashboard's calendar on SQLite and PostgreSQL: sequence emails beside posts with
the calendar's statuses, local days in TIMEZONE, and wall times across a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.dashboard.calendar import DashboardCalendar
from core.errors import AlreadyDecided, InvalidTransition, ValidationFailed
from core.posts.service import PostService
from core.publishing.service import SchedulingService
from domain import calendar as statuses
from domain.sequences import SequenceEmailStatus
from domain.statuses import PostStatus
from storage.models import EmailSequence, Post, SequenceEmail
from tests.campaigns.helpers import MutableClock
from tests.publishing.helpers import add_post, status_of

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


def calendar(sessions: Sessions) -> DashboardCalendar:
    scheduling = SchedulingService(sessions, MutableClock(NOW), BERLIN, image_root=Path("/x"))
    return DashboardCalendar(sessions, BERLIN, scheduling, PostService(sessions, MutableClock(NOW)))


async def add_email(sessions: Sessions, due: datetime, status: str, number: int) -> int:
    async with sessions.begin() as session:
        sequence = EmailSequence(
            name="Tips", schedule_type="daily", total_months=1, tz="Europe/Berlin",
            send_time=time(9), starts_on=due.date(), created_by="test",
        )  # fmt: skip
        session.add(sequence)
        await session.flush()
        email = SequenceEmail(
            sequence_id=sequence.id, number=number, due_at=due, structure="tip",
            subject=f"Tip {number}", status=status,
        )  # fmt: skip
        session.add(email)
        await session.flush()
        return email.id


def test_every_status_has_a_calendar_colour() -> None:
    hidden = {*statuses.HIDDEN_POSTS, *statuses.HIDDEN_EMAILS}
    assert set(PostStatus) - hidden == set(statuses.OF_POST)
    assert set(SequenceEmailStatus) - hidden == set(statuses.OF_EMAIL)


async def test_posts_and_emails_by_local_day(session_factory: Sessions) -> None:
    # 23:30 UTC on the 21st is already the 22nd in Berlin.
    late = datetime(2026, 3, 21, 23, 30, tzinfo=UTC)
    post_id = await add_post(session_factory, at=late, status="publishing")
    email_id = await add_email(session_factory, datetime(2026, 3, 22, 8, tzinfo=UTC), "held", 2)
    await add_email(session_factory, datetime(2026, 3, 22, 9, tzinfo=UTC), "rejected", 3)
    found = await calendar(session_factory).items(date(2026, 3, 22), date(2026, 3, 22))
    assert [(i.key, i.status, i.movable) for i in found] == [
        (f"post:{post_id}", "scheduled", False),
        (f"sequence_email:{email_id}", "missed", False),
    ]
    assert found[1].title == "Tips #2: Tip 2"
    grid = await calendar(session_factory).month(date(2026, 3, 1), date(2026, 3, 20))
    assert grid.first == date(2026, 2, 23) and len(grid.days) == 42
    (day,) = [d for d in grid.days if d.day == date(2026, 3, 22)]
    assert [i.id for i in day.items] == [post_id, email_id]
    assert not grid.days[0].in_focus and grid.days[10].in_focus


async def test_a_wall_time_after_the_dst_change_is_read_in_timezone(
    session_factory: Sessions,
) -> None:
    post_id = await add_post(session_factory, at=datetime(2026, 3, 25, 8, tzinfo=UTC))
    moved = await calendar(session_factory).reschedule(post_id, datetime(2026, 3, 30, 9, 30), 7)
    assert moved.scheduled_at == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)  # CEST: UTC+2
    with pytest.raises(ValidationFailed, match="does not exist"):
        await calendar(session_factory).reschedule(post_id, datetime(2026, 3, 29, 2, 30), 7)


async def test_each_post_moves_by_what_it_is(session_factory: Sessions) -> None:
    """A plan moves and the post stays what it is; an approved ready post is scheduled."""
    at = datetime(2026, 3, 25, 8, tzinfo=UTC)
    later = datetime(2026, 3, 27, 9, 0)  # a wall time in Berlin (CET: UTC+1)
    cases = {
        ("draft", False): "draft", ("draft", True): "draft",
        ("awaiting_image", True): "awaiting_image", ("ready", False): "ready",
        ("ready", True): "scheduled",
    }  # fmt: skip
    for (status, approved), after in cases.items():
        post_id = await add_post(session_factory, at=at, status=status, approved=approved)
        moved = await calendar(session_factory).reschedule(post_id, later, 7)
        assert (moved.status, moved.movable) == (after, True), (status, approved)
        assert moved.scheduled_at == datetime(2026, 3, 27, 8, tzinfo=UTC)
        assert await status_of(session_factory, post_id) == after


async def test_a_plan_changed_meanwhile_is_refused_and_kept(session_factory: Sessions) -> None:
    """The page moved a draft it showed; the draft was approved and became ready since."""
    at = datetime(2026, 3, 25, 8, tzinfo=UTC)
    post_id = await add_post(session_factory, at=at, status="draft", approved=False)
    async with session_factory.begin() as session:
        await session.execute(
            update(Post).where(Post.id == post_id).values(status="ready", approved_at=NOW)
        )
    posts = PostService(session_factory, MutableClock(NOW))
    later = datetime(2026, 3, 27, 8, tzinfo=UTC)
    with pytest.raises(AlreadyDecided, match="changed meanwhile; it is ready now"):
        await posts.replan(post_id, later, 7, seen="draft")
    with pytest.raises(InvalidTransition, match="use /schedule"):
        await posts.replan(post_id, later, 7, seen="ready")
    with pytest.raises(ValidationFailed, match="already passed"):
        await posts.replan(post_id, NOW, 7, seen="ready")
    assert (await posts.get(post_id)).scheduled_at == at
