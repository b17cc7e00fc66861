"""The review crew on cards, as an admin sees it: the whole bot over the Bot API double,
the models through the real litellm path (FakeLLMServer plus crew roles)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.crew import ItemKind, StepName
from storage.models import Post, Suggestion
from storage.repos import posts as post_repo
from tests.crew_cards.crew_server import CrewAwareLLMServer
from tests.crew_cards.support import answered, compliance_fails
from tests.doubles.fake_llm import suggestion_answer
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, Harness

REWRITE = "Warm light for long evenings: our beeswax candles, poured in Berlin."
LOW = {
    StepName.BRAND: {"brand_alignment": 30, "feedback": ["Too flat for our voice."]},
    StepName.OPTIMIZER: {"overall_quality": 10, "rewrite": REWRITE, "changes": ["Warmer."]},
}
FAIL = compliance_fails("Claims a cure: not allowed.")


async def test_suggest_ticks_then_scores_and_the_rewrite_changes_the_card(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    crew_llm.crew_answers.update(LOW)
    harness.llm.reply(suggestion_answer(caption="Candles. Buy them."))
    harness.send("/suggest")
    first = await harness.said("Suggestion #1")
    card_id = harness.message_id_of(first)
    ticking = await harness.said("✅ Brand")
    assert harness.message_id_of(ticking) == card_id
    assert "⏳ Compliance" in ticking.params["text"]  # the slowest step is still running
    scored = await harness.said("Overall", within=30)
    text = scored.params["text"]
    assert "Brand 30" in text and "Too flat for our voice." in text and "$0." in text
    assert "🔴" not in text  # compliant
    on_card = buttons(scored)
    assert {"✅ Approve", "✏️ Edit", "🔄 Regenerate", "🗑 Reject"} < set(on_card)

    harness.tap(card_id, on_card["✨ Apply optimizer rewrite"])
    await answered(harness, "Rewrite applied")
    changed = await harness.said(REWRITE)
    assert harness.message_id_of(changed) == card_id
    assert "Candles. Buy them." not in changed.params["text"]
    stored = await _one(harness, Suggestion)
    assert (stored.payload["caption"], stored.revision) == (REWRITE, 2)
    await harness.said("Overall", within=30)  # the new words were reviewed again
    harness.tap(card_id, on_card["✨ Apply optimizer rewrite"], stale=True)  # the old card's
    await answered(harness, "changed meanwhile")


async def test_a_compliance_failure_makes_approve_ask_first(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    crew_llm.crew_answers.update(FAIL)
    harness.llm.reply(suggestion_answer(caption="These candles cure insomnia."))
    harness.send("/suggest")
    card_id = harness.message_id_of(await harness.said("Suggestion #1"))
    scored = await harness.said("Overall", within=30)
    assert "🔴" in scored.params["text"] and "Compliance failed" in scored.params["text"]

    harness.tap(card_id, buttons(scored)["✅ Approve"])
    alert = await answered(harness, "compliance problem in suggestion #1")
    assert alert.params["show_alert"] is True
    asked = await harness.said("Approve anyway?")
    assert set(buttons(asked)) == {"✅ Approve anyway — I checked it", "↩️ Not yet"}
    assert (await _one(harness, Suggestion)).status == "pending"  # nothing approved yet

    harness.tap(card_id, buttons(asked)["✅ Approve anyway — I checked it"])
    await harness.said("Saved as draft post #1")
    assert (await _one(harness, Suggestion)).status == "approved"
    review = await harness.bot.services.crew.latest(ItemKind.SUGGESTION, 1)
    assert review is not None and review.compliance_confirmed_by == ADMIN


async def test_a_campaign_post_in_approve_is_reviewed_when_shown_and_gated(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    crew_llm.crew_answers.update(FAIL)
    async with harness.bot.services.sessions.begin() as session:
        await post_repo.create_draft(
            session, title="Sleep well", caption="Our lavender candle cures insomnia.",
            hashtags=["#sleep"], scheduled_at=None, image_prompt=None, suggestion_id=None,
            actor="api", created_by=None, format="text",
        )  # fmt: skip
    harness.send("/approve")
    card = await harness.said("Post #1")
    ticking = await harness.said("🧪 Review crew:")
    assert harness.message_id_of(ticking) == harness.message_id_of(card)
    scored = await harness.said("Overall", within=30)
    harness.tap(harness.message_id_of(card), buttons(scored)["✅ Approve"])
    asked = await harness.said("Approve anyway?")
    harness.tap(harness.message_id_of(card), buttons(asked)["↩️ Not yet"])
    back = await harness.said("Overall")
    assert "✅ Approve anyway — I checked it" not in buttons(back)
    assert not (await _one(harness, Post)).approved_at

    harness.tap(harness.message_id_of(card), buttons(back)["✅ Approve"])
    again = await harness.said("Approve anyway?")
    harness.tap(harness.message_id_of(card), buttons(again)["✅ Approve anyway — I checked it"])
    approved = await harness.said("✅ approved")
    assert "Compliance problems checked and accepted by a person" in approved.params["text"]
    assert (await _one(harness, Post)).approved_by == ADMIN


async def _one(harness: Harness, model: type[Any]) -> Any:
    async with harness.bot.services.sessions() as session:
        return (await session.execute(select(model))).scalar_one()


async def test_the_rewrite_on_a_post_card_goes_through_its_edit_path(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    crew_llm.crew_answers.update(LOW)
    async with harness.bot.services.sessions.begin() as session:
        await post_repo.create_draft(
            session, title="Evenings", caption="Candles. Buy them.", hashtags=["#candles"],
            scheduled_at=None, image_prompt=None, suggestion_id=None, actor="api",
            created_by=None, format="text",
        )  # fmt: skip
    harness.send("/approve")
    card_id = harness.message_id_of(await harness.said("Post #1"))
    scored = await harness.said("Overall", within=30)
    assert "bar of 70" in scored.params["text"]
    harness.tap(card_id, buttons(scored)["✨ Apply optimizer rewrite"])
    applied = await harness.said("optimizer's rewrite is the caption now")
    assert harness.message_id_of(applied) == card_id and REWRITE in applied.params["text"]
    post = await _one(harness, Post)
    assert (post.caption, post.hashtags) == (REWRITE, ["#candles"])
    await harness.said("Overall", within=30)  # the new caption's own review
    reviews = await harness.bot.services.crew.latest(ItemKind.POST, post.id)
    assert reviews is not None and reviews.report is not None
    assert reviews.id > 1  # a second review, of the new words
    harness.tap(card_id, buttons(scored)["✅ Approve"], stale=True)  # the old words' button
    await answered(harness, "changed since this card was shown")
