"""/approve with campaign posts: one card per post, decisions, regeneration, and "approve all"
once all seen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import CardInFlight, LLMCall, Post
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import (
    bot_on,
    buttons,
    make_campaign,
    make_persona,
    message_buttons,
)
from tests.e2e.harness import ADMIN, OTHER_ADMIN, STRANGER, Harness

APPROVE_ALL = "✅ Approve all {n} posts of campaign Autumn glow"


@pytest.fixture
async def db_harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    """`harness` on SQLite and on PostgreSQL (see tests/conftest.py's database_url)."""
    async with bot_on(telegram_api, llm_server, tmp_path, database_url) as harness:
        yield harness


async def _cards(harness: Harness, titles: range) -> dict[int, RecordedCall]:
    return {n: await harness.said(f"Candle story {n}") for n in titles}


async def _answer(harness: Harness, text: str) -> RecordedCall:
    return await harness.api.wait_for(
        "answerCallbackQuery", lambda c: text in str(c.params.get("text"))
    )


def _text_now(harness: Harness, message_id: int) -> str:
    shown = {m["message_id"]: m for m in harness.api.messages_in(ADMIN)}
    return str(shown[message_id]["text"])


async def _posts(harness: Harness) -> list[Post]:
    async with harness.bot.services.sessions() as session:
        return list((await session.execute(select(Post).order_by(Post.id))).scalars())


async def test_approve_edit_reject_then_approve_all_once_everything_was_seen(
    db_harness: Harness,
) -> None:
    harness = db_harness
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=7)
    harness.send("/approve")
    await harness.said("7 posts waiting for approval</b> (oldest first)")
    cards = await _cards(harness, range(1, 6))
    card = cards[1].params["text"]
    assert "Campaign #1 · Autumn glow" in card and "⏳ waiting for approval · draft" in card
    assert "#acme #candles" in card and "Image prompt" in card and "Format:</b> 🖼 image" in card
    assert set(buttons(cards[1])) == {
        "✅ Approve", "✏️ Edit", "🔄 Regenerate", "🗑 Reject", "🖼 Generate images"
    }  # fmt: skip
    footer = await harness.said("Campaign #1 · Autumn glow: 7 waiting")
    assert set(buttons(footer)) == {APPROVE_ALL.format(n=7), "Next ▶"}
    assert [p.seen_at is not None for p in await _posts(harness)] == [True] * 5 + [False] * 2

    first = harness.message_id_of(cards[1])
    harness.tap(first, buttons(cards[1])["✅ Approve"])
    await _answer(harness, "Approved ✅")
    harness.tap(first, buttons(cards[1])["✅ Approve"], stale=True)  # a double tap
    again = await _answer(harness, "already approved")
    assert again.params["show_alert"] is True

    second = harness.message_id_of(cards[2])
    harness.tap(second, buttons(cards[2])["✏️ Edit"])
    await harness.said("Send the new caption for post #2")
    harness.send("A brand new caption")
    await harness.said("Caption of post #2 updated")
    harness.tap(second, buttons(cards[2])["✅ Approve"], stale=True)  # the card before the edit
    await _answer(harness, "changed since this card was shown")
    assert "A brand new caption" in _text_now(harness, second)
    assert message_buttons(harness, second)["✅ Approve"] != buttons(cards[2])["✅ Approve"]

    third = harness.message_id_of(cards[3])
    harness.tap(third, buttons(cards[3])["🗑 Reject"])
    await _answer(harness, "Rejected")
    rejected = await harness.said("<i>🗑 rejected</i>")
    assert harness.message_id_of(rejected) == third and "reply_markup" not in rejected.params

    footer_id = harness.message_id_of(footer)
    harness.tap(footer_id, buttons(footer)[APPROVE_ALL.format(n=7)])
    refused = await _answer(harness, "2 of the 5 waiting posts haven't been shown yet")
    assert refused.params["show_alert"] is True
    assert sum(p.approved_at is not None for p in await _posts(harness)) == 1

    harness.tap(footer_id, buttons(footer)["Next ▶"])
    await harness.said("5 posts waiting for approval</b> (the next 2)")
    await _cards(harness, range(6, 8))
    harness.tap(footer_id, buttons(footer)[APPROVE_ALL.format(n=7)])
    await _answer(harness, "Approved 5 posts ✅")
    await harness.said("Approved 5 posts of campaign #1 Autumn glow")
    harness.tap(footer_id, buttons(footer)[APPROVE_ALL.format(n=7)])
    await _answer(harness, "is already decided")

    posts = await _posts(harness)
    assert [p.approved_at is not None for p in posts] == [True, True, False, True, True, True, True]
    assert [p.status for p in posts] == ["draft", "draft", "rejected"] + ["draft"] * 4
    assert posts[1].caption == "A brand new caption"
    assert {p.approved_by for p in posts if p.approved_at} == {ADMIN}


