"""Publishing through the whole bot: /schedule, the buttons, the channel, alerts, health.

Every request goes over HTTP to the Bot API double, which checks it against the spec.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.posts.service import PostService
from core.standard_webhooks import verify
from handlers.schedule import command as schedule
from storage.models import PostDelivery
from storage.models.publishing import WebhookMirror
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import campaign_days, make_persona, plan_answer, post_answer
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness
from tests.e2e.schedule_support import (
    CHANNEL,
    WEBHOOK_SECRET,
    WebhookReceiver,
    add_post,
    publishing_settings,
    soon,
    start_harness,
    status_of,
    wait_status,
    webhook_receiver,
)


@pytest.fixture
def bot(publishing_harness: Harness) -> Harness:
    return publishing_harness


def _sessions(bot: Harness) -> async_sessionmaker[AsyncSession]:
    return bot.bot.services.sessions


def _buttons(call: Any) -> dict[str, str]:
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def _button(call: Any, starts: str) -> str:
    return next(data for text, data in _buttons(call).items() if text.startswith(starts))


async def _channel_texts(bot: Harness) -> list[str]:
    return [str(m.get("text") or m.get("caption")) for m in bot.api.messages_in(CHANNEL)]


async def _answer(bot: Harness) -> str:
    call = await bot.api.wait_for("answerCallbackQuery", lambda c: "text" in c.params)
    return str(call.params["text"])


async def test_schedule_keeps_the_planned_time_and_the_post_goes_out(bot: Harness) -> None:
    sessions = _sessions(bot)
    post_id = await add_post(sessions, at=soon(4), status="ready", caption="Cosy <candles> & more")
    bot.send("/schedule")
    overview = await bot.said("Approved, needs a time")
    assert "Cosy" not in overview.params["text"] and "Autumn candle" in overview.params["text"]
    bot.tap(bot.message_id_of(overview), _button(overview, "🕒 #"))
    card = await bot.said(f"Post #{post_id}: Autumn candle")
    bot.tap(bot.message_id_of(card), _button(card, "✅"))
    assert await _answer(bot) == "Scheduled ✅"
    await bot.said("🗓 scheduled")
    await wait_status(sessions, post_id, "published")
    assert await _channel_texts(bot) == ["Cosy <candles> & more\n\n#autumn"]
    async with sessions() as session:
        row = await session.get(PostDelivery, post_id)
    assert row is not None and row.external_message_id == str(
        bot.api.messages_in(CHANNEL)[0]["message_id"]
    )


async def test_a_text_post_from_a_campaign_goes_from_approval_to_the_channel(
    bot: Harness,
) -> None:
    """The whole chain with no database shortcuts: plan, review, time, channel."""
    persona = await make_persona(bot)
    day = campaign_days()[0]
    body = {
        "persona_id": persona.id,
        **plan_answer(day, posts=1),
        "posts": [post_answer(1, day, format="text", caption_draft="Evenings, warmer.")],
    }
    created = await bot.bot.services.campaigns.create(body, actor="api", model="api")
    post_id = created.posts[0].id
    bot.send("/approve")
    card = await bot.said("Candle story 1")
    assert "waiting for approval · draft" in card.params["text"]
    bot.tap(bot.message_id_of(card), _button(card, "✅ Approve"))
    offer = await bot.said("When should it go out?")
    assert await status_of(_sessions(bot), post_id) == "ready"
    bot.tap(bot.message_id_of(offer), _button(offer, "🚀 Publish now"))
    confirm = await bot.said("now?")
    bot.tap(bot.message_id_of(confirm), _button(confirm, "✅ Yes, publish now"))
    await wait_status(_sessions(bot), post_id, "published")
    assert await _channel_texts(bot) == ["Evenings, warmer.\n\n#acme #candles"]


async def test_reschedule_by_reply_then_publish_now_with_a_confirmation(bot: Harness) -> None:
    sessions = _sessions(bot)
    post_id = await add_post(sessions, at=soon(86_400))
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    bot.tap(bot.message_id_of(overview), _button(overview, "🗓 #"))
    card = await bot.said(f"Post #{post_id}:")
    card_id = bot.message_id_of(card)
    bot.tap(card_id, _button(card, "🕒 Reschedule"))
    await bot.said("When should post")
    bot.send("25.13 10:00")
    await bot.said("couldn't read “25.13 10:00”")
    bot.send("in 3h")
    await bot.said(f"Post #{post_id} will go out")
    assert await status_of(sessions, post_id) == "scheduled"
    redrawn = bot.api.messages_in(ADMIN)
    assert any("🕒 Reschedule" in str(m.get("reply_markup")) for m in redrawn)

    bot.tap(card_id, _button(card, "🚀 Publish now"), stale=True)
    confirm = await bot.said("now?")
    bot.tap(card_id, _button(confirm, "✅ Yes, publish now"))
    assert await _answer(bot) == "On its way 🚀"
    await wait_status(sessions, post_id, "published")
    bot.tap(card_id, _button(confirm, "✅ Yes, publish now"), stale=True)  # a double tap
    assert "already published" in await _answer(bot)
    assert len(await _channel_texts(bot)) == 1


async def test_unschedule_keeps_the_post_approved_without_a_time(bot: Harness) -> None:
    sessions = _sessions(bot)
    post_id = await add_post(sessions, at=soon(3600))
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    bot.tap(bot.message_id_of(overview), _button(overview, "🗓 #"))
    card = await bot.said(f"Post #{post_id}:")
    bot.tap(bot.message_id_of(card), _button(card, "⏸ Unschedule"))
    assert (await _answer(bot)).startswith("Unscheduled")
    assert await status_of(sessions, post_id) == "ready"


async def test_approval_hook_asks_for_the_time(bot: Harness) -> None:
    from handlers.common.context import BotContext

    post_id = await add_post(_sessions(bot), at=soon(7200), status="ready")
    context = BotContext(bot.bot.application)
    await schedule.offer_time(context, ADMIN, post_id)
    offer = await bot.said("When should it go out?")
    assert {"🕒 Other time", "🚀 Publish now"} <= set(_buttons(offer))
    assert any(text.startswith("✅") for text in _buttons(offer))


async def test_the_week_as_a_picture(bot: Harness) -> None:
    at = soon(3600)
    await add_post(_sessions(bot), at=at, title="Launch day")
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    bot.tap(bot.message_id_of(overview), _button(overview, "🖼 Week"))
    photo = await bot.api.wait_for("sendPhoto", timeout=10)
    assert photo.ok and photo.files["photo"].data.startswith(b"\x89PNG")
    assert "Week of" in photo.params["caption"]
    tz = bot.bot.services.settings.app.tz
    if at.astimezone(tz).isocalendar()[:2] != soon(0).astimezone(tz).isocalendar()[:2]:
        # Late on a Sunday the post falls in next week: the picture's Later ▶ shows it.
        assert "0 posts" in photo.params["caption"]
        bot.tap(bot.message_id_of(photo), _button(photo, "Later ▶"))
        photo = await bot.api.wait_for("sendPhoto", timeout=10)
    assert "1 post" in photo.params["caption"]


async def test_a_429_storm_delays_but_every_post_goes_out_once(bot: Harness) -> None:
    bot.api.fail_next("sendMessage", error_code=429, retry_after=1, times=6)
    ids = [await add_post(_sessions(bot), at=soon(0), caption=f"Post {i}") for i in range(5)]
    for post_id in ids:
        await wait_status(_sessions(bot), post_id, "published", within=30)
    assert sorted(await _channel_texts(bot)) == [f"Post {i}\n\n#autumn" for i in range(5)]
    assert len(bot.api.calls_to("sendMessage")) >= 11  # the 429s were really answered


async def test_a_refused_post_fails_the_admins_are_told_and_retry_sends_it(bot: Harness) -> None:
    sessions = _sessions(bot)
    bot.api.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
    post_id = await add_post(sessions, at=soon(0))
    alert = await bot.said("could not be published")
    assert "Telegram refused it: Chat not found" in alert.params["text"]
    other = await bot.said("could not be published")
    assert {alert.params["chat_id"], other.params["chat_id"]} == {ADMIN, OTHER_ADMIN}
    assert await status_of(sessions, post_id) == "failed"
    bot.tap(bot.message_id_of(alert), _button(alert, "🔁 Retry"))
    assert await _answer(bot) == "Trying again now 🔁"
    await wait_status(sessions, post_id, "published")
    assert len(await _channel_texts(bot)) == 1


async def test_a_timeout_is_unknown_never_resent_and_a_human_settles_it(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = publishing_settings(telegram_api, llm_server, tmp_path, publish_send_timeout_s=1.0)
    bot = await start_harness(telegram_api, llm_server, settings)
    try:
        photo = telegram_api.register_file(b"\x89PNG", kind="photos", suffix=".png")
        telegram_api.delay("sendPhoto", 2.0)  # Telegram posts it, but answers too late
        post_id = await add_post(_sessions(bot), at=soon(0), image_file_id=photo)
        alert = await bot.said("did it go out?", within=20)
        assert await status_of(_sessions(bot), post_id) == "unknown"
        telegram_api.delay("sendPhoto", 0)
        await bot.api.wait_for("sendPhoto", timeout=10)  # the late answer arrived
        bot.tap(bot.message_id_of(alert), _button(alert, "✅ It was published"))
        assert await _answer(bot) == "Marked as published ✅"
        assert await status_of(_sessions(bot), post_id) == "published"
        assert len(telegram_api.messages_in(CHANNEL)) == 1  # sent once, never resent
    finally:
        await bot.bot.stop()


async def test_after_downtime_recent_posts_go_out_and_older_ones_are_missed(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    from tests.e2e.schedule_support import prepare_schema, sessions_for

    settings = publishing_settings(telegram_api, llm_server, tmp_path)
    await prepare_schema(settings.database.database_url)
    engine, sessions = sessions_for(settings.database.database_url)
    recent = await add_post(sessions, at=soon(-5 * 60), caption="Recent")
    old = await add_post(sessions, at=soon(-20 * 60), caption="Old")
    await engine.dispose()
    bot = await start_harness(telegram_api, llm_server, settings, prepared=True)
    try:
        alert = await bot.said(f"Post #{old} missed its time")
        assert "more than 15 minutes ago" in alert.params["text"]
        await wait_status(_sessions(bot), recent, "published")
        assert await _channel_texts(bot) == ["Recent\n\n#autumn"]
        bot.tap(bot.message_id_of(alert), _button(alert, "🚀 Publish now"))
        confirm = await bot.said("now?")
        bot.tap(bot.message_id_of(confirm), _button(confirm, "✅ Yes"))
        await wait_status(_sessions(bot), old, "published")
        assert sorted(await _channel_texts(bot)) == ["Old\n\n#autumn", "Recent\n\n#autumn"]
    finally:
        await bot.bot.stop()


async def test_an_edit_after_scheduling_is_what_goes_out_and_a_rejection_nothing(
    bot: Harness,
) -> None:
    sessions = _sessions(bot)
    posts = PostService(sessions, bot.bot.services.clock)
    edited = await add_post(sessions, at=soon(2), caption="Old words")
    rejected = await add_post(sessions, at=soon(2), caption="Never")
    await posts.edit_caption(edited, "New words", ADMIN)
    await posts.approve(edited, ADMIN)
    await posts.reject(rejected, ADMIN)
    await wait_status(sessions, edited, "published")
    assert await _channel_texts(bot) == ["New words\n\n#autumn"]
    assert await status_of(sessions, rejected) == "rejected"


async def test_health_reports_the_scheduler_and_turns_red_when_it_is_stuck(bot: Harness) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.web_url}/health") as response:
            healthy = await response.json()
        assert response.status == 200 and healthy["status"] == "ok"
        assert healthy["scheduler"]["status"] == "ok" and healthy["scheduler"]["last_sweep_at"]
        bot.bot.scheduler.pause()  # the dispatcher stops being woken
        await add_post(_sessions(bot), at=datetime.now(UTC) - timedelta(minutes=2))
        async with http.get(f"{bot.web_url}/health") as response:
            stuck = await response.json()
        assert response.status == 503
        assert stuck["status"] == "error" and stuck["scheduler"]["due_unclaimed"] == 1
        bot.bot.scheduler.resume()


async def test_approved_time_survives_in_the_database(bot: Harness) -> None:
    """The DB row is the truth: what /schedule shows is what was stored."""
    sessions = _sessions(bot)
    at = soon(5400).replace(microsecond=0)
    post_id = await add_post(sessions, at=at)
    async with sessions() as session:
        stored = await session.scalar(select(PostDelivery).where(PostDelivery.post_id == post_id))
    assert stored is None  # nothing claimed yet: no delivery row is needed to be scheduled
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    local = at.astimezone(bot.bot.services.settings.app.tz)
    assert f"{local:%H:%M} · #{post_id} Autumn candle" in overview.params["text"]


def _signed_ids(hook: WebhookReceiver) -> list[str]:
    """Each delivery's webhook-id, once its Standard Webhooks signature checked out."""
    for headers, body in hook.deliveries:
        verify(WEBHOOK_SECRET, headers, body, now=int(time.time()))
    return [headers["webhook-id"] for headers, _ in hook.deliveries]


