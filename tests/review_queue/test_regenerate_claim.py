"""An app regenerate takes the chat 🔄's claim (core.inflight.CardsInFlight): a chat 🔄 and
an app regenerate at the same time make exactly one model call, whichever starts first,
and the other is told; the claim is released afterwards (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import AlreadyDecided
from core.inflight import CardKind
from core.review_queue import QueueAction
from core.review_queue.desks import NO_MESSAGE
from domain.crew import ItemKind
from domain.emaildesk import EmailSource
from handlers.review.interrupted import restore_cards
from tests.doubles.fake_llm import suggestion_answer
from tests.e2e.campaign_support import message_buttons
from tests.e2e.harness import ADMIN, Harness, cards_released
from tests.e2e.sequence_support import email_answer
from tests.email_replies.support import EMAIL, answer, triage
from tests.review_queue.support import email, post, queue, seed_emails, seed_posts

NEW_TEXT = {"caption": "Long evenings, warm light.", "hashtags": ["acme", "#glow"]}
SLOW_S = 3.0  # long enough for the other side to try while the model writes, under load


async def _post_card(harness: Harness) -> tuple[int, str]:
    """Post #1 on an /approve card: its message id and its 🔄 button's data."""
    await seed_posts(harness, 1)
    harness.send("/approve")
    card_id = harness.message_id_of(await harness.said("Candle story 1"))
    return card_id, message_buttons(harness, card_id)["🔄 Regenerate"]


async def _no_claims(harness: Harness) -> None:
    await cards_released(harness)  # released by the writing task, not by the tap


async def test_a_chat_regenerate_in_flight_refuses_the_apps(harness: Harness) -> None:
    card_id, regenerate = await _post_card(harness)
    harness.llm.reply(NEW_TEXT, delay_s=SLOW_S)
    harness.tap(card_id, regenerate)
    await asyncio.wait_for(harness.llm.request_seen.wait(), 10)

    with pytest.raises(AlreadyDecided, match="being rewritten already"):
        await queue(harness).decide(ItemKind.POST, 1, QueueAction.REGENERATE, ADMIN)

    await harness.said("New caption and hashtags from the model", on=card_id)
    assert len(harness.llm.requests) == 1
    assert (await post(harness, 1)).caption == NEW_TEXT["caption"]
    await _no_claims(harness)


async def test_an_app_regenerate_in_flight_refuses_the_chats(harness: Harness) -> None:
    card_id, regenerate = await _post_card(harness)
    harness.llm.reply(NEW_TEXT, delay_s=SLOW_S)
    app = asyncio.create_task(
        queue(harness).decide(ItemKind.POST, 1, QueueAction.REGENERATE, ADMIN)
    )
    await asyncio.wait_for(harness.llm.request_seen.wait(), 10)

    harness.tap(card_id, regenerate)
    answer = await harness.api.wait_for("answerCallbackQuery")
    assert answer.params["text"] == "Already writing a new caption for this post…"

    decision = await app
    assert decision.message == "Post #1 regenerated 🔄"
    assert len(harness.llm.requests) == 1
    assert (await post(harness, 1)).caption == NEW_TEXT["caption"]
    await _no_claims(harness)
    # Released: the next regenerate (from the chat) runs.
    harness.llm.reply({"caption": "Short days, bright candles.", "hashtags": ["#acme"]})
    new_button = message_buttons(harness, card_id)["🔄 Regenerate"]
    harness.tap(card_id, new_button)
    await harness.said("Short days, bright candles.", on=card_id)
    assert len(harness.llm.requests) == 2


async def test_two_app_regenerates_of_a_suggestion_make_one_call(harness: Harness) -> None:
    harness.llm.reply(suggestion_answer(caption="First words."))
    harness.send("/suggest")
    await harness.said("Suggestion #1")
    harness.llm.request_seen.clear()
    harness.llm.reply(suggestion_answer(caption="Second words."), delay_s=SLOW_S)
    decide = queue(harness).decide
    first = asyncio.create_task(decide(ItemKind.SUGGESTION, 1, QueueAction.REGENERATE, ADMIN))
    await asyncio.wait_for(harness.llm.request_seen.wait(), 10)

    with pytest.raises(AlreadyDecided, match="being rewritten already"):
        await decide(ItemKind.SUGGESTION, 1, QueueAction.REGENERATE, ADMIN)

    assert (await first).message == "Suggestion #1 regenerated 🔄"
    assert len(harness.llm.requests) == 2  # /suggest's and one regenerate
    await _no_claims(harness)


async def test_an_app_claim_a_restart_left_is_released_without_touching_a_chat(
    harness: Harness,
) -> None:
    """A stop mid-call leaves the app's claim behind; the next start's card restore
    releases it (there is no chat card to put back) and the post can be rewritten again."""
    await seed_posts(harness, 1)
    cards = harness.bot.services.cards
    assert await cards.claim(CardKind.POST, 1, chat_id=ADMIN, message_id=NO_MESSAGE,
                             user_id=ADMIN) is not None  # fmt: skip
    edits = len([c for c in harness.api.calls if c.method.startswith("edit")])

    await restore_cards(harness.bot.application)

    await _no_claims(harness)
    assert len([c for c in harness.api.calls if c.method.startswith("edit")]) == edits
    harness.llm.reply(NEW_TEXT)
    decision = await queue(harness).decide(ItemKind.POST, 1, QueueAction.REGENERATE, ADMIN)
    assert decision.message == "Post #1 regenerated 🔄"


