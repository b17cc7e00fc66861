"""/report names the period's posts with the most channel reactions (both dialects)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.report.facts import collect
from domain.timegrammar import DateRange
from storage.models import Post, PostDelivery
from storage.models.publishing import PostReaction

NOVEMBER = DateRange(date(2026, 11, 1), date(2026, 11, 30))
INSIDE = datetime(2026, 11, 10, 9, tzinfo=UTC)


async def published(
    session: AsyncSession, title: str, at: datetime, reactions: dict[int, int]
) -> None:
    post = Post(status="published", title=title, caption=title, hashtags=[])
    session.add(post)
    await session.flush()
    ids = ",".join(str(message_id) for message_id in reactions) or None
    session.add(PostDelivery(post_id=post.id, external_message_id=ids, published_at=at))
    for message_id, total in reactions.items():
        session.add(
            PostReaction(
                post_id=post.id,
                message_id=message_id,
                chat_id=-100,
                counts={"👍": total},
                total=total,
                reported_at=at,
                updated_at=at,
            )
        )


async def texts(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        sheet = await collect(session, NOVEMBER, ZoneInfo("UTC"))
    return [fact.text for fact in sheet.facts]


async def test_the_most_reacted_posts_of_the_period_are_a_fact(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory.begin() as session:
        await published(session, "Autumn candle", INSIDE, {11: 3, 12: 9})  # two messages
        await published(session, "Winter socks", INSIDE, {13: 5})
        await published(session, "Quiet one", INSIDE, {})
        await published(session, "October post", INSIDE - timedelta(days=30), {14: 40})

    found = await texts(session_factory)

    assert "Posts with the most channel reactions: “Autumn candle” (12), “Winter socks” (5)" in (
        found
    )


async def test_no_reactions_no_fact(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory.begin() as session:
        await published(session, "Quiet one", INSIDE, {})

    assert not any("reactions" in text for text in await texts(session_factory))