async def _health(bot: Harness) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(f"{bot.web_url}/health") as response:
        found: dict[str, Any] = await response.json()
        return found


async def test_a_channel_post_also_goes_to_the_webhook_once_and_signed(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> None:
    """On SQLite and PostgreSQL."""
    async with webhook_receiver() as hook:
        settings = publishing_settings(telegram_api, llm_server, tmp_path,
                                       database_url=database_url, **hook.settings())  # fmt: skip
        bot = await start_harness(telegram_api, llm_server, settings)
        try:
            photo = telegram_api.register_file(b"\x89PNG", kind="photos", suffix=".png")
            post_id = await add_post(_sessions(bot), at=soon(0), caption="Cosy",
                                     image_file_id=photo)  # fmt: skip
            await wait_status(_sessions(bot), post_id, "published")
            await hook.wait_for(1)
            await asyncio.sleep(1.5)  # three more sweeps: nothing goes out twice
            assert _signed_ids(hook) == [f"msg_post-{post_id}-published"]
            [message] = telegram_api.messages_in(CHANNEL)
            [event] = hook.events()
            data = event["data"]
            assert event["type"] == "post.published" and data["post_id"] == post_id
            assert (data["text"], data["channel"]) == ("Cosy\n\n#autumn", "@brand")
            assert data["message_ids"] == [message["message_id"]]
            assert data["links"] == [f"https://t.me/brand/{message['message_id']}"]
            assert data["image"]["telegram_file_id"] == photo and data["published_at"]
            health = await _health(bot)
            assert health["scheduler"]["webhook_mirrors"] == {"pending": 0, "failed": 0}
        finally:
            await bot.bot.stop()


async def test_a_failing_webhook_is_retried_then_alerts_and_the_channel_post_stays(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> None:
    """On SQLite and PostgreSQL."""
    async with webhook_receiver() as hook:
        hook.answers = [503, 503, 503]
        settings = publishing_settings(telegram_api, llm_server, tmp_path, publish_retries=2,
                                       database_url=database_url, **hook.settings())  # fmt: skip
        bot = await start_harness(telegram_api, llm_server, settings)
        try:
            post_id = await add_post(_sessions(bot), at=soon(0), caption="Stays")
            alert = await bot.said("the webhook did not take it")
            assert "503 Service Unavailable. (tried 3 times)" in alert.params["text"]
            assert _signed_ids(hook) == [f"msg_post-{post_id}-published"] * 3
            assert await status_of(_sessions(bot), post_id) == "published"
            assert await _channel_texts(bot) == ["Stays\n\n#autumn"]
            bot.tap(bot.message_id_of(alert), _button(alert, "🔁 Retry the webhook"))
            assert await _answer(bot) == "Sending it to the webhook again 🔁"
            await hook.wait_for(4)
            assert _signed_ids(hook) == [f"msg_post-{post_id}-published"] * 4
            async with _sessions(bot)() as session:
                row = await session.get(WebhookMirror, post_id, populate_existing=True)
            assert row is not None and row.status in ("pending", "sent")
            assert len(telegram_api.messages_in(CHANNEL)) == 1
        finally:
            await bot.bot.stop()