async def _make_ready(harness: Harness) -> None:
    """As if each post's image was picked: ready, waiting only for approval and a time."""
    async with harness.bot.services.sessions.begin() as session:
        for post in (await session.execute(select(Post))).scalars():
            post.status = "ready"


async def test_approving_ready_posts_asks_for_their_time(db_harness: Harness) -> None:
    harness = db_harness
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=5)
    await _make_ready(harness)
    harness.send("/approve")
    cards = await _cards(harness, range(1, 6))
    footer = await harness.said("Campaign #1 · Autumn glow: 5 waiting")

    harness.tap(harness.message_id_of(cards[1]), buttons(cards[1])["✅ Approve"])
    await _answer(harness, "Approved ✅")
    offer = await harness.said("When should it go out?")
    assert "Post #1" in offer.params["text"]
    keep = next(data for text, data in buttons(offer).items() if text.startswith("✅ "))
    harness.tap(harness.message_id_of(offer), keep)
    await _answer(harness, "Scheduled ✅")
    assert (await _posts(harness))[0].status == "scheduled"

    harness.tap(harness.message_id_of(footer), buttons(footer)[APPROVE_ALL.format(n=5)])
    await _answer(harness, "Approved 4 posts ✅")
    await harness.said("Approved 4 posts of campaign #1 Autumn glow")
    offers = [await harness.said("When should it go out?") for _ in range(3)]
    assert [o.params["text"].split(":")[0] for o in offers] == [
        "<b>Post #2", "<b>Post #3", "<b>Post #4"
    ]  # fmt: skip
    await harness.said("1 more ready post: set its time in /schedule.")
    assert sum("When should it go out?" in str(c.params) for c in harness.api.calls) == 4


async def test_two_admins_at_once_give_one_approval(db_harness: Harness) -> None:
    harness = db_harness
    team = -100777
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=2)
    harness.api.push_update(
        harness.api.make_message_update(team, ADMIN, "/approve", chat_type="supergroup")
    )
    card = await harness.said("Candle story 1")
    approve = buttons(card)["✅ Approve"]
    harness.tap(harness.message_id_of(card), approve, user_id=ADMIN, chat_id=team)
    harness.tap(harness.message_id_of(card), approve, user_id=OTHER_ADMIN, chat_id=team)
    await _answer(harness, "Approved ✅")
    await _answer(harness, "already approved")
    posts = await _posts(harness)
    assert posts[0].approved_by == ADMIN and posts[1].approved_at is None


async def test_a_stranger_can_not_approve(harness: Harness) -> None:
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=1)
    harness.send("/approve")
    card = await harness.said("Candle story 1")
    harness.tap(
        harness.message_id_of(card), buttons(card)["✅ Approve"], user_id=STRANGER, chat_id=ADMIN
    )
    await _answer(harness, "private bot")
    harness.send("/approve", user_id=STRANGER)
    await harness.said("private bot")
    assert (await _posts(harness))[0].approved_at is None


async def test_suggestions_and_posts_show_together(harness: Harness) -> None:
    harness.send("/approve")
    await harness.said("Nothing is waiting for review")
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=1)
    harness.send("/approve")
    await harness.said("1 post waiting for approval")
    sent = [str(c.params["text"]) for c in harness.api.calls_to("sendMessage")]
    assert sum("Nothing is waiting" in text for text in sent) == 1


async def test_generate_images_on_a_card_says_clearly_when_images_are_off(
    harness: Harness,
) -> None:
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=2)
    harness.send("/approve")
    cards = await _cards(harness, range(1, 3))
    harness.tap(harness.message_id_of(cards[1]), buttons(cards[1])["🖼 Generate images"])
    await harness.said("Image generation is off")
    async with harness.bot.services.sessions() as session:
        statuses = {p.status for p in (await session.execute(select(Post))).scalars()}
    assert statuses == {"draft"}


NEW_CAPTION = "Long evenings, <warm> light & beeswax."
NEW_TEXT = {"caption": NEW_CAPTION, "hashtags": ["acme", "#glow"]}


