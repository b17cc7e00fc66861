"""/campaign end to end: real Application over HTTP, real litellm against the fake model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.runner import start
from storage.models import Campaign, ConversationState, LLMCall, Post, Suggestion
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import (
    TZ,
    bot_on,
    buttons,
    campaign_days,
    confirm_dates,
    count_rows,
    make_persona,
    message_buttons,
    plan_answer,
)
from tests.e2e.harness import ADMIN, Harness, make_settings


@pytest.fixture
async def db_harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    """`harness` on SQLite and on PostgreSQL (see tests/conftest.py's database_url)."""
    async with bot_on(telegram_api, llm_server, tmp_path, database_url) as harness:
        yield harness


async def _answer_steps(harness: Harness, start: date, end: date) -> RecordedCall:
    """Steps 1-6 of /campaign; returns the format question (step 7)."""
    harness.send("/campaign")
    question = await harness.said("step 1 of 7")
    harness.tap(harness.message_id_of(question), buttons(question)["Acme Candles"])
    await harness.said("Persona: <b>Acme Candles</b> ✓")
    await harness.said("theme or goal")
    harness.send("Launch the autumn candle")
    tone = await harness.said("Which tone")
    harness.tap(harness.message_id_of(tone), buttons(tone)["Warm"])
    await harness.said("Who is the audience")
    harness.send("Home lovers in Berlin")
    await harness.said("When should the campaign run")
    harness.send(f"{start:%Y-%m-%d} to {end:%Y-%m-%d}")
    await confirm_dates(harness)
    await harness.said("How many posts")
    harness.send("3")
    return await harness.said("Which formats")


async def _plan(harness: Harness) -> tuple[RecordedCall, RecordedCall]:
    """Steps 1-7 with a queued model answer; returns the summary and the detail message."""
    start, end = campaign_days()
    formats = await _answer_steps(harness, start, end)
    harness.llm.reply(plan_answer(start))
    harness.tap(harness.message_id_of(formats), buttons(formats)["🎲 Mixed"])
    await harness.said("Planning 3 posts for <b>Acme Candles</b>")
    summary = await harness.said("📋 Autumn glow")
    return summary, await _detail(harness)


async def _detail(harness: Harness) -> RecordedCall:
    """The first post's detail: sent bare, then given its buttons once the state is saved."""
    await harness.said("Post 1 of 3")
    return await harness.said("Post 1 of 3")


async def test_full_journey_creates_the_campaign_as_drafts(db_harness: Harness) -> None:
    harness = db_harness
    await make_persona(harness)
    summary, detail = await _plan(harness)
    assert "1. " in summary.params["text"] and "Warm evenings at home" in summary.params["text"]
    assert harness.api.calls_to("sendChatAction")
    prompt = "\n".join(m["content"] for m in harness.llm.requests[0]["messages"])
    assert "Launch the autumn candle" in prompt and "Home lovers in Berlin" in prompt
    assert "exactly 3" in prompt

    detail_id = harness.message_id_of(detail)
    harness.tap(detail_id, buttons(detail)["▶"])
    await harness.said("Post 2 of 3")
    harness.tap(detail_id, message_buttons(harness, detail_id)["✏️ Caption"])
    await harness.said("Send the new caption for post 2")
    harness.send("Fresh words for post two")
    await harness.said("Post 2 updated")
    harness.tap(detail_id, message_buttons(harness, detail_id)["🕒 Time"])
    await harness.said("Send the new date and time for post 2")
    new_day = campaign_days()[0]
    harness.send(f"{new_day:%Y-%m-%d} 09:30")
    await harness.said("Post 2 updated")
    assert await count_rows(harness, Campaign) == 0  # nothing is stored before "create"

    summary_id = harness.message_id_of(summary)
    harness.tap(summary_id, message_buttons(harness, summary_id)["✅ Create campaign"])
    await harness.said("Campaign #1 created with 3 draft posts — review them with /approve")
    async with harness.bot.services.sessions() as session:
        posts = (await session.execute(select(Post).order_by(Post.id))).scalars().all()
        assert [p.status for p in posts] == ["draft"] * 3
        assert [p.approved_at for p in posts] == [None] * 3
        assert posts[1].caption == "Fresh words for post two"
        assert posts[1].scheduled_at == datetime.combine(new_day, time(9, 30), tzinfo=TZ)
        assert (await session.execute(select(ConversationState))).first() is None
        call = (await session.execute(select(LLMCall))).scalar_one()
        assert (call.template_name, call.outcome) == ("campaign_plan", "ok")
    assert message_buttons(harness, summary_id) == {}


async def test_double_tap_on_create_creates_one_campaign(harness: Harness) -> None:
    await make_persona(harness)
    summary, _ = await _plan(harness)
    create = buttons(summary)["✅ Create campaign"]
    harness.tap(harness.message_id_of(summary), create)
    harness.tap(harness.message_id_of(summary), create, stale=True)
    await harness.said("Campaign #1 created")
    refusal = await harness.api.wait_for(
        "answerCallbackQuery", lambda c: "no longer open" in str(c.params.get("text"))
    )
    assert refusal.params["show_alert"] is True
    assert await count_rows(harness, Campaign) == 1


async def test_without_a_persona_it_says_how_to_make_one(harness: Harness) -> None:
    harness.send("/campaign")
    await harness.said("Create one with /persona")
    assert await count_rows(harness, ConversationState) == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2020-01-01 to 2020-01-05", "can&#x27;t start in the past"),
        ("{end} to {start}", "is before the start"),
        ("sometime soon", "1 Dec – 14 Dec"),
    ],
)
async def test_bad_dates_are_explained_and_the_step_kept(
    harness: Harness, text: str, reason: str
) -> None:
    await make_persona(harness)
    harness.send("/campaign")
    question = await harness.said("step 1 of 7")
    harness.tap(harness.message_id_of(question), buttons(question)["Acme Candles"])
    for answer in ("Launch the autumn candle", "warm", "Home lovers"):
        await harness.said("step")
        harness.send(answer)
    await harness.said("When should the campaign run")
    start, end = campaign_days()
    harness.send(text.format(start=start.isoformat(), end=end.isoformat()))
    await harness.said(reason)
    harness.send(f"{start:%d.%m.%Y} - {end:%d.%m.%Y}")
    await confirm_dates(harness)
    await harness.said("How many posts")
    async with harness.bot.services.sessions() as session:
        row = (await session.execute(select(ConversationState))).scalar_one()
        assert row.data["goal"] == "Launch the autumn candle"
        assert (row.data["start_date"], row.data["end_date"]) == (str(start), str(end))


