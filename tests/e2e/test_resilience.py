"""Never blocked, nothing lost: slow models, flood limits, restarts, in-order chats."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import select

from bot.runner import start
from storage.models import ConversationState, Suggestion
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, make_settings


async def test_slow_model_never_holds_up_commands(harness: Harness) -> None:
    harness.llm.hang(30)
    harness.send("/suggest", user_id=ADMIN)
    await harness.said("writing a suggestion")
    await asyncio.wait_for(harness.llm.request_seen.wait(), 5)
    started = time.perf_counter()
    harness.send("/start", user_id=ADMIN)  # the chat that waits on the model
    harness.send("/start", user_id=OTHER_ADMIN)
    await harness.said("Campaign Copilot", within=2)
    await harness.said("Campaign Copilot", within=2)
    assert time.perf_counter() - started < 2


async def test_updates_in_one_chat_keep_their_order(harness: Harness) -> None:
    # Each reply is slowed down, so concurrent handling would shuffle them.
    harness.api.delay("sendMessage", 0.05)
    commands = ["/help", "/start", "/cancel"] * 3
    for command in commands:
        harness.send(command)
    expected = {"/help": "What I can do", "/start": "Campaign Copilot", "/cancel": "Nothing to"}
    for command in commands:
        await harness.said(expected[command])
    sent = [str(c.params["text"]) for c in harness.api.calls_to("sendMessage")]
    order = [next(k for k, v in expected.items() if v in text) for text in sent]
    assert order == commands


async def test_flood_limit_retry_after_is_honoured(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", error_code=429, retry_after=1)
    started = time.perf_counter()
    harness.send("/start")
    await harness.said("Campaign Copilot", within=5)
    assert time.perf_counter() - started >= 1
    attempts = [c for c in harness.api.calls_to("sendMessage")]
    assert [c.ok for c in attempts] == [False, True]


async def test_restart_in_the_middle_of_an_edit_resumes_it(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = make_settings(telegram_api, llm_server, tmp_path)
    first = await start(settings)
    harness = Harness(telegram_api, llm_server, first)
    llm_server.reply(suggestion_answer())
    harness.send("/suggest")
    card = await harness.said("Suggestion #1")
    buttons = card.params["reply_markup"]["inline_keyboard"]
    edit = next(b["callback_data"] for row in buttons for b in row if "Edit" in b["text"])
    harness.tap(harness.message_id_of(card), edit)
    await harness.said("Send the new caption")
    await first.stop()

    second = await start(settings)  # a new process would see the same database
    try:
        harness.bot = second
        harness.send("Written after the restart")
        await harness.said("Caption of suggestion #1 updated")
        async with second.services.sessions() as session:
            row = (await session.execute(select(Suggestion))).scalar_one()
            assert row.payload["caption"] == "Written after the restart"
            assert (await session.execute(select(ConversationState))).first() is None
    finally:
        await second.stop()
