"""Channel reactions through the running bot: a post published to @brand, then Telegram's
message_reaction_count updates on it (the bot is the channel's admin) are stored as the
post's latest counts and become its engagement in semantic memory; updates on other
messages or chats change nothing, and no update is ever answered."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.runner import RunningBot
from core.config import MemorySettings
from domain.memory import MemoryKind
from storage.models import PostDelivery
from storage.models.publishing import PostReaction
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import eventually
from tests.e2e.schedule_support import (
    CHANNEL,
    add_post,
    publishing_settings,
    soon,
    start_harness,
    wait_status,
)

CAPTION = "Our autumn candle is back."
SENDS = ("sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument", "editMessageText")


async def counts_of(sessions: async_sessionmaker[AsyncSession], post_id: int) -> dict[str, int]:
    async with sessions() as session:
        rows = (
            await session.scalars(select(PostReaction).where(PostReaction.post_id == post_id))
        ).all()
    return {key: value for row in rows for key, value in row.counts.items()}


async def message_id_of(sessions: async_sessionmaker[AsyncSession], post_id: int) -> int:
    async with sessions() as session:
        ids = await session.scalar(
            select(PostDelivery.external_message_id).where(PostDelivery.post_id == post_id)
        )
    assert ids is not None
    return int(ids.split(",")[0])


def handled(bot: RunningBot) -> float:
    sample = bot.services.metrics.registry.get_sample_value(
        "copilot_updates_handled_total", {"kind": "message"}
    )
    return sample or 0.0


def sends(api: TelegramApiDouble) -> int:
    return sum(len(api.calls_to(method)) for method in SENDS)


async def test_channel_reactions_become_the_posts_engagement(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> None:
    settings = publishing_settings(telegram_api, llm_server, tmp_path, database_url=database_url)
    settings = replace(settings, memory=MemorySettings(_env_file=None, enabled=True))
    harness = await start_harness(telegram_api, llm_server, settings)
    try:
        services = harness.bot.services
        sessions = services.sessions
        post_id = await add_post(sessions, at=soon(0.3), caption=CAPTION)
        await wait_status(sessions, post_id, "published")
        message_id = await message_id_of(sessions, post_id)

        async def remembered() -> bool:
            return await services.memory.get(MemoryKind.POST, post_id) is not None

        await eventually(remembered, what="the published post in memory")
        sent_before = sends(telegram_api)

        telegram_api.push_update(
            telegram_api.make_reaction_count_update(CHANNEL, message_id, {"👍": 12, "🔥": 3})
        )

        async def counted(expected: dict[str, int]) -> bool:
            return await counts_of(sessions, post_id) == expected

        await eventually(lambda: counted({"👍": 12, "🔥": 3}), what="the first counts stored")
        found = await services.memory.get(MemoryKind.POST, post_id)
        assert found is not None
        assert (found.engagement, found.outcome) == ({"reactions": 15.0}, "published")

        # A later snapshot with fewer reactions replaces the counts: never added up.
        telegram_api.push_update(
            telegram_api.make_reaction_count_update(CHANNEL, message_id, {"👍": 7})
        )
        await eventually(lambda: counted({"👍": 7}), what="the lower counts stored")
        found = await services.memory.get(MemoryKind.POST, post_id)
        assert found is not None
        assert found.engagement == {"reactions": 7.0}

        # Reactions on a message that is no post, and on the same id in another chat.
        before = handled(harness.bot)
        telegram_api.push_update(
            telegram_api.make_reaction_count_update(CHANNEL, message_id + 100, {"👍": 50})
        )
        telegram_api.push_update(
            telegram_api.make_reaction_count_update(-100_999, message_id, {"👍": 50})
        )
        await eventually(lambda: handled(harness.bot) >= before + 2, what="both updates handled")
        assert await counts_of(sessions, post_id) == {"👍": 7}
        found = await services.memory.get(MemoryKind.POST, post_id)
        assert found is not None
        assert found.engagement == {"reactions": 7.0}
        assert sends(telegram_api) == sent_before  # reactions are never answered
        assert not telegram_api.violations
    finally:
        await harness.bot.stop()