async def test_regenerate_rewrites_the_card_and_a_stale_tap_is_refused(
    db_harness: Harness,
) -> None:
    harness = db_harness
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=1)
    harness.send("/approve")
    card = await harness.said("Candle story 1")
    card_id = harness.message_id_of(card)
    harness.llm.reply(NEW_TEXT, delay_s=0.3)  # slow enough to see the progress

    harness.tap(card_id, buttons(card)["🔄 Regenerate"])
    harness.tap(card_id, buttons(card)["🔄 Regenerate"], stale=True)  # a double tap
    await _answer(harness, "Writing a new caption")
    await _answer(harness, "Already writing a new caption for this post")
    writing = await harness.said("Writing a new caption and hashtags")
    assert harness.message_id_of(writing) == card_id and "reply_markup" not in writing.params
    done = await harness.said("New caption and hashtags from the model")
    assert harness.message_id_of(done) == card_id
    assert "Long evenings, &lt;warm&gt; light &amp; beeswax." in done.params["text"]
    assert "#acme #glow" in done.params["text"] and "Caption number 1" not in done.params["text"]
    assert set(buttons(done)) >= {"✅ Approve", "✏️ Edit", "🔄 Regenerate", "🗑 Reject"}
    assert buttons(done)["✅ Approve"] != buttons(card)["✅ Approve"]
    assert harness.api.calls_to("sendChatAction")
    prompt = " ".join(m["content"] for m in harness.llm.requests[0]["messages"])
    assert "Caption number 1: warm evenings ahead." in prompt and "Acme Candles" in prompt
    (post,) = await _posts(harness)
    assert (post.caption, post.hashtags) == (NEW_CAPTION, ["#acme", "#glow"])
    async with harness.bot.services.sessions() as session:
        call = (await session.execute(select(LLMCall))).scalar_one()
        assert (await session.execute(select(CardInFlight))).first() is None  # released
    assert (call.template_name, call.outcome) == ("regenerate_post", "ok")

    harness.tap(card_id, buttons(card)["🔄 Regenerate"], stale=True)  # the card before
    refused = await _answer(harness, "changed since this card was shown")
    assert refused.params["show_alert"] is True
    harness.tap(card_id, buttons(card)["✅ Approve"], stale=True)
    await _answer(harness, "changed since this card was shown")
    assert len(harness.llm.requests) == 1
    (post,) = await _posts(harness)
    assert (post.caption, post.approved_at) == (NEW_CAPTION, None)


async def test_a_failed_regeneration_offers_retry_and_changes_nothing(harness: Harness) -> None:
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=1)
    harness.send("/approve")
    card = await harness.said("Candle story 1")
    card_id = harness.message_id_of(card)
    harness.tap(card_id, buttons(card)["✅ Approve"])
    await _answer(harness, "Approved ✅")
    approved = await harness.said("✅ approved")
    (before,) = await _posts(harness)
    harness.llm.fail(400)

    harness.tap(card_id, buttons(approved)["🔄 Regenerate"])
    failed = await harness.said("Couldn't write a new caption")
    assert harness.message_id_of(failed) == card_id
    assert "Nothing was changed" in failed.params["text"]
    assert "🔁 Retry" in buttons(failed) and "🔄 Regenerate" not in buttons(failed)
    (after,) = await _posts(harness)
    assert (after.caption, after.hashtags, after.approved_at) == (
        before.caption, before.hashtags, before.approved_at
    )  # fmt: skip

    harness.llm.reply(NEW_TEXT)
    # No wait: the claim is released before the card is redrawn with its buttons.
    harness.tap(card_id, buttons(failed)["🔁 Retry"])
    done = await harness.said("New caption and hashtags from the model")
    assert "Long evenings" in done.params["text"] and "🔄 Regenerate" in buttons(done)
    (post,) = await _posts(harness)
    assert (post.caption, post.approved_at) == (NEW_CAPTION, None)


REPEATED = "The model wrote the same text again — tap 🔄 to try once more or ✏️ Edit it yourself"


async def test_the_same_caption_again_is_said_and_the_next_tap_asks_the_model_again(
    cached: Harness,
) -> None:
    harness = cached
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=1)
    harness.send("/approve")
    card = await harness.said("Candle story 1")
    card_id = harness.message_id_of(card)
    (before,) = await _posts(harness)
    harness.llm.reply({"caption": before.caption, "hashtags": ["#acme", "#other"]})

    harness.tap(card_id, buttons(card)["🔄 Regenerate"])
    repeated = await harness.said(REPEATED)
    assert harness.message_id_of(repeated) == card_id
    assert buttons(repeated) == buttons(card)  # nothing stored: the card's buttons still hold
    (post,) = await _posts(harness)
    assert (post.caption, post.hashtags) == (before.caption, before.hashtags)

    # The same question again: the cache holds the repeat, but the model is asked anyway.
    harness.llm.reply(NEW_TEXT)
    # No wait: the claim is released before the card is redrawn with its buttons.
    harness.tap(card_id, buttons(repeated)["🔄 Regenerate"])
    done = await harness.said("New caption and hashtags from the model")
    assert "Long evenings, &lt;warm&gt; light &amp; beeswax." in done.params["text"]
    first, second = harness.llm.requests
    assert first["messages"] == second["messages"]
    assert isinstance(first["seed"], int) and first["seed"] != second["seed"]
    (post,) = await _posts(harness)
    assert post.caption == NEW_CAPTION
