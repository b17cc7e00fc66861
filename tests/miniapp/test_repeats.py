"""The app's queue cards carry the chat card's near-repeat warning ("⚠️ 84 % similar to
the post idea of 4 Mar") and the earlier item's words behind it, from the same check
(core/memory/repeats.py) with memory on and the bundled model."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from pydantic import AnyHttpUrl

from tests.campaigns.helpers import MutableClock
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import make_settings, running
from tests.miniapp.conftest import NOW, AppClient

FIRST = "Cosy up this weekend: our hand-poured autumn candles are back in the shop <3"
AGAIN = "Cosy up this weekend: our hand-poured autumn candles are back in our shop <3"
ELSEWHERE = "Our tax office opening hours change in January; see the notice board."


@pytest.fixture
async def app(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[AppClient]:
    settings = make_settings(telegram_api, llm_server, tmp_path, memory_enabled=True)
    base = AnyHttpUrl("https://bot.example.com")
    settings = replace(settings, app=settings.app.model_copy(update={"public_base_url": base}))
    async with (
        running(telegram_api, llm_server, settings, clock=MutableClock(NOW)) as harness,
        aiohttp.ClientSession() as http,
    ):
        yield AppClient(harness, http)


async def suggest(app: AppClient, caption: str, number: int) -> RecordedCall:
    """A /suggest card as the chat shows it."""
    app.harness.llm.reply(suggestion_answer(caption=caption))
    app.harness.send("/suggest")
    return await app.harness.said(f"Suggestion #{number}")


async def test_a_near_repeat_in_the_queue_warns_as_the_chat_card_does(app: AppClient) -> None:
    harness = app.harness
    first = await suggest(app, FIRST, 1)
    harness.tap(harness.message_id_of(first), buttons(first)["✅ Approve"])
    await harness.said("Saved as draft post #1")
    assert "similar to" not in first.params["text"]
    await harness.bot.services.memory.embed_pending()

    chat_card = str((await suggest(app, AGAIN, 2)).params["text"])
    await suggest(app, ELSEWHERE, 3)
    line = re.search(r"⚠️ \d+ % similar to the post idea of 4 Mar", chat_card)
    assert line is not None, chat_card

    body = await app.get_json("/app/api/queue")
    by_id = {(i["kind"], i["id"]): i for i in body["items"]}
    repeat = by_id[("suggestion", 2)]["repeat"]
    assert repeat["line"] == line.group(0)  # the same check, the same words
    assert repeat["label"] == "the post idea of 4 Mar" and repeat["outcome"] == "approved"
    assert repeat["text"] == FIRST and 73 <= repeat["similarity"] <= 100
    assert by_id[("suggestion", 3)]["repeat"] is None

    status, page, _ = await app.get("/app/api/view/queue")
    assert status == 200
    card = page[page.index('data-card="suggestion:2"') :]
    card = card[: card.index("</article>")]
    assert f'<details class="repeat" data-repeat="{repeat["similarity"]}">' in card
    assert f"<summary>{line.group(0)}</summary>" in card
    # The earlier words behind the warning, escaped like every text on the page.
    assert "back in the shop &lt;3" in card and "The post idea of 4 Mar (approved)" in card
    other = page[page.index('data-card="suggestion:3"') :]
    assert "data-repeat" not in other[: other.index("</article>")]
