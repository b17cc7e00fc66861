"""/write and POST /api/campaign/create end to end: the whole bot against the Bot API double
and the OpenAI-compatible test server, with the real crew (its worker, its five templates,
its checks) on SQLite.

The crew's brand, compliance and design steps run concurrently, so their calls reach the
test server in any order; every scripted answer therefore carries every step's fields
(each step's schema ignores the others'), which keeps the script order-free.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from core.brands.guidelines import BrandGuidelines
from storage.models import CrewContent, Post
from tests.design_examples import design_json
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons, message_buttons
from tests.e2e.harness import Harness, make_settings, running, with_api

TOKEN = "write-test-token-0123456789"
REWRITE = "Live lighter today: five easy swaps for a greener home. Start with one."
ANSWER: dict[str, Any] = {
    # creator
    "title": "Sustainable living", "text": "Live lighter: five swaps for a greener home.",
    "hashtags": ["#green", "#home"],
    # brand manager
    "brand_alignment": 84, "feedback": ["Warm and on voice"],
    # compliance officer
    "verdict": "pass", "compliance": 90, "issues": [],
    # design advisor
    "visual_appeal": 70, "image_types": ["lifestyle photo"], "palette": ["#2E7D32"],
    "layout": "one hero image", "image_prompts": ["a sunlit kitchen with glass jars"],
    # optimizer
    "overall_quality": 81, "rewrite": REWRITE, "changes": ["Stronger call to action"],
}  # fmt: skip


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    settings = with_api(
        # A loaded machine's first call (litellm's import) can outlast the harness's 5 s.
        make_settings(
            telegram_api, llm_server, tmp_path, crew_enabled=True, crew_step_timeout_s=60
        ),
        TOKEN,
    )
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


def script_crew(llm: FakeLLMServer) -> None:
    for _ in range(5):
        llm.reply(ANSWER)


async def tap(harness: Harness, call: RecordedCall, label: str) -> None:
    harness.tap(harness.message_id_of(call), buttons(call)[label])


async def answer_to_tap(harness: Harness, words: str) -> str:
    call = await harness.api.wait_for(
        "answerCallbackQuery", lambda c: words in str(c.params.get("text")), timeout=10
    )
    return str(call.params["text"])


async def test_write_from_a_brief_to_a_post_an_email_and_the_files(bot: Harness) -> None:
    brands = bot.bot.services.brands
    await brands.save(BrandGuidelines(brand_name="Acme"))
    await brands.save(BrandGuidelines(brand_name="Green Leaf"))
    script_crew(bot.llm)

    bot.send("/write")
    await bot.said("What should the crew write?")
    bot.send("Create blog post about sustainable living")
    await bot.said("Who is it for?")
    bot.send("y" * 1001)  # too long: explained, the step stays
    await bot.said("The audience is 1001 characters; at most 1000.")
    bot.send("Young families")
    kind = await bot.said("What kind of content?")
    await tap(bot, kind, "📱 Social media")
    await bot.said("Type: 📱 Social media ✓")
    brand = await bot.said("Which brand")
    await tap(bot, brand, "Green Leaf")
    await bot.said("Brand: Green Leaf ✓")

    progress = await bot.said("🧪 Review crew")
    card = await bot.said("<b>Overall ", within=90)
    message_id = bot.message_id_of(progress)
    assert bot.message_id_of(card) == message_id  # the progress message became the result
    text = str(card.params["text"])
    assert "Social media post #1</b> · Green Leaf" in text and REWRITE in text
    assert "Brand 84 · Compliance 90" in text and "#green #home" in text
    assert "🎨 images: lifestyle photo; palette #2E7D32" in text

    # A second tap on the old brand step starts nothing.
    bot.tap(bot.message_id_of(brand), buttons(brand)["Green Leaf"], stale=True)
    await answer_to_tap(bot, "That step is over")

    shown = message_buttons(bot, message_id)
    bot.tap(message_id, shown["📣 Make a post draft"])
    said = await answer_to_tap(bot, "Draft post #")
    bot.tap(message_id, shown["📣 Make a post draft"], stale=True)  # a double tap
    assert await answer_to_tap(bot, "Draft post #") == said
    await bot.said("Saved as draft post #")
    async with bot.bot.services.sessions() as session:
        posts = list(await session.scalars(select(Post)))
    assert [(p.caption, p.status, p.format) for p in posts] == [(REWRITE, "draft", "image")]
    assert said == f"Draft post #{posts[0].id} saved ✅ Approve it in /approve."

    bot.tap(message_id, shown["✉️ Make an email draft"])
    mail = message_from_bytes(await _document(bot, ".eml"), policy=default)
    assert (mail["Subject"], mail["X-Unsent"], mail["To"]) == ("Sustainable living", "1", None)
    assert REWRITE in mail.get_content()

    bot.tap(message_id, shown["⬇️ Download .txt"])
    plain = (await _document(bot, ".txt")).decode()
    assert plain.startswith("Sustainable living\n\n" + REWRITE)
    assert "Brand 84 · Compliance 90 · Readability" in plain

    bot.tap(message_id, shown["⬇️ Download .json"])
    data = json.loads(await _document(bot, ".json"))
    assert (data["status"], data["content"], data["brand_name"]) == (
        "completed",
        REWRITE,
        "Green Leaf",
    )
    assert data["post_id"] == posts[0].id


async def test_the_designs_example_over_rest_through_the_real_crew(bot: Harness) -> None:
    await bot.bot.services.brands.save(BrandGuidelines(brand_name="Acme"))
    script_crew(bot.llm)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = design_json("content_copilot/request.json")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{bot.web_url}/api/campaign/create?wait=60", json=body,
                             headers=headers) as response:  # fmt: skip
            status, answer = response.status, await response.json()
        async with http.get(f"{bot.web_url}/api/campaigns/list", headers=headers) as listed:
            campaigns = (await listed.json())["campaigns"]
    assert status == 201, answer
    assert answer["content"] == REWRITE
    assert answer["validations"]["brand_alignment"] == 84
    assert answer["validations"]["compliance"] == 90
    # The overall score is the crew's: the optimizer's, weighed with the checks.
    assert 0 < answer["validations"]["overall_quality"] <= 100
    assert any("Warm and on voice" in line for line in answer["agent_feedback"])
    assert [c["campaign_id"] for c in campaigns] == [answer["campaign_id"]]


async def test_without_the_crew_write_says_so_and_keeps_nothing(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = make_settings(telegram_api, llm_server, tmp_path)  # CREW_ENABLED off
    async with running(telegram_api, llm_server, settings) as harness:
        harness.send("/write " + "x" * 4001)  # too long: explained, asked for again
        await harness.said("The brief is 4001 characters; at most 4000.")
        harness.send("Create blog post about sustainable living")
        await harness.said("Who is it for?")
        harness.send("Young families")
        kind = await harness.said("What kind of content?")
        await tap(harness, kind, "📝 Blog post")
        await harness.said("The review crew is off")
        async with harness.bot.services.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(CrewContent)) == 0


async def _document(harness: Harness, suffix: str) -> bytes:
    call = await harness.api.wait_for(
        "sendDocument",
        lambda c: "document" in c.files and (c.files["document"].filename or "").endswith(suffix),
        timeout=10,
    )
    data: bytes = call.files["document"].data
    return data


async def test_a_failed_run_says_why_and_try_again_writes_it(bot: Harness) -> None:
    bot.llm.fail(500)  # the creator's call: nothing to review, the run fails
    bot.send("/write Create blog post about sustainable living")
    await bot.said("Who is it for?")
    bot.send("Young families")
    kind = await bot.said("What kind of content?")
    await tap(bot, kind, "✉️ Email")
    failed = await bot.said("The crew couldn't write it", within=90)
    assert "The creator could not write from this brief" in str(failed.params["text"])
    failed_id = bot.message_id_of(failed)
    script_crew(bot.llm)
    again = message_buttons(bot, failed_id)["🔁 Try again"]
    bot.tap(failed_id, again)
    bot.tap(failed_id, again, stale=True)  # a double tap asks the crew once
    await answer_to_tap(bot, "being tried again already")
    await bot.said("🔁 Tried again as #2.")
    await bot.said("Email #2</b>")
    await bot.said("<b>Overall ", within=90)

    bot.send("/write list")
    listed = await bot.said("Written from a brief")
    lines = str(listed.params["text"]).splitlines()
    assert lines[1].startswith("• #2 Email: Create blog post about sustainable livi… — overall")
    assert lines[2] == "• #1 Email: Create blog post about sustainable livi… — ⚠️ failed"
    assert list(buttons(listed))[-1] == "✍️ Write something new"
    async with bot.bot.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CrewContent)) == 2


async def test_refresh_while_the_crew_works_and_the_bot_stops_without_waiting_for_it(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = make_settings(telegram_api, llm_server, tmp_path, crew_enabled=True,
                             crew_step_timeout_s=60)  # fmt: skip
    llm_server.hang(60)  # the creator's call: the crew stays at "⏳ Creator"
    loop = asyncio.get_running_loop()
    async with running(telegram_api, llm_server, settings) as harness:
        harness.send("/write Create blog post about sustainable living")
        await harness.said("Who is it for?")
        harness.send("Young families")
        kind = await harness.said("What kind of content?")
        await tap(harness, kind, "📣 Ad copy")
        progress = await harness.said("⏳ Creator", within=30)
        message_id = harness.message_id_of(progress)
        harness.tap(message_id, message_buttons(harness, message_id)["🔄 Refresh"])
        await answer_to_tap(harness, "Still writing…")
        stopping = loop.time()
    # Watching the message never holds the bot's stop up (the crew's run is its own).
    assert loop.time() - stopping < 20