async def _email_card(harness: Harness) -> tuple[int, str]:
    """Sequence email #1 on an /approve card: its message id and its 🔄 button's data."""
    await seed_emails(harness, 1)
    harness.send("/approve")
    card_id = harness.message_id_of(await harness.said("Daily tips · email #1"))
    harness.llm.request_seen.clear()
    return card_id, message_buttons(harness, card_id)["🔄 Regenerate"]


@pytest.mark.parametrize("what_app_sends", ["nothing", "what it saw"])
async def test_a_chat_email_regenerate_in_flight_refuses_the_apps(
    harness: Harness, what_app_sends: str
) -> None:
    """The app sends the status and revision its card showed (the email is "writing" now,
    its revision moved on); either way it is told the email is being rewritten."""
    card_id, regenerate = await _email_card(harness)
    (seen,) = await queue(harness).items()
    calls = len(harness.llm.requests)
    harness.llm.reply(email_answer(7), delay_s=SLOW_S)
    harness.tap(card_id, regenerate)
    await asyncio.wait_for(harness.llm.request_seen.wait(), 10)

    sends = what_app_sends != "nothing"
    with pytest.raises(AlreadyDecided, match=r"being rewritten already.*nothing else was started"):
        await queue(harness).decide(
            ItemKind.SEQUENCE_EMAIL, 1, QueueAction.REGENERATE, ADMIN,
            revision=seen.revision if sends else None, status=seen.status if sends else None,
        )  # fmt: skip

    await harness.said("A new version from the model", on=card_id)
    assert len(harness.llm.requests) == calls + 1
    assert (await email(harness, 1)).subject == "Launch news 7"
    await _no_claims(harness)


async def test_an_app_email_regenerate_in_flight_refuses_the_chats(harness: Harness) -> None:
    card_id, regenerate = await _email_card(harness)
    calls = len(harness.llm.requests)
    harness.llm.reply(email_answer(7), delay_s=SLOW_S)
    app = asyncio.create_task(
        queue(harness).decide(ItemKind.SEQUENCE_EMAIL, 1, QueueAction.REGENERATE, ADMIN)
    )
    await asyncio.wait_for(harness.llm.request_seen.wait(), 10)

    harness.tap(card_id, regenerate)
    answer = await harness.api.wait_for("answerCallbackQuery")
    assert answer.params["text"] == "Already writing a new version of this email…"

    assert (await app).message == "Sequence email #1 regenerated 🔄"
    assert len(harness.llm.requests) == calls + 1
    assert (await email(harness, 1)).subject == "Launch news 7"
    await _no_claims(harness)
    # Released: the chat's next 🔄 (on the card as it is now) runs.
    harness.llm.reply(email_answer(8))
    harness.tap(card_id, message_buttons(harness, card_id)["🔄 Regenerate"])
    await harness.said("Launch news 8", on=card_id)
    assert len(harness.llm.requests) == calls + 2


async def test_a_chat_email_claim_a_restart_left_puts_the_card_back(harness: Harness) -> None:
    """A stop mid-call leaves the chat 🔄's claim; the next start redraws the email's card
    as stored, with its buttons, and releases the claim."""
    card_id, _ = await _email_card(harness)
    cards = harness.bot.services.cards
    assert await cards.claim(CardKind.SEQUENCE_EMAIL, 1, chat_id=ADMIN, message_id=card_id,
                             user_id=ADMIN) is not None  # fmt: skip

    await restore_cards(harness.bot.application)

    await _no_claims(harness)
    shown = await harness.said("Interrupted by a restart", on=card_id)
    assert "Launch news 1" in shown.params["text"]
    assert "🔄 Regenerate" in message_buttons(harness, card_id)


async def test_a_reply_shares_one_model_call_by_its_own_status(harness: Harness) -> None:
    """Reply drafts need no card claim: 🔄 moves the draft to "drafting" in the database
    (a conditional update, core.emaildesk), which refuses a second regenerate from the app,
    with or without what its card showed, as it refuses a second tap."""
    harness.llm.reply(triage())
    harness.llm.reply(answer())
    intake = harness.bot.services.email_intake
    await intake.receive_fields(EMAIL, source=EmailSource.API, source_ref=None)
    card_id = harness.message_id_of(await harness.said("Reply #1"))
    (seen,) = await queue(harness).items()
    harness.llm.request_seen.clear()
    calls = len(harness.llm.requests)
    harness.llm.reply(answer(draft="Dear Ana,\n\nA new candle is on its way to you today."),
                      delay_s=SLOW_S)  # fmt: skip
    harness.tap(card_id, message_buttons(harness, card_id)["🔄 Regenerate"])
    await asyncio.wait_for(harness.llm.request_seen.wait(), 10)

    decide = queue(harness).decide
    with pytest.raises(AlreadyDecided, match=r"being rewritten already.*nothing else was started"):
        await decide(ItemKind.REPLY, 1, QueueAction.REGENERATE, ADMIN,
                     revision=seen.revision, status=seen.status)  # fmt: skip
    with pytest.raises(AlreadyDecided, match="Reply #1 is being written again"):
        await decide(ItemKind.REPLY, 1, QueueAction.REGENERATE, ADMIN)

    await harness.said("A new candle is on its way", on=card_id)
    await harness.bot.services.reply_engine.idle()
    assert len(harness.llm.requests) == calls + 1
