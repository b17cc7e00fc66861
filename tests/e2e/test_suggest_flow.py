"""An admin's /suggest journey through the real Application, over HTTP, with real litellm."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import LLMCall, Post, Suggestion
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.telegram_api import RecordedCall
from tests.e2e.harness import ADMIN, OTHER_ADMIN, STRANGER, Harness

REPEATED = "The model wrote the same text again — tap 🔄 to try once more or ✏️ Edit it yourself"


async def test_start_help_and_registered_commands(harness: Harness) -> None:
    commands = harness.api.last("setMyCommands").params["commands"]
    names = {c["command"] for c in commands}
    assert {"start", "help", "suggest", "approve", "cancel"} <= names
    harness.send("/start")
    await harness.said("Campaign Copilot")
    harness.send("/help")
    help_call = await harness.said("/suggest")
    assert help_call.params["parse_mode"] == "HTML"


async def test_stranger_is_refused_politely_and_nothing_changes(harness: Harness) -> None:
    harness.send("/suggest", user_id=STRANGER)
    await harness.said("private bot")
    async with harness.bot.services.sessions() as session:
        assert (await session.execute(select(Suggestion))).first() is None
    assert harness.llm.requests == []


async def test_suggest_edit_approve(harness: Harness) -> None:
    harness.llm.reply(suggestion_answer(caption="Cosy <candles> & more"))
    harness.send("/suggest")
    await harness.said("writing a suggestion")
    card = await harness.said("Suggestion #1")
    assert "Cosy &lt;candles&gt; &amp; more" in card.params["text"]
    card_id = harness.message_id_of(card)
    markup = card.params["reply_markup"]
    buttons = {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}
    assert set(buttons) == {"✅ Approve", "✏️ Edit", "🔄 Regenerate", "🗑 Reject"}
    assert harness.api.calls_to("sendChatAction")

    harness.tap(card_id, buttons["✏️ Edit"])
    await harness.said("Send the new caption")
    harness.send("Fresh words for the weekend")
    await harness.said("Caption of suggestion #1 updated")
    edited = harness.api.messages_in(ADMIN)
    assert any("Fresh words for the weekend" in str(m.get("text")) for m in edited)

    new_buttons = _buttons_of(harness, card_id)
    harness.tap(card_id, buttons["✅ Approve"], stale=True)  # pressed on an older copy
    stale = await harness.api.wait_for("answerCallbackQuery", lambda c: "text" in c.params)
    assert "changed meanwhile" in stale.params["text"]
    harness.tap(card_id, new_buttons["✅ Approve"])
    await harness.said("Saved as draft post #1")

    async with harness.bot.services.sessions() as session:
        post = (await session.execute(select(Post))).scalar_one()
        assert post.caption == "Fresh words for the weekend"
        call = (await session.execute(select(LLMCall))).scalar_one()
        assert (call.template_name, call.outcome) == ("suggest_post", "ok")
        assert call.input_tokens > 0 and call.cost_microusd > 0


async def test_an_approved_suggestion_can_go_out_as_text(harness: Harness) -> None:
    harness.llm.reply(suggestion_answer(what="Our wool socks on a sofa"))
    harness.send("/suggest")
    card = await harness.said("Suggestion #1")
    card_id = harness.message_id_of(card)
    harness.tap(card_id, _buttons_of(harness, card_id)["✅ Approve"])
    await harness.said("Saved as draft post #1")
    next_steps = _buttons_of(harness, card_id)
    assert set(next_steps) == {"🖼 Generate images", "📝 Text only"}

    harness.tap(card_id, next_steps["📝 Text only"])
    offer = await harness.said("When should it go out?")
    assert "Post #1" in offer.params["text"]
    async with harness.bot.services.sessions() as session:
        post = (await session.execute(select(Post))).scalar_one()
    assert (post.status, post.format, post.approved_by) == ("ready", "text", ADMIN)
    assert post.image_prompt == "Our wool socks on a sofa"
    harness.tap(card_id, next_steps["📝 Text only"], stale=True)  # a double tap
    again = await harness.api.wait_for(
        "answerCallbackQuery", lambda c: "stays as it is" in str(c.params.get("text"))
    )
    assert again.params["show_alert"] is True


async def test_second_admin_is_told_it_was_already_done(harness: Harness) -> None:
    team = -100500  # both admins work in one group chat
    harness.llm.reply(suggestion_answer())
    harness.api.push_update(
        harness.api.make_message_update(team, ADMIN, "/suggest", chat_type="supergroup")
    )
    card = await harness.said("Suggestion #1")
    card_id = harness.message_id_of(card)
    approve = card.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    harness.tap(card_id, approve, user_id=ADMIN, chat_id=team)
    harness.tap(card_id, approve, user_id=OTHER_ADMIN, chat_id=team, stale=True)
    answer = await harness.api.wait_for(
        "answerCallbackQuery", lambda c: "already" in str(c.params.get("text"))
    )
    assert "already approved" in answer.params["text"]
    assert answer.params["show_alert"] is True
    async with harness.bot.services.sessions() as session:
        assert len((await session.execute(select(Post))).all()) == 1


async def test_llm_failure_shows_retry_and_stores_nothing(harness: Harness) -> None:
    harness.llm.fail(400, times=1)
    harness.send("/suggest")
    failure = await harness.said("couldn't write a suggestion")
    retry = failure.params["reply_markup"]["inline_keyboard"][0][0]
    assert retry["text"] == "🔁 Retry"
    async with harness.bot.services.sessions() as session:
        assert (await session.execute(select(Suggestion))).first() is None
    harness.llm.reply(suggestion_answer())
    harness.tap(harness.message_id_of(failure), retry["callback_data"])
    await harness.said("Suggestion #1")


async def test_approve_lists_pending_oldest_first(harness: Harness) -> None:
    for title in ("First idea", "Second idea"):
        harness.llm.reply(suggestion_answer(title=title))
        harness.send("/suggest")
        await harness.said(title)
    harness.send("/approve")
    await harness.said("2 waiting for review")
    first = await harness.said("First idea")
    second = await harness.said("Second idea")
    assert first.time <= second.time


def _buttons_of(harness: Harness, message_id: int) -> dict[str, str]:
    for message in harness.api.messages_in(ADMIN):
        if message.get("message_id") == message_id:
            rows = message["reply_markup"]["inline_keyboard"]
            return {b["text"]: b["callback_data"] for row in rows for b in row}
    raise AssertionError(f"no message {message_id}")


def _buttons(call: RecordedCall) -> dict[str, str]:
    rows = call.params["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def _answer(harness: Harness, text: str) -> RecordedCall:
    return await harness.api.wait_for(
        "answerCallbackQuery", lambda c: text in str(c.params.get("text"))
    )


async def _suggestion(harness: Harness) -> Suggestion:
    async with harness.bot.services.sessions() as session:
        return (await session.execute(select(Suggestion))).scalar_one()


async def test_regenerate_asks_the_model_again_and_the_card_changes(cached: Harness) -> None:
    harness = cached
    harness.llm.reply(suggestion_answer(title="Candle evening", caption="Light a candle tonight."))
    harness.send("/suggest")
    card = await harness.said("Suggestion #1")
    card_id = harness.message_id_of(card)
    harness.llm.reply(
        suggestion_answer(title="Wool socks", caption="Warm feet, warm heart."), delay_s=0.3
    )

    harness.tap(card_id, _buttons(card)["🔄 Regenerate"])
    harness.tap(card_id, _buttons(card)["🔄 Regenerate"], stale=True)  # a double tap
    await _answer(harness, "Writing a new version")
    await _answer(harness, "Already writing a new version of this suggestion")
    writing = await harness.said("Writing another suggestion")
    assert harness.message_id_of(writing) == card_id and "reply_markup" not in writing.params
    done = await harness.said("A new version from the model")
    assert harness.message_id_of(done) == card_id
    text = done.params["text"]
    assert "Wool socks" in text and "Warm feet, warm heart." in text
    assert "Candle evening" not in text and "Light a candle" not in text
    assert set(_buttons(done)) == {"✅ Approve", "✏️ Edit", "🔄 Regenerate", "🗑 Reject"}
    assert _buttons(done)["✅ Approve"] != _buttons(card)["✅ Approve"]  # the new revision

    assert len(harness.llm.requests) == 2  # the model was asked again, not the cache
    redo = harness.llm.requests[1]
    prompt = " ".join(m["content"] for m in redo["messages"])
    assert "Title: Candle evening" in prompt and "Caption: Light a candle tonight." in prompt
    assert isinstance(redo["seed"], int) and "seed" not in harness.llm.requests[0]
    stored = await _suggestion(harness)
    assert (stored.revision, stored.payload["caption"]) == (2, "Warm feet, warm heart.")
    async with harness.bot.services.sessions() as session:
        outcomes = (await session.execute(select(LLMCall.outcome))).scalars().all()
    assert outcomes == ["ok", "ok"]


async def test_the_same_text_again_is_said_and_the_next_tap_asks_again(cached: Harness) -> None:
    harness = cached
    harness.llm.reply(suggestion_answer(title="Candle evening", caption="Light a candle tonight."))
    harness.send("/suggest")
    card = await harness.said("Suggestion #1")
    card_id = harness.message_id_of(card)
    harness.llm.reply(suggestion_answer(title="Candles again", caption="Light a candle tonight."))

    harness.tap(card_id, _buttons(card)["🔄 Regenerate"])
    repeated = await harness.said(REPEATED)
    assert harness.message_id_of(repeated) == card_id
    assert "Candle evening" in repeated.params["text"]  # the card as it was, not "new"
    assert _buttons(repeated) == _buttons(card)  # nothing stored: the buttons still hold
    assert (await _suggestion(harness)).revision == 1

    # The same question once more: the cache holds the repeat, the model is asked anyway.
    harness.llm.reply(suggestion_answer(title="Wool socks", caption="Warm feet, warm heart."))
    # No wait: the claim is released before the card is redrawn with its buttons.
    harness.tap(card_id, _buttons(repeated)["🔄 Regenerate"])
    done = await harness.said("A new version from the model")
    assert "Warm feet, warm heart." in done.params["text"]
    first_redo, second_redo = harness.llm.requests[1:]
    assert first_redo["messages"] == second_redo["messages"]
    assert first_redo["seed"] != second_redo["seed"]
    assert (await _suggestion(harness)).revision == 2
