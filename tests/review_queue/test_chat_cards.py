"""A decision in the Mini App shows on the chat's cards of the item, in every admin's chat:
who decided, where and when, the buttons gone; an edit redraws the card with the new words
and buttons that act on them. Cards are recorded (review_cards) wherever they are drawn."""

from __future__ import annotations

from core.review_queue import QueueAction
from domain.crew import ItemKind
from domain.emaildesk import EmailSource
from tests.doubles.telegram_api import RecordedCall
from tests.e2e.campaign_support import buttons, message_buttons
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness
from tests.email_replies.support import EMAIL, answer, triage
from tests.review_queue.support import (
    cards_recorded,
    queue,
    seed_emails,
    seed_posts,
    seed_suggestion,
    shown_text,
)

# MONDAY (10:00 UTC) in the bot's zone, Europe/Berlin.
AT = "11:00"


async def _card_in(harness: Harness, text: str, chat_id: int) -> RecordedCall:
    call = await harness.said(text)
    while int(call.params["chat_id"]) != chat_id:
        call = await harness.said(text)
    return call


async def _approve_in_both_chats(harness: Harness, text: str) -> tuple[int, int]:
    harness.send("/approve")
    mine = harness.message_id_of(await _card_in(harness, text, ADMIN))
    harness.send("/approve", user_id=OTHER_ADMIN)
    theirs = harness.message_id_of(await _card_in(harness, text, OTHER_ADMIN))
    return mine, theirs


async def test_approving_a_post_in_the_app_redraws_every_admins_card(harness: Harness) -> None:
    await seed_posts(harness, 1)
    mine, theirs = await _approve_in_both_chats(harness, "Candle story 1")
    await cards_recorded(harness, ItemKind.POST, 1, (ADMIN, mine), (OTHER_ADMIN, theirs))
    cards = await harness.bot.services.review_cards.of_item(ItemKind.POST, 1)
    assert {(c.chat_id, c.message_id) for c in cards} == {(ADMIN, mine), (OTHER_ADMIN, theirs)}

    decision = await queue(harness).decide(
        ItemKind.POST, 1, QueueAction.APPROVE, OTHER_ADMIN, user_name="Ann <B>"
    )

    assert decision.message == "Post #1 approved ✅"
    for chat_id, message_id in ((ADMIN, mine), (OTHER_ADMIN, theirs)):
        text = shown_text(harness, message_id, chat_id)
        assert f"✅ Approved in the dashboard by Ann <B> · {AT}" in text  # escaped, shown as is
        assert "✅ approved · draft" in text
        assert message_buttons(harness, message_id, chat_id) == {}


async def test_an_edit_in_the_app_redraws_the_card_with_buttons_for_the_new_words(
    harness: Harness,
) -> None:
    await seed_posts(harness, 1)
    harness.send("/approve")
    card = await _card_in(harness, "Candle story 1", ADMIN)
    card_id, old = harness.message_id_of(card), buttons(card)
    await cards_recorded(harness, ItemKind.POST, 1, (ADMIN, card_id))

    await queue(harness).decide(ItemKind.POST, 1, QueueAction.EDIT, ADMIN, text="Fresh words")

    text = shown_text(harness, card_id)
    assert "Fresh words" in text and f"✏️ Edited in the dashboard by admin {ADMIN}" in text
    new = message_buttons(harness, card_id)
    assert new["✅ Approve"] != old["✅ Approve"]  # they carry the new revision
    harness.tap(card_id, old["✅ Approve"], stale=True)
    await harness.api.wait_for("answerCallbackQuery", lambda c: "changed" in str(c.params))
    harness.tap(card_id, new["✅ Approve"])
    await harness.api.wait_for("answerCallbackQuery", lambda c: "Approved ✅" in str(c.params))


async def test_a_suggestion_rejected_in_the_app(harness: Harness) -> None:
    await seed_suggestion(harness)
    harness.send("/approve")
    card_id = harness.message_id_of(await _card_in(harness, "Cosy candle evening", ADMIN))
    await cards_recorded(harness, ItemKind.SUGGESTION, 1, (ADMIN, card_id))

    await queue(harness).decide(ItemKind.SUGGESTION, 1, QueueAction.REJECT, ADMIN, user_name="Ann")

    assert f"🗑 Rejected in the dashboard by Ann · {AT}" in shown_text(harness, card_id)
    assert message_buttons(harness, card_id) == {}


async def test_a_sequence_email_approved_in_the_app(harness: Harness) -> None:
    await seed_emails(harness, 1)
    mine, theirs = await _approve_in_both_chats(harness, "Daily tips · email #1")
    await cards_recorded(harness, ItemKind.SEQUENCE_EMAIL, 1, (ADMIN, mine), (OTHER_ADMIN, theirs))

    await queue(harness).decide(
        ItemKind.SEQUENCE_EMAIL, 1, QueueAction.APPROVE, ADMIN, user_name="Ann"
    )

    for chat_id, message_id in ((ADMIN, mine), (OTHER_ADMIN, theirs)):
        assert "✅ Approved in the dashboard by Ann" in shown_text(harness, message_id, chat_id)
        assert message_buttons(harness, message_id, chat_id) == {}


async def test_a_reply_draft_rejected_in_the_app_shows_on_both_admins_cards(
    harness: Harness,
) -> None:
    harness.llm.reply(triage())
    harness.llm.reply(answer())
    intake = harness.bot.services.email_intake
    await intake.receive_fields(EMAIL, source=EmailSource.API, source_ref=None)
    mine = harness.message_id_of(await _card_in(harness, "Reply #1", ADMIN))
    theirs = harness.message_id_of(await _card_in(harness, "Reply #1", OTHER_ADMIN))
    await cards_recorded(harness, ItemKind.REPLY, 1, (ADMIN, mine), (OTHER_ADMIN, theirs))
    (item,) = await queue(harness).items()
    assert (item.kind, item.id, item.status) == (ItemKind.REPLY, 1, "pending")

    await queue(harness).decide(
        ItemKind.REPLY, 1, QueueAction.REJECT, ADMIN, revision=item.revision, user_name="Ann"
    )

    for chat_id, message_id in ((ADMIN, mine), (OTHER_ADMIN, theirs)):
        assert "🗑 Rejected in the dashboard by Ann" in shown_text(harness, message_id, chat_id)
        assert "✅ Approve & send" not in str(message_buttons(harness, message_id, chat_id))


async def test_a_decision_on_one_admins_card_shows_on_the_others_copy(harness: Harness) -> None:
    await seed_posts(harness, 1)
    mine, theirs = await _approve_in_both_chats(harness, "Candle story 1")
    await cards_recorded(harness, ItemKind.POST, 1, (OTHER_ADMIN, theirs))

    harness.tap(mine, message_buttons(harness, mine)["🗑 Reject"])  # the double's "Test"
    await harness.api.wait_for("answerCallbackQuery", lambda c: "Rejected" in str(c.params))

    await harness.said(f"🗑 Rejected by Test · {AT}", on=theirs)
    assert message_buttons(harness, theirs, OTHER_ADMIN) == {}
    tapped = shown_text(harness, mine)
    assert "🗑 rejected" in tapped and "Rejected by" not in tapped  # its handler drew it
