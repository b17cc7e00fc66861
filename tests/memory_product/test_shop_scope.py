"""Items without a persona belong to the whole shop (issue 16 follow-up), through the whole
bot: a campaign post (with a persona) that repeats a post approved from /suggest (no
persona) warns on its /approve card; a post repeating another persona's post does not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.models import Persona
from storage.repos import posts as post_repo
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, Harness, make_settings, running
from tests.memory_product.test_cards_and_prompts import AGAIN, FIRST, suggest, today

THEIRS = "Fresh sourdough every Saturday morning from 7 am, while it lasts."
THEIRS_AGAIN = "Every Saturday from 7 am: fresh sourdough, only while it lasts."


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    settings = make_settings(telegram_api, llm_server, tmp_path, memory_enabled=True)
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


async def _persona(harness: Harness, name: str) -> int:
    async with harness.bot.services.sessions.begin() as session:
        persona = Persona(name=name, caption_config={}, hashtag_strategy={})
        session.add(persona)
        await session.flush()
        return persona.id


async def _campaign_post(harness: Harness, caption: str, persona_id: int) -> int:
    async with harness.bot.services.sessions.begin() as session:
        post = await post_repo.create_draft(
            session, title="Campaign", caption=caption, hashtags=["#shop"], scheduled_at=None,
            image_prompt=None, suggestion_id=None, actor="test", created_by=ADMIN,
            format="text", persona_id=persona_id,
        )  # fmt: skip
        return post.id


async def test_a_campaign_post_repeating_a_suggested_post_warns(harness: Harness) -> None:
    services = harness.bot.services
    idea = await suggest(harness, FIRST, 1)
    harness.tap(harness.message_id_of(idea), buttons(idea)["✅ Approve"])
    await harness.said("Saved as draft post #1")  # the idea and its post: no persona
    await services.memory.embed_pending()

    candles = await _persona(harness, "Candle shop")
    repeat = await _campaign_post(harness, AGAIN, candles)
    harness.send("/approve")
    card = await harness.said(f"Post #{repeat}")
    # The idea or the post made from it (both the shop's, both today's).
    assert f"similar to the post idea of {today(harness)}" in card.params["text"] or (
        f"similar to the post of {today(harness)}" in card.params["text"]
    )
    assert "👀 See earlier" in buttons(card)


async def test_another_personas_post_is_not_a_repeat(harness: Harness) -> None:
    services = harness.bot.services
    bakery, candles = await _persona(harness, "Bakery"), await _persona(harness, "Candle shop")
    theirs = await _campaign_post(harness, THEIRS, bakery)
    await services.posts.approve(theirs, ADMIN)
    await services.memory.embed_pending()
    found = await services.memory.near_repeat(THEIRS_AGAIN, persona_id=bakery)
    assert found is not None and found.item.item_id == theirs  # a repeat for the Bakery

    ours = await _campaign_post(harness, THEIRS_AGAIN, candles)
    harness.send("/approve")
    card = await harness.said(f"Post #{ours}")
    assert "similar to" not in card.params["text"]
    assert "👀 See earlier" not in buttons(card)
