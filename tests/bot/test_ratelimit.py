"""Replies a user waits on are not paced at the broadcast rate; 429s are still honoured."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.ext import ExtBot

from bot.adapters.telegram_ratelimit import ReplyAwareRateLimiter
from tests.doubles.telegram_api import TelegramApiDouble

PRIVATE, GROUP = 1001, -100777


@pytest.fixture
async def limited_bot(telegram_api: TelegramApiDouble) -> AsyncIterator[Bot]:
    bot: ExtBot[int] = ExtBot(
        "123:TEST",
        base_url=telegram_api.base_url,
        rate_limiter=ReplyAwareRateLimiter(max_retries=2),
    )
    async with bot:
        yield bot


async def test_replies_in_a_private_chat_are_not_paced(limited_bot: Bot) -> None:
    started = time.perf_counter()
    for _ in range(90):
        await limited_bot.send_chat_action(PRIVATE, "typing")
    # Paced at 30/s these 90 calls would need 3 s.
    assert time.perf_counter() - started < 2


async def test_new_messages_are_still_paced(limited_bot: Bot) -> None:
    started = time.perf_counter()
    for n in range(45):
        await limited_bot.send_message(PRIVATE + n, "hello")
    assert time.perf_counter() - started >= 0.45  # 45 sends at 30/s


async def test_a_429_on_an_unpaced_reply_is_retried(
    limited_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    message = await limited_bot.send_message(PRIVATE, "v1")
    telegram_api.fail_next("editMessageText", error_code=429, retry_after=1)
    started = time.perf_counter()
    await limited_bot.edit_message_text("v2", chat_id=PRIVATE, message_id=message.message_id)
    assert time.perf_counter() - started >= 1
    assert [c.ok for c in telegram_api.calls_to("editMessageText")] == [False, True]
