"""The queue card of a near-repeat shows the chat card's warning in the page; the earlier
words open under it on a tap (memory on, the bundled model). Screenshot at 360×740."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.doubles.webapp_fixtures import open_app
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import Harness, make_settings, running
from tests.miniapp_browser.support import init_data

FIRST = "Cosy up this weekend: our hand-poured autumn candles are back in the shop <3"
AGAIN = "Cosy up this weekend: our hand-poured autumn candles are back in our shop <3"


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    settings = make_settings(telegram_api, llm_server, tmp_path, memory_enabled=True)
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


async def test_a_near_repeat_card_warns_and_shows_the_earlier_words(
    bot: Harness, browser: Browser
) -> None:
    bot.llm.reply(suggestion_answer(caption=FIRST))
    bot.send("/suggest")
    first = await bot.said("Suggestion #1")
    bot.tap(bot.message_id_of(first), buttons(first)["✅ Approve"])
    await bot.said("Saved as draft post #1")
    await bot.bot.services.memory.embed_pending()
    bot.llm.reply(suggestion_answer(caption=AGAIN))
    bot.send("/suggest")
    chat_card = str((await bot.said("Suggestion #2")).params["text"])
    assert "% similar to the post idea of" in chat_card

    app = await open_app(browser, bot.web_url, init_data())
    await app.page.locator('[data-tab="queue"]').click()
    card = app.page.locator('[data-card="suggestion:2"]')
    warning = card.locator("details.repeat summary")
    await expect(warning).to_contain_text("% similar to the post idea of")
    assert (await warning.inner_text()).strip() in chat_card
    earlier = card.locator("details.repeat .earlier")
    await expect(earlier).to_be_hidden()  # closed until asked for
    await warning.click()
    await expect(earlier).to_have_text(FIRST)  # as text: the "<3" is not markup
    await app.screenshot("queue-near-repeat")
    assert await app.page.locator('[data-card="post:1"] details.repeat').count() == 0
    assert app.errors == []
