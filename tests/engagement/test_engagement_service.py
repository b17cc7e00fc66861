"""Reaction counts on published posts, from the core service down to the database and
semantic memory: a snapshot per message, summed per post, ranking best_accepted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.memory.embedder import BundledEmbedder
from core.memory.link import MemoryLink
from core.memory.record import MemoryRecorder, post_item
from core.memory.service import MemoryService
from core.publishing.engagement import (
    EngagementService,
    PostEngagement,
    ReactionReport,
    is_chat,
)
from domain.memory import MemoryEvent, MemoryKind
from storage.db import make_session_factory
from storage.models import MemoryItemEvent, Post, PostDelivery
from storage.models.publishing import PostReaction

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
BRAND_ID = -1_001_000_000_001


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def publish(
    sessions: async_sessionmaker[AsyncSession],
    caption: str,
    *,
    message_ids: str,
    at: datetime,
    target: str | None = "telegram:@brand",
) -> int:
    async with sessions.begin() as session:
        post = Post(status="published", title=caption[:20], caption=caption, hashtags=[])
        session.add(post)
        await session.flush()
        session.add(
            PostDelivery(
                post_id=post.id, target=target, external_message_id=message_ids, published_at=at
            )
        )
        return post.id


def report(
    message_id: int,
    counts: Mapping[str, int],
    *,
    chat_id: int = BRAND_ID,
    username: str | None = "Brand",
    at: datetime = NOW,
) -> ReactionReport:
    return ReactionReport(chat_id, username, message_id, at, counts)


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)


@pytest.fixture
def memory(sessions: async_sessionmaker[AsyncSession], bundled: BundledEmbedder) -> MemoryService:
    return MemoryService(sessions, FixedClock(), bundled, window_days=90, near_repeat=0.8)


def connected(memory: MemoryService) -> MemoryLink:
    link = MemoryLink()
    link.connect(memory)
    return link


async def remember_published(
    memory: MemoryService, post_id: int, caption: str, at: datetime
) -> None:
    recorder = MemoryRecorder(connected(memory), UTC_ZONE)
    await recorder.record(
        post_item(post_id, None, caption, at, UTC_ZONE), MemoryEvent.PUBLISHED, at
    )


async def stored(sessions: async_sessionmaker[AsyncSession]) -> dict[tuple[int, int], int]:
    async with sessions() as session:
        rows = (await session.scalars(select(PostReaction))).all()
    return {(row.post_id, row.message_id): row.total for row in rows}


async def test_counts_are_a_snapshot_and_the_reacted_post_ranks_first(
    sessions: async_sessionmaker[AsyncSession], memory: MemoryService
) -> None:
    older_at, newer_at = NOW - timedelta(days=2), NOW - timedelta(days=1)
    older = await publish(sessions, "Our autumn candle is back.", message_ids="11", at=older_at)
    newer = await publish(sessions, "Winter socks, knitted by hand.", message_ids="12", at=newer_at)
    await remember_published(memory, older, "Our autumn candle is back.", older_at)
    await remember_published(memory, newer, "Winter socks, knitted by hand.", newer_at)
    ranked = await memory.best_accepted(persona_id=None, kinds=[MemoryKind.POST])
    assert [item.item_id for item in ranked] == [newer, older]  # no engagement: newest first
    service = EngagementService(sessions, FixedClock(), connected(memory), default_chat="@brand")

    found = await service.record(report(11, {"👍": 3, "🔥": 2}))

    assert found == PostEngagement(older, 5)
    item = await memory.get(MemoryKind.POST, older)
    assert item is not None
    assert item.engagement == {"reactions": 5.0}
    assert (item.outcome, item.at) == ("published", older_at)  # a reaction is no decision
    async with sessions() as session:
        events = await session.scalar(select(func.count()).select_from(MemoryItemEvent))
    assert events == 2  # the two publications, nothing added
    ranked = await memory.best_accepted(persona_id=None, kinds=[MemoryKind.POST])
    assert [item.item_id for item in ranked] == [older, newer]

    # Telegram sends totals: a later, lower count replaces the last one.
    assert await service.record(report(11, {"👍": 1}, at=NOW + timedelta(minutes=1))) == (
        PostEngagement(older, 1)
    )
    # A report older than the stored one arrives late: it brings nothing back.
    await service.record(report(11, {"👍": 50}, at=NOW - timedelta(minutes=1)))
    assert await stored(sessions) == {(older, 11): 1}
    item = await memory.get(MemoryKind.POST, older)
    assert item is not None
    assert item.engagement == {"reactions": 1.0}


async def test_a_post_sent_as_several_messages_sums_them_on_the_default_channel(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # target None: the default target, PUBLISH_CHAT_ID, here a numeric id.
    post = await publish(sessions, "A long story.", message_ids="21,22,23", at=NOW, target=None)
    service = EngagementService(sessions, FixedClock(), MemoryLink(), default_chat=str(BRAND_ID))

    await service.record(report(21, {"👍": 2}, username=None))
    found = await service.record(report(23, {"❤": 4, "paid": 1}, username=None))

    assert found == PostEngagement(post, 7)
    assert await stored(sessions) == {(post, 21): 2, (post, 23): 5}


async def test_other_chats_and_unknown_messages_change_nothing(
    sessions: async_sessionmaker[AsyncSession], memory: MemoryService
) -> None:
    post = await publish(sessions, "Our autumn candle is back.", message_ids="31", at=NOW)
    await remember_published(memory, post, "Our autumn candle is back.", NOW)
    service = EngagementService(sessions, FixedClock(), connected(memory), default_chat="@brand")

    # The same message id in a chat that is no publishing target, and an unknown message.
    assert await service.record(report(31, {"👍": 9}, chat_id=-100777, username="other")) is None
    assert await service.record(report(99, {"👍": 9})) is None

    assert await stored(sessions) == {}
    item = await memory.get(MemoryKind.POST, post)
    assert item is not None
    assert item.engagement is None


async def test_with_memory_off_the_counts_are_kept_alone(
    sessions: async_sessionmaker[AsyncSession], memory: MemoryService
) -> None:
    post = await publish(sessions, "Our autumn candle is back.", message_ids="41", at=NOW)
    await remember_published(memory, post, "Our autumn candle is back.", NOW)
    service = EngagementService(sessions, FixedClock(), MemoryLink(), default_chat="@brand")

    assert await service.record(report(41, {"👍": 4})) == PostEngagement(post, 4)

    assert await stored(sessions) == {(post, 41): 4}
    item = await memory.get(MemoryKind.POST, post)
    assert item is not None
    assert item.engagement is None


@pytest.mark.parametrize(
    ("address", "chat_id", "username", "matches"),
    [
        ("@brand", 1, "Brand", True),
        ("@brand", 1, None, False),
        ("@brand", 1, "other", False),
        ("-1001234", -1001234, None, True),
        ("-1001234", -1001235, "brand", False),
        ("not-a-chat", 1, None, False),
    ],
)
def test_a_target_names_a_chat_by_username_or_id(
    address: str, chat_id: int, username: str | None, matches: bool
) -> None:
    assert is_chat(address, chat_id, username) is matches