async def test_cancel_midway_leaves_nothing(harness: Harness) -> None:
    await make_persona(harness)
    start, end = campaign_days()
    await _answer_steps(harness, start, end)
    harness.send("/cancel")
    await harness.said("Cancelled. Nothing was changed.")
    harness.send("Stray words")
    await harness.said("I didn't expect a message here")
    for model in (Campaign, Post, Suggestion, ConversationState):
        assert await count_rows(harness, model) == 0
    assert harness.llm.requests == []


async def test_cancel_while_the_model_plans_drops_its_answer(harness: Harness) -> None:
    await make_persona(harness)
    start, end = campaign_days()
    formats = await _answer_steps(harness, start, end)
    harness.llm.reply(plan_answer(start), delay_s=1.0)
    harness.tap(harness.message_id_of(formats), buttons(formats)["🎲 Mixed"])
    await harness.said("Planning 3 posts")
    harness.send("/cancel")
    await harness.said("Cancelled. Nothing was changed.")
    await asyncio.wait_for(harness.llm.request_seen.wait(), 5)
    # The answer arrived and was dropped: the planning message says so (no sleep-and-hope).
    await harness.said("Planning stopped: this campaign was cancelled. Nothing was saved.")
    texts = [str(m.get("text")) for m in harness.api.messages_in(ADMIN)]
    assert not any("📋 Autumn glow" in text for text in texts)
    for model in (Campaign, Post, Suggestion, ConversationState):
        assert await count_rows(harness, model) == 0


async def test_cancel_at_the_preview_stores_nothing(harness: Harness) -> None:
    await make_persona(harness)
    summary, _ = await _plan(harness)
    harness.send("/cancel")
    await harness.said("Cancelled. Nothing was changed.")
    summary_id = harness.message_id_of(summary)
    harness.tap(summary_id, buttons(summary)["✅ Create campaign"], stale=True)
    await harness.api.wait_for("answerCallbackQuery", lambda c: "text" in c.params)
    for model in (Campaign, Post, Suggestion, ConversationState):
        assert await count_rows(harness, model) == 0


async def test_llm_failure_shows_retry_and_stores_nothing(harness: Harness) -> None:
    await make_persona(harness)
    start, end = campaign_days()
    formats = await _answer_steps(harness, start, end)
    harness.llm.fail(400)
    harness.tap(harness.message_id_of(formats), buttons(formats)["🖼 Image"])
    failure = await harness.said("couldn't plan the campaign")
    assert "Nothing was saved" in failure.params["text"]
    retry = buttons(failure)["🔁 Retry"]
    for model in (Campaign, Post, Suggestion):
        assert await count_rows(harness, model) == 0

    harness.llm.reply(plan_answer(start))
    harness.tap(harness.message_id_of(failure), retry)
    harness.tap(harness.message_id_of(failure), retry, stale=True)  # a double tap
    await harness.said("📋 Autumn glow")
    await harness.api.wait_for(
        "answerCallbackQuery", lambda c: "Already planning" in str(c.params.get("text"))
    )
    assert len(harness.llm.requests) == 2


