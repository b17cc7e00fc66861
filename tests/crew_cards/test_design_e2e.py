"""The design advisor on cards, as an admin sees it: the whole bot over the Bot API double,
the crew through the real litellm path (FakeLLMServer plus crew roles), ComfyUI's double."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from bot.settings import Settings
from domain.crew import StepName
from storage.models import Post
from tests.crew_cards.crew_server import CrewAwareLLMServer
from tests.crew_cards.support import answered
from tests.doubles.comfyui import ComfyUIDouble
from tests.doubles.crew_llm import good_answers
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import Harness, running
from tests.pipeline.support import add_post, comfy_settings, prepare_database

DESIGN = good_answers()[StepName.DESIGN]
assert isinstance(DESIGN, dict)
PROMPT: str = DESIGN["image_prompts"][0]
USE = "🎨 Use design image prompt"
GENERATE = "🖼 Generate images"


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble,
    crew_llm: CrewAwareLLMServer,
    crew_settings: Settings,
    comfyui: ComfyUIDouble,
) -> AsyncIterator[Harness]:
    settings = replace(crew_settings, comfy=comfy_settings(comfyui.url))
    await prepare_database(settings.database.database_url)
    async with running(telegram_api, crew_llm, settings) as harness:
        yield harness


async def test_the_design_prompt_goes_on_the_post_and_one_more_tap_to_comfyui(
    harness: Harness, comfyui: ComfyUIDouble
) -> None:
    post_id = await add_post(harness.bot.services.sessions, image_prompt=None, title="Socks")
    harness.send("/approve")
    card_id = harness.message_id_of(await harness.said(f"Post #{post_id}"))
    scored = await harness.said("Overall", within=30)
    text = scored.params["text"]
    assert "🎨 <b>Design:</b> product close-up, lifestyle" in text
    assert "<code>#7A4E2D</code> <code>#F2E8DC</code>" in text  # upper-cased by the schema
    assert "<i>Layout:</i> Socks centred on a wooden table" in text
    assert f"<i>Image prompt idea:</i> {PROMPT}" in text
    before = buttons(scored)
    assert USE in before and GENERATE not in before  # no image prompt yet

    harness.tap(card_id, before[USE])
    await answered(harness, "Image prompt set")
    shown = await harness.said("design advisor's image prompt is this post's image prompt now")
    assert harness.message_id_of(shown) == card_id
    assert f"<b>Image prompt</b>\n{PROMPT}" in shown.params["text"]
    after = buttons(shown)
    assert GENERATE in after and USE not in after  # the advisor's prompt is the post's now
    assert (await _post(harness, post_id)).image_prompt == PROMPT

    harness.tap(card_id, before[USE], stale=True)  # a double tap: the old card's button
    refused = await answered(harness, "changed since this card was shown")
    assert refused.params["show_alert"] is True
    assert (await _post(harness, post_id)).image_prompt == PROMPT  # still one change

    harness.tap(card_id, after[GENERATE])
    await harness.said("Pick an image for post")
    assert comfyui.submissions[-1]["prompt"]["6"]["inputs"]["text"] == PROMPT


async def test_approval_is_withdrawn_with_the_new_prompt_and_text_posts_get_no_button(
    harness: Harness,
) -> None:
    image_post = await add_post(harness.bot.services.sessions, image_prompt="a candle")
    text_post = await add_post(harness.bot.services.sessions, image_prompt=None, format="text")
    harness.send("/approve")
    cards = {}
    for post_id in (image_post, text_post):
        cards[post_id] = harness.message_id_of(await harness.said(f"Post #{post_id}:"))
    scored = {}
    for _ in range(2):
        call = await harness.said("Overall", within=30)
        scored[int(call.params["message_id"])] = call
    text_card = scored[cards[text_post]]
    assert "🎨 <b>Design:</b>" in text_card.params["text"]  # the advice shows on every card
    assert USE not in buttons(text_card)  # but a text post gets no picture

    image_card = scored[cards[image_post]]
    harness.tap(cards[image_post], buttons(image_card)["✅ Approve"])
    approved = await harness.said("✅ approved")
    harness.tap(cards[image_post], buttons(approved)[USE])
    shown = await harness.said("design advisor's image prompt")
    assert "waiting for approval" in shown.params["text"] and "✅ Approve" in buttons(shown)
    stored = await _post(harness, image_post)
    assert (stored.image_prompt, stored.approved_at) == (PROMPT, None)


async def test_a_post_waiting_on_an_image_run_is_told_the_run_keeps_its_prompt(
    harness: Harness,
) -> None:
    post_id = await add_post(harness.bot.services.sessions, image_prompt="a candle")
    await harness.bot.services.posts.transition(post_id, "awaiting_image", actor="test")
    harness.send("/approve")
    card_id = harness.message_id_of(await harness.said(f"Post #{post_id}"))
    scored = await harness.said("Overall", within=30)
    harness.tap(card_id, buttons(scored)[USE])
    shown = await harness.said("The image run under way keeps its own prompt")
    assert GENERATE not in buttons(shown)  # it waits on its run already
    assert (await _post(harness, post_id)).image_prompt == PROMPT


async def test_a_suggestion_card_shows_the_design_line(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    harness.llm.reply(suggestion_answer(caption="Merino socks, back in stock."))
    harness.send("/suggest")
    await harness.said("Suggestion #1")
    scored = await harness.said("Overall", within=30)
    assert "🎨 <b>Design:</b> product close-up, lifestyle" in scored.params["text"]
    assert USE not in buttons(scored)  # the button is the post card's


async def _post(harness: Harness, post_id: int) -> Any:
    async with harness.bot.services.sessions() as session:
        return (await session.execute(select(Post).where(Post.id == post_id))).scalar_one()
