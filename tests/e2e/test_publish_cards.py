"""A post's schedule cards follow its publishing: once it goes out (publish now, or the
sweep at its time), the card the person last saw says "✅ published", keeps no buttons
that no longer apply, and links to the channel post."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from core.memory.types import Match, Remembered
from domain.memory import MemoryEvent, MemoryKind
from handlers.common.context import BotContext
from handlers.schedule import command as schedule
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, Harness, eventually
from tests.e2e.schedule_support import (
    CHANNEL,
    add_post,
    publishing_settings,
    soon,
    start_harness,
    status_of,
    wait_status,
)

STALE = {"🕒 Reschedule", "⏸ Unschedule", "🚀 Publish now", "🕒 Other time"}


class RememberedEvents:
    """Semantic memory that only notes what it is told to remember."""

    enabled = True

    def __init__(self) -> None:
        self.events: list[tuple[MemoryKind, int, MemoryEvent]] = []

    async def remember(
        self, *, kind: MemoryKind, item_id: int, persona_id: int | None, text: str, label: str,
        event: MemoryEvent, at: datetime | None = None,
        engagement: dict[str, float] | None = None,
    ) -> None:  # fmt: skip
        self.events.append((kind, item_id, event))

    async def similar(
        self, text: str, *, persona_id: int | None, kinds: Sequence[MemoryKind] | None = None,
        k: int = 5, exclude: tuple[MemoryKind, int] | None = None, within_days: int | None = None,
    ) -> list[Match]:  # fmt: skip
        return []

    async def near_repeat(
        self, text: str, *, persona_id: int | None, exclude: tuple[MemoryKind, int] | None = None
    ) -> Match | None:
        return None

    async def best_accepted(
        self, *, persona_id: int | None, kinds: Sequence[MemoryKind], k: int = 3
    ) -> list[Remembered]:
        return []

    async def get(self, kind: MemoryKind, item_id: int) -> Remembered | None:
        return None


@pytest.fixture
def bot(publishing_harness: Harness) -> Harness:
    return publishing_harness


def _buttons(call: Any) -> dict[str, dict[str, str]]:
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b for row in rows for b in row}


def _button(call: Any, starts: str) -> str:
    return next(b["callback_data"] for t, b in _buttons(call).items() if t.startswith(starts))


def _last_edit(bot: Harness, message_id: int) -> Any:
    edits = [
        c for c in bot.api.calls
        if c.method == "editMessageText" and c.ok and int(c.params["message_id"]) == message_id
    ]  # fmt: skip
    return edits[-1] if edits else None


async def _published_card(bot: Harness, message_id: int) -> Any:
    def shows_published() -> bool:
        last = _last_edit(bot, message_id)
        return last is not None and "✅ published" in str(last.params["text"])

    await eventually(shows_published, what=f"card {message_id} redrawn as published")
    return _last_edit(bot, message_id)


def _channel_link(bot: Harness) -> str:
    sent = [
        c for c in bot.api.calls if c.method == "sendMessage" and c.params["chat_id"] == CHANNEL
    ]
    return f"https://t.me/{CHANNEL[1:]}/{sent[0].result['message_id']}"


async def _published_now(bot: Harness) -> Any:
    """A ready post offered a time, then 🚀 Publish now, ✅ Yes: the offer card, once the
    post is published."""
    sessions = bot.bot.services.sessions
    post_id = await add_post(sessions, at=soon(7200), status="ready")
    await schedule.offer_time(BotContext(bot.bot.application), ADMIN, post_id)
    offer = await bot.said("When should it go out?")
    card_id = bot.message_id_of(offer)
    bot.tap(card_id, _button(offer, "🚀 Publish now"))
    confirm = await bot.said("now?")
    bot.tap(card_id, _button(confirm, "✅ Yes, publish now"))
    await wait_status(sessions, post_id, "published")
    return offer


async def test_publish_now_redraws_the_card_as_published_without_stale_buttons(
    bot: Harness,
) -> None:
    offer = await _published_now(bot)
    card_id = bot.message_id_of(offer)

    card = await _published_card(bot, card_id)
    assert "<b>Published:</b>" in card.params["text"]
    buttons = _buttons(card)
    assert not STALE & set(buttons)
    assert buttons["🔗 View in channel"]["url"] == _channel_link(bot)


async def test_a_post_the_sweep_publishes_at_its_time_redraws_its_card(bot: Harness) -> None:
    sessions = bot.bot.services.sessions
    post_id = await add_post(sessions, at=soon(3))
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    bot.tap(bot.message_id_of(overview), _button(overview, "🗓 #"))
    shown = await bot.said(f"Post #{post_id}:")
    assert "🗓 scheduled" in shown.params["text"] and "⏸ Unschedule" in _buttons(shown)
    await wait_status(sessions, post_id, "published")

    card = await _published_card(bot, bot.message_id_of(shown))
    assert not STALE & set(_buttons(card))
    assert set(_buttons(card)) == {"🔗 View in channel"}


async def test_a_card_that_cannot_be_edited_is_logged_and_the_post_goes_out_once(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    memory = RememberedEvents()
    bot.bot.services.recorder.link.connect(memory)
    sessions = bot.bot.services.sessions
    post_id = await add_post(sessions, at=soon(3))
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    bot.tap(bot.message_id_of(overview), _button(overview, "🗓 #"))
    await bot.said(f"Post #{post_id}:")
    bot.api.fail_next(
        "editMessageText", error_code=400, description="Bad Request: message can't be edited"
    )
    with caplog.at_level(logging.INFO, logger="bot.published_cards"):
        await wait_status(sessions, post_id, "published")
        await eventually(lambda: "not redrawn" in caplog.text, what="the refused edit logged")
    assert "message can't be edited" in caplog.text.lower()
    refused = [c for c in bot.api.calls if c.method == "editMessageText" and not c.ok]
    assert len(refused) == 1
    channel = [
        c for c in bot.api.calls if c.method == "sendMessage" and c.params["chat_id"] == CHANNEL
    ]
    assert len(channel) == 1
    assert await status_of(sessions, post_id) == "published"
    assert memory.events == [(MemoryKind.POST, post_id, MemoryEvent.PUBLISHED)]


async def test_a_person_confirming_an_unknown_send_redraws_the_posts_other_cards(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = publishing_settings(telegram_api, llm_server, tmp_path, publish_send_timeout_s=1.0)
    bot = await start_harness(telegram_api, llm_server, settings)
    try:
        sessions = bot.bot.services.sessions
        telegram_api.delay("sendMessage", 3.0)  # Telegram posts it, but answers too late
        post_id = await add_post(sessions, at=soon(3))
        bot.send("/schedule")
        overview = await bot.said("Publishing plan")
        bot.tap(bot.message_id_of(overview), _button(overview, "🗓 #"))
        shown = await bot.said(f"Post #{post_id}:")
        alert = await bot.said("did it go out?", within=20)
        telegram_api.delay("sendMessage", 0)
        bot.tap(bot.message_id_of(alert), _button(alert, "✅ It was published"))
        card = await _published_card(bot, bot.message_id_of(shown))
        assert not STALE & set(_buttons(card))
        assert await status_of(sessions, post_id) == "published"
        assert len(telegram_api.messages_in(CHANNEL)) == 1  # sent once, never resent
    finally:
        await bot.bot.stop()


async def test_a_stale_tap_on_a_published_card_keeps_its_channel_link(bot: Harness) -> None:
    offer = await _published_now(bot)
    card_id = bot.message_id_of(offer)
    published = await _published_card(bot, card_id)
    edits = len([c for c in bot.api.calls if c.method == "editMessageText"])

    bot.tap(card_id, _button(offer, "🚀 Publish now"), stale=True)  # a button the card had
    refused = await bot.api.wait_for(
        "answerCallbackQuery", lambda c: "published" in str(c.params.get("text"))
    )
    assert refused.params.get("show_alert") is True

    def redrawn() -> bool:
        return len([c for c in bot.api.calls if c.method == "editMessageText"]) > edits

    await eventually(redrawn, what="the card redrawn after the refusal")
    card = _last_edit(bot, card_id)
    assert "✅ published" in card.params["text"]
    assert _buttons(card) == _buttons(published)  # the link stays, nothing stale comes back
    assert _buttons(card)["🔗 View in channel"]["url"] == _channel_link(bot)
    assert len(bot.api.messages_in(CHANNEL)) == 1


async def test_a_published_post_opened_from_an_old_overview_links_to_the_channel(
    bot: Harness,
) -> None:
    sessions = bot.bot.services.sessions
    post_id = await add_post(sessions, at=soon(3))
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    await wait_status(sessions, post_id, "published")

    bot.tap(bot.message_id_of(overview), _button(overview, "🗓 #"))  # listed before it went out
    shown = await bot.said(f"Post #{post_id}:")
    assert "✅ published" in shown.params["text"]
    assert set(_buttons(shown)) == {"🔗 View in channel"}
    assert _buttons(shown)["🔗 View in channel"]["url"] == _channel_link(bot)