async def test_replan_and_changing_the_count_ask_the_model_again(harness: Harness) -> None:
    await make_persona(harness)
    summary, detail = await _plan(harness)
    start, _ = campaign_days()
    harness.llm.reply(plan_answer(start, name="Second thoughts"))
    harness.tap(harness.message_id_of(summary), buttons(summary)["🔄 Re-plan"])
    replanned = await harness.said("📋 Second thoughts")
    assert harness.message_id_of(replanned) == harness.message_id_of(summary)
    await _detail(harness)
    shown = [m["message_id"] for m in harness.api.messages_in(ADMIN)]
    assert harness.message_id_of(detail) not in shown  # the old plan's detail is gone
    harness.tap(harness.message_id_of(summary), buttons(summary)["📅 Dates"], stale=True)
    await harness.api.wait_for(
        "answerCallbackQuery", lambda c: "replaced by a newer plan" in str(c.params.get("text"))
    )

    summary_id = harness.message_id_of(replanned)
    harness.tap(summary_id, message_buttons(harness, summary_id)["🔢 Number of posts"])
    await harness.said("How many posts")
    harness.llm.reply(plan_answer(start, posts=2, name="Shorter"))
    harness.send("2")
    await harness.said("Planning 2 posts")
    await harness.said("📋 Shorter")
    assert "exactly 2" in json.dumps(harness.llm.requests[-1]["messages"])
    assert len(harness.llm.requests) == 3


async def test_restart_mid_conversation_resumes_at_the_same_step(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = make_settings(telegram_api, llm_server, tmp_path)
    first = await start(settings)
    harness = Harness(telegram_api, llm_server, first)
    await make_persona(harness)
    harness.send("/campaign")
    question = await harness.said("step 1 of 7")
    harness.tap(harness.message_id_of(question), buttons(question)["Acme Candles"])
    await harness.said("theme or goal")
    harness.send("Launch the autumn candle")
    await harness.said("Which tone")
    await first.stop()

    second = await start(settings)
    try:
        harness.bot = second
        harness.send("Calm and confident")
        await harness.said("Who is the audience")
        async with second.services.sessions() as session:
            row = (await session.execute(select(ConversationState))).scalar_one()
            assert row.state == "campaign:audience"
            assert row.data["tone"] == "Calm and confident"
    finally:
        await second.stop()


async def test_the_preview_survives_a_restart(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = make_settings(telegram_api, llm_server, tmp_path)
    first = await start(settings)
    harness = Harness(telegram_api, llm_server, first)
    await make_persona(harness)
    summary, detail = await _plan(harness)
    await first.stop()

    second = await start(settings)
    try:
        harness.bot = second
        harness.tap(harness.message_id_of(detail), buttons(detail)["▶"])
        await harness.said("Post 2 of 3")
        harness.tap(harness.message_id_of(summary), buttons(summary)["✅ Create campaign"])
        await harness.said("Campaign #1 created with 3 draft posts")
        assert len(llm_server.requests) == 1
    finally:
        await second.stop()


async def test_reels_and_stories_are_offered_planned_and_stored(harness: Harness) -> None:
    await make_persona(harness)
    start, end = campaign_days()
    formats = await _answer_steps(harness, start, end)
    offered = buttons(formats)
    assert {"🎞 Reel", "📱 Story", "🗂 Carousel", "🎬 Video"} <= set(offered)
    answer = plan_answer(start)
    for post, post_format in zip(answer["posts"], ("reel", "story", "carousel"), strict=True):
        post["format"] = post_format
    harness.llm.reply(answer)
    harness.tap(harness.message_id_of(formats), offered["🎞 Reel"])
    summary = await harness.said("📋 Autumn glow")
    assert "· reel ·" in summary.params["text"] and "· story ·" in summary.params["text"]
    request = harness.llm.requests[0]
    prompt = "\n".join(m["content"] for m in request["messages"])
    assert "Formats to use:\nreel" in prompt
    assert '"reel"' in json.dumps(request) and '"story"' in json.dumps(request)  # the schema
    await _detail(harness)
    summary_id = harness.message_id_of(summary)
    harness.tap(summary_id, message_buttons(harness, summary_id)["✅ Create campaign"])
    await harness.said("Campaign #1 created with 3 draft posts")
    async with harness.bot.services.sessions() as session:
        posts = (await session.execute(select(Post).order_by(Post.id))).scalars().all()
    assert [p.format for p in posts] == ["reel", "story", "carousel"]
