"""run_bot.py is killed (-9) while the model writes for three cards; the next start puts each
card back as it is stored, with a note and its buttons, and the items are unchanged."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.suggestions.models import SuggestionDraft
from storage.models import CardInFlight, Post, Suggestion
from storage.repos import suggestions as suggestion_repo
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.harness import ADMIN
from tests.e2e.schedule_support import bot_env, prepare_schema, sessions_for, spawn_bot

Sessions = async_sessionmaker[AsyncSession]
CAPTION = "Warm evenings ahead."
NOTE = "Interrupted by a restart; tap 🔄 to try again."
SUGGEST_NOTE = "Writing a suggestion was interrupted by a restart; tap 🔁 Retry to try again."


def _llm_env(llm: FakeLLMServer) -> dict[str, str]:
    return {
        "LLM_MODEL": "openai/test-model",
        "LLM_API_BASE": llm.url,
        "LLM_API_KEY": "sk-test",
        "LLM_PRICE_INPUT_PER_MTOK": "1",
        "LLM_PRICE_OUTPUT_PER_MTOK": "2",
    }


async def _add_items(sessions: Sessions) -> None:
    """A post waiting for approval and a pending suggestion, made before the bot starts."""
    async with sessions.begin() as session:
        when = datetime.now(UTC) + timedelta(days=3)
        session.add(Post(title="Candle story", caption=CAPTION, hashtags=["#acme"],
                         scheduled_at=when, format="text"))  # fmt: skip
        payload = SuggestionDraft.model_validate(suggestion_answer()).to_payload()
        await suggestion_repo.insert(
            session, payload=payload, chat_id=ADMIN, user_id=ADMIN, llm_call_id=None
        )


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def _text_has(text: str) -> Any:
    return lambda call: text in str(call.params.get("text"))


async def _sent(api: TelegramApiDouble, text: str) -> int:
    call = await api.wait_for("sendMessage", _text_has(text), timeout=30)
    return int(call.result["message_id"])


def _tap(api: TelegramApiDouble, message_id: int, button: str) -> int:
    message = next(m for m in api.messages_in(ADMIN) if m["message_id"] == message_id)
    update = api.make_callback_update(ADMIN, ADMIN, message_id, _buttons(message)[button])
    return api.push_update(update)


async def _three_cards_writing(api: TelegramApiDouble, llm: FakeLLMServer) -> dict[str, int]:
    """/approve, 🔄 on the suggestion and the post, and /suggest: three model calls hang."""
    api.push_update(api.make_message_update(ADMIN, ADMIN, "/approve"))
    cards = {"suggestion": await _sent(api, "Suggestion #1"), "post": await _sent(api, "Post #1")}
    _tap(api, cards["suggestion"], "🔄 Regenerate")
    _tap(api, cards["post"], "🔄 Regenerate")
    last = api.push_update(api.make_message_update(ADMIN, ADMIN, "/suggest"))
    cards["suggest"] = await _sent(api, "writing a suggestion")
    await api.wait_for("editMessageText", _text_has("Writing another suggestion"), timeout=30)
    await api.wait_for("editMessageText", _text_has("Writing a new caption"), timeout=30)
    # Every update is confirmed to the Bot API, so the next start is not handed them again.
    await api.wait_for("getUpdates", lambda c: int(c.params.get("offset", 0)) > last, timeout=30)
    for _ in range(600):  # the /suggest call reaches the model too
        if len(llm.requests) == 3:
            return cards
        await asyncio.sleep(0.05)
    raise AssertionError(f"the model was asked {len(llm.requests)} times, not 3")


async def _restored(api: TelegramApiDouble, message_id: int, note: str = NOTE) -> RecordedCall:
    def restores(call: RecordedCall) -> bool:
        return call.params.get("message_id") == message_id and note in str(call.params["text"])

    return await api.wait_for("editMessageText", restores, timeout=30)


async def _all_released(sessions: Sessions, within: float = 10.0) -> None:
    """Each claim goes once its card is redrawn (the edit comes first)."""
    deadline = asyncio.get_running_loop().time() + within
    while left := await _left(sessions):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"claims left: {[(c.kind, c.item_id) for c in left]}")
        await asyncio.sleep(0.05)


async def _left(sessions: Sessions) -> list[CardInFlight]:
    async with sessions() as session:
        return list((await session.scalars(select(CardInFlight))).all())


async def _stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        process.kill()
        await process.wait()


async def test_cards_a_kill_left_on_writing_get_their_buttons_back_at_the_next_start(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> None:
    await prepare_schema(database_url)
    engine, sessions = sessions_for(database_url)
    env = bot_env(telegram_api, database_url, **_llm_env(llm_server))
    try:
        await _add_items(sessions)
        for _ in range(3):
            llm_server.hang(120)
        first = await spawn_bot(env, tmp_path)
        try:
            await telegram_api.wait_for("getUpdates", timeout=30)
            cards = await _three_cards_writing(telegram_api, llm_server)
        finally:
            first.kill()  # no goodbye: the cards stay on "Writing…"
            await first.wait()
        assert len(await _left(sessions)) == 3

        second = await spawn_bot(env, tmp_path)
        try:
            post = await _restored(telegram_api, cards["post"])
            assert "Candle story" in post.params["text"] and CAPTION in post.params["text"]
            assert {"✅ Approve", "✏️ Edit", "🔄 Regenerate", "🗑 Reject"} <= set(
                _buttons(post.params)
            )
            suggestion = await _restored(telegram_api, cards["suggestion"])
            assert "Weekend candle sale" in suggestion.params["text"]
            assert set(_buttons(suggestion.params)) == {
                "✅ Approve", "✏️ Edit", "🔄 Regenerate", "🗑 Reject"
            }  # fmt: skip
            status = await _restored(telegram_api, cards["suggest"], SUGGEST_NOTE)
            assert set(_buttons(status.params)) == {"🔁 Retry"}
            await _all_released(sessions)
            async with sessions() as session:
                stored_post = (await session.scalars(select(Post))).one()
                stored_suggestion = (await session.scalars(select(Suggestion))).one()
            assert (stored_post.caption, stored_post.hashtags) == (CAPTION, ["#acme"])
            assert (stored_suggestion.revision, stored_suggestion.status) == (1, "pending")

            # The restored card works: its 🔄 asks the model, no stale claim stands in the way.
            llm_server.reply({"caption": "Long evenings, beeswax light.", "hashtags": ["#acme"]})
            _tap(telegram_api, cards["post"], "🔄 Regenerate")
            done = await telegram_api.wait_for(
                "editMessageText", _text_has("New caption and hashtags from the model"), timeout=30
            )
            assert "Long evenings, beeswax light." in done.params["text"]
        finally:
            await _stop(second)
        assert second.returncode == 0, (tmp_path / "bot.log").read_text()[-3000:]
    finally:
        await engine.dispose()
