"""Dates and times in people's words, through the whole bot (real Application, Bot API double).

/campaign step 5 echoes what it read with ✅ Yes / ✏️ Retype, offers common ranges after
two failed tries, and /schedule's Reschedule reads the same grammar.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from storage.models import ConversationState, Post
from tests.doubles.telegram_api import RecordedCall
from tests.e2e.campaign_support import (
    TZ,
    buttons,
    campaign_days,
    make_persona,
    plan_answer,
    today,
)
from tests.e2e.harness import Harness
from tests.e2e.schedule_support import add_post, soon


def _shown(start: date, end: date) -> str:
    """How the echo writes a range: "22 Nov – 5 Dec 2026"."""
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


async def _state(harness: Harness) -> ConversationState:
    async with harness.bot.services.sessions() as session:
        return (await session.execute(select(ConversationState))).scalar_one()


async def _refused(harness: Harness, text: str) -> None:
    await harness.api.wait_for(
        "answerCallbackQuery", lambda call: text in str(call.params.get("text"))
    )


async def _at_dates_step(harness: Harness) -> None:
    await make_persona(harness)
    harness.send("/campaign")
    question = await harness.said("step 1 of 7")
    harness.tap(harness.message_id_of(question), buttons(question)["Acme Candles"])
    for answer in ("Launch the autumn candle", "warm", "Home lovers"):
        await harness.said("step")
        harness.send(answer)
    await harness.said("When should the campaign run")


async def test_dates_in_words_are_echoed_and_count_once_confirmed(harness: Harness) -> None:
    await _at_dates_step(harness)
    tomorrow = today() + timedelta(days=1)
    two_weeks = _shown(tomorrow, tomorrow + timedelta(days=13))
    harness.send("from tomorrow for two weeks")
    first = await harness.said("OK?")
    assert f"📅 <b>{two_weeks}</b>, Europe/Berlin: OK?" in first.params["text"]
    assert "14 days" in first.params["text"]
    assert list(buttons(first)) == ["✅ Yes", "✏️ Retype"]
    assert (await _state(harness)).state == "campaign:dates_check"  # not accepted yet

    harness.tap(harness.message_id_of(first), buttons(first)["✏️ Retype"])
    retyped = await harness.said("When should the campaign run")
    assert harness.message_id_of(retyped) == harness.message_id_of(first)  # the echo, asking
    harness.send("next week")
    second = await harness.said("OK?")
    monday = today() + timedelta(days=7 - today().weekday())
    assert _shown(monday, monday + timedelta(days=6)) in second.params["text"]
    harness.tap(harness.message_id_of(first), buttons(first)["✅ Yes"], stale=True)
    await _refused(harness, "replaced by newer ones")

    harness.send("from tomorrow for two weeks")  # typed again instead of tapping
    third = await harness.said("OK?")
    harness.tap(harness.message_id_of(second), buttons(second)["✅ Yes"], stale=True)
    await _refused(harness, "replaced by newer ones")
    harness.tap(harness.message_id_of(third), buttons(third)["✅ Yes"])
    await harness.said(f"Dates: <b>{two_weeks}</b> ✓")
    await harness.said("How many posts")
    harness.tap(harness.message_id_of(third), buttons(third)["✅ Yes"], stale=True)  # again
    await _refused(harness, "That step is over")

    state = await _state(harness)
    assert state.state == "campaign:count"
    assert (state.data["start_date"], state.data["end_date"]) == (
        tomorrow.isoformat(),
        (tomorrow + timedelta(days=13)).isoformat(),
    )
    assert not {"dates_offer", "date_choices", "date_fails"} & set(state.data)
    async with aiohttp.ClientSession() as http, http.get(f"{harness.web_url}/metrics") as got:
        scraped = await got.text()
    assert 'copilot_refused_actions_total{action="cmp",reason="stale"} 3.0' in scraped


async def test_two_failed_tries_offer_common_ranges_as_buttons(harness: Harness) -> None:
    await _at_dates_step(harness)
    harness.send("sometime soon")
    first = await harness.said("read “sometime soon” as dates")
    assert "reply_markup" not in first.params  # one slip: just the reason and the examples
    harness.send("whenever suits")
    second = await harness.said("Or tap one of these")
    assert "read “whenever suits” as dates" in second.params["text"]
    offered = buttons(second)
    names = [label.split(" · ")[0] for label in offered]
    assert names == ["This week", "Next week", "Next 2 weeks", "This month"]

    monday = today() + timedelta(days=7 - today().weekday())
    sunday = monday + timedelta(days=6)
    label = next(text for text in offered if text.startswith("Next week"))
    assert label.endswith(f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b}") or label.endswith(
        f"{monday.day}–{sunday.day} {sunday:%b}"
    )
    harness.tap(harness.message_id_of(second), offered[label])
    await harness.said(f"Dates: <b>{_shown(monday, sunday)}</b> ✓")
    await harness.said("How many posts")
    state = await _state(harness)
    assert (state.data["start_date"], state.data["end_date"]) == (str(monday), str(sunday))
    harness.tap(harness.message_id_of(second), offered[label], stale=True)  # a double tap
    await _refused(harness, "That step is over")


async def test_new_dates_from_the_preview_are_confirmed_then_planned_again(
    harness: Harness,
) -> None:
    await _at_dates_step(harness)
    start, end = campaign_days()
    harness.send(f"{start:%d %b} - {end:%d %b}")
    echo = await harness.said("OK?")
    harness.tap(harness.message_id_of(echo), buttons(echo)["✅ Yes"])
    await harness.said("How many posts")
    harness.send("3")
    formats = await harness.said("Which formats")
    harness.llm.reply(plan_answer(start))
    harness.tap(harness.message_id_of(formats), buttons(formats)["🖼 Image"])
    summary = await harness.said("📋 Autumn glow")

    harness.tap(harness.message_id_of(summary), buttons(summary)["📅 Dates"])
    await harness.said("When should the campaign run")
    later = end + timedelta(days=2)
    harness.send(f"from {start:%d %b} for {(later - start).days + 1} days")
    echo = await harness.said("OK?")
    assert _shown(start, later) in echo.params["text"]
    harness.llm.reply(plan_answer(start, name="Longer run"))
    harness.tap(harness.message_id_of(echo), buttons(echo)["✅ Yes"])
    await harness.said("Planning 3 posts")  # straight back to planning, the rest kept
    await harness.said("📋 Longer run")
    state = await _state(harness)
    assert (state.data["start_date"], state.data["end_date"]) == (str(start), str(later))
    assert state.data["goal"] == "Launch the autumn candle"


@pytest.fixture
def publishing(publishing_harness: Harness) -> Harness:
    return publishing_harness


def _button(call: RecordedCall, starts: str) -> str:
    markup: dict[str, Any] = call.params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", [])
    return str(
        next(b["callback_data"] for row in rows for b in row if b["text"].startswith(starts))
    )


async def test_schedule_reads_a_time_in_words(publishing: Harness) -> None:
    bot = publishing
    post_id = await add_post(bot.bot.services.sessions, at=soon(86_400))
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    bot.tap(bot.message_id_of(overview), _button(overview, "🗓 #"))
    card = await bot.said(f"Post #{post_id}:")
    bot.tap(bot.message_id_of(card), _button(card, "🕒 Reschedule"))
    await bot.said("When should post")
    day = today() + timedelta(days=10)
    bot.send(f"{day:%B} {day.day} at 6pm")  # "December 3 at 6pm": the old reader refused it
    await bot.said(f"Post #{post_id} will go out")
    async with bot.bot.services.sessions() as session:
        stored = await session.scalar(select(Post.scheduled_at).where(Post.id == post_id))
    assert stored == datetime.combine(day, time(18, 0), tzinfo=TZ)
