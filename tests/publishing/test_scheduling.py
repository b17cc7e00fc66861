"""Scheduling by people, on SQLite and PostgreSQL: times, double taps, edits and rejections
after scheduling, a DST change, the agenda by day, and pacing shared by every replica."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import AlreadyDecided, InvalidTransition, ValidationFailed
from core.posts.service import PostService
from core.publishing.service import SchedulingService
from domain.timegrammar import read_moment as parse_when
from storage.repos import publishing as repo
from tests.campaigns.helpers import NOW, MutableClock
from tests.publishing.helpers import FakeAlerter, FakePublisher, add_post, dispatcher, status_of

Sessions = async_sessionmaker[AsyncSession]
BERLIN = ZoneInfo("Europe/Berlin")
USER = 1001


def _service(sessions: Sessions, clock: MutableClock) -> SchedulingService:
    return SchedulingService(sessions, clock, BERLIN, image_root=Path("/x"))


async def test_an_approved_ready_post_is_scheduled_then_rescheduled(
    session_factory: Sessions,
) -> None:
    clock = MutableClock()
    service = _service(session_factory, clock)
    post_id = await add_post(session_factory, status="ready", at=None)
    first = await service.schedule(post_id, NOW + timedelta(hours=2), USER)
    second = await service.schedule(post_id, NOW + timedelta(hours=5), USER)
    assert (first.status, second.scheduled_at) == ("scheduled", NOW + timedelta(hours=5))
    back = await service.unschedule(post_id, USER)
    assert back.status == "ready" and back.approved


async def test_a_time_in_the_past_is_refused(session_factory: Sessions) -> None:
    service = _service(session_factory, MutableClock())
    post_id = await add_post(session_factory, status="ready")
    with pytest.raises(ValidationFailed, match="already passed"):
        await service.schedule(post_id, NOW - timedelta(minutes=1), USER)
    assert await status_of(session_factory, post_id) == "ready"


async def test_an_unapproved_post_cannot_be_scheduled(session_factory: Sessions) -> None:
    service = _service(session_factory, MutableClock())
    post_id = await add_post(session_factory, status="ready", approved=False)
    with pytest.raises(InvalidTransition, match="not approved"):
        await service.schedule(post_id, NOW + timedelta(hours=1), USER)


async def test_keeping_the_planned_time_twice_gives_one_change(session_factory: Sessions) -> None:
    service = _service(session_factory, MutableClock())
    planned = NOW + timedelta(days=1)
    post_id = await add_post(session_factory, status="ready", at=planned)
    results = await asyncio.gather(
        service.confirm_planned(post_id, planned, USER),
        service.confirm_planned(post_id, planned, 1002),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyDecided", "PlanItem"]


async def test_publish_now_twice_is_one_publication(session_factory: Sessions) -> None:
    clock, publisher = MutableClock(), FakePublisher()
    service = _service(session_factory, clock)
    post_id = await add_post(session_factory, at=NOW + timedelta(days=2))
    await service.publish_now(post_id, USER)
    with pytest.raises(AlreadyDecided, match="already on its way"):
        await service.publish_now(post_id, 1002)
    worker = dispatcher(session_factory, clock, publisher, FakeAlerter())
    await worker.sweep()
    await worker.wait_idle()
    assert publisher.sent_ids() == [post_id]
    with pytest.raises(AlreadyDecided, match="already published"):
        await service.publish_now(post_id, USER)


async def test_rejected_after_scheduling_is_never_sent(session_factory: Sessions) -> None:
    clock, publisher = MutableClock(), FakePublisher()
    post_id = await add_post(session_factory, at=NOW + timedelta(minutes=5))
    await PostService(session_factory, clock).reject(post_id, USER)
    clock.advance(minutes=6)
    worker = dispatcher(session_factory, clock, publisher, FakeAlerter())
    await worker.sweep()
    await worker.wait_idle()
    assert publisher.sent == []
    assert await status_of(session_factory, post_id) == "rejected"


async def test_edited_after_scheduling_the_new_caption_is_what_goes_out(
    session_factory: Sessions,
) -> None:
    clock, publisher = MutableClock(), FakePublisher()
    posts = PostService(session_factory, clock)
    post_id = await add_post(session_factory, at=NOW + timedelta(minutes=5), caption="Old words")
    await posts.edit_caption(post_id, "New words", USER)  # withdraws the approval
    await posts.approve(post_id, USER)  # approved again, as it now reads
    clock.advance(minutes=5)
    worker = dispatcher(session_factory, clock, publisher, FakeAlerter())
    await worker.sweep()
    await worker.wait_idle()
    assert [p.caption for p in publisher.sent] == ["New words"]


async def test_a_claimed_post_can_no_longer_be_edited(session_factory: Sessions) -> None:
    post_id = await add_post(session_factory, at=NOW)
    async with session_factory.begin() as session:
        await repo.claim_due(
            session, now=NOW, oldest=NOW - timedelta(minutes=15), limit=5, worker="w",
            lease=timedelta(seconds=60), interval=timedelta(0), default_key="x", skip_locked=True,
        )  # fmt: skip
    with pytest.raises(InvalidTransition, match="is publishing; its caption is final"):
        await PostService(session_factory, MutableClock()).edit_caption(post_id, "Late", USER)


async def test_dst_end_in_berlin_fires_a_post_at_the_doubled_hour_once(
    session_factory: Sessions,
) -> None:
    """25 Oct 2026: 02:00-03:00 happens twice in Berlin. "02:30" is the first one (CEST)."""
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 CEST
    clock, publisher = MutableClock(start), FakePublisher()
    service = _service(session_factory, clock)
    doubled = await add_post(session_factory, status="ready", at=None, title="At 02:30")
    after = await add_post(session_factory, status="ready", at=None, title="At 03:30")
    first = parse_when("25.10.2026 02:30", now=clock.now(), tz=BERLIN)
    await service.schedule(doubled, first, USER)
    await service.schedule(after, parse_when("25.10.2026 03:30", now=clock.now(), tz=BERLIN), USER)
    worker = dispatcher(session_factory, clock, publisher, FakeAlerter())
    sent_at: dict[int, datetime] = {}
    for _ in range(6 * 6):  # every 10 minutes through the night, across the change
        await worker.sweep()
        await worker.wait_idle()
        for publication in publisher.sent:
            sent_at.setdefault(publication.post_id, clock.now())
        clock.advance(minutes=10)
    assert publisher.sent_ids() == [doubled, after]  # each once
    assert sent_at[doubled] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert sent_at[after] == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # 03:30 CET
    assert sent_at[after] - sent_at[doubled] == timedelta(hours=2)  # one wall-clock hour


async def test_the_agenda_groups_by_local_day(session_factory: Sessions) -> None:
    clock = MutableClock(datetime(2026, 10, 24, 20, 0, tzinfo=UTC))
    late_saturday = datetime(2026, 10, 24, 21, 30, tzinfo=UTC)  # 23:30 CEST, Saturday
    sunday = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # 00:30 CEST, Sunday
    a = await add_post(session_factory, at=late_saturday)
    b = await add_post(session_factory, at=sunday)
    ready = await add_post(session_factory, status="ready", at=None)
    missed = await add_post(session_factory, status="missed", at=sunday)
    agenda = await _service(session_factory, clock).agenda()
    days = [(d.day.isoformat(), [i.post_id for i in d.items]) for d in agenda.days]
    assert days == [("2026-10-24", [a]), ("2026-10-25", [b])]
    assert [i.post_id for i in agenda.needs_time] == [ready]
    assert [i.post_id for i in agenda.attention] == [missed]


async def test_pacing_slots_are_shared_by_every_replica(session_factory: Sessions) -> None:
    ids = [await add_post(session_factory, at=NOW, target="telegram:@one") for _ in range(3)]
    other = await add_post(session_factory, at=NOW, target="telegram:@two")
    slots = {}
    for worker in ("a", "b"):  # two replicas, one post each per claim
        for _ in range(2):
            async with session_factory.begin() as session:
                for claim in await repo.claim_due(
                    session, now=NOW, oldest=NOW - timedelta(minutes=15), limit=1, worker=worker,
                    lease=timedelta(seconds=60), interval=timedelta(seconds=3), default_key="x",
                    skip_locked=True,
                ):  # fmt: skip
                    slots[claim.post_id] = claim.send_after
    gaps = sorted((slots[i] - NOW).total_seconds() for i in ids)
    assert gaps == [0.0, 3.0, 6.0]
    # Another channel has its own pace; it only queues behind the bot-wide rate (30/s).
    assert abs((slots[other] - NOW).total_seconds() - 1 / 30) < 0.001


async def test_the_bot_wide_rate_is_shared_by_every_replica(session_factory: Sessions) -> None:
    for n in range(100):
        await add_post(session_factory, at=NOW, target=f"telegram:@chat{n}")
    slots: list[datetime] = []
    for worker in ("a", "b", "c", "a", "b"):  # replicas taking turns, 20 posts a claim
        async with session_factory.begin() as session:
            claims = await repo.claim_due(
                session, now=NOW, oldest=NOW - timedelta(minutes=15), limit=20, worker=worker,
                lease=timedelta(seconds=60), interval=timedelta(seconds=3), default_key="x",
                skip_locked=True, per_second=30,
            )  # fmt: skip
        slots += [claim.send_after for claim in claims]
    per_second = Counter(int((at - NOW).total_seconds()) for at in slots)
    assert len(slots) == 100 and per_second == {0: 30, 1: 30, 2: 30, 3: 10}
