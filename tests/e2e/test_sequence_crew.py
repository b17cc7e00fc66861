"""The review crew on sequence email cards in /approve, end to end: the real writer and
the crew through the litellm path, the cards over the Bot API double, on a moved clock.

The writer's calls come from the scripted queue; each crew step is answered by its role
(tests.crew_cards.crew_server), so the card ticks steps off before its scores show.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.settings import Settings
from domain.crew import ItemKind, StepName
from storage.models import SequenceEmail
from tests.campaigns.helpers import MutableClock
from tests.crew_cards import crew_server
from tests.crew_cards.crew_server import CrewAwareLLMServer
from tests.crew_cards.support import answered
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, Harness, running
from tests.e2e.sequence_support import DAILY_TIPS, email_answer, monday_clock

# The progress line ("🧪 Review crew: ✅ Brand · ⏳ Compliance · …"); the finished block
# reads "🧪 Review crew · $0.0006" and then the scores.
PROGRESS = "🧪 Review crew:</b>"
REWRITE = "Trim the wick to 5 mm before every burn: your candle lasts longer and burns clean."
LOW = {
    StepName.BRAND: {"brand_alignment": 40, "feedback": ["Say why it matters."]},
    StepName.OPTIMIZER: {"overall_quality": 20, "rewrite": REWRITE, "changes": ["A reason."]},
}
FAIL = {
    StepName.COMPLIANCE: {
        "verdict": "fail", "compliance": 10, "issues": ["Claims the wax is non-toxic, unproven."],
    },
}  # fmt: skip


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, crew_llm: CrewAwareLLMServer, crew_settings: Settings
) -> AsyncIterator[Harness]:
    clock: MutableClock = monday_clock()
    async with running(telegram_api, crew_llm, crew_settings, clock=clock) as harness:
        yield harness


async def test_an_email_card_ticks_then_scores_and_the_rewrite_is_an_edit(
    harness: Harness, crew_llm: CrewAwareLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The email is reviewed as soon as it is written: a slow compliance officer keeps the
    # review running until /approve shows the card, however loaded the machine is.
    monkeypatch.setitem(crew_server.DELAYS, StepName.COMPLIANCE, 3.0)
    crew_llm.crew_answers.update(LOW)
    card_id = harness.message_id_of((await _written_and_shown(harness))[0])
    progress = await _on_card(harness, card_id, PROGRESS)  # steps ticking off
    assert "⏳" in _text(progress) and "Design" not in _text(progress)  # none for an email
    scored = await _on_card(harness, card_id, "Overall")
    assert "Brand 40" in _text(scored) and "Say why it matters." in _text(scored)
    assert "Launch news 1" in _text(scored)  # the subject the crew judged with the body
    keys = buttons(scored)
    assert {"✅ Approve", "✏️ Edit", "✨ Apply optimizer rewrite"} <= set(keys)

    before = (await _email(harness, 1)).revision
    harness.tap(card_id, keys["✨ Apply optimizer rewrite"])
    await answered(harness, "Rewrite applied")
    applied = await harness.said("The optimizer's rewrite is the text now")
    assert harness.message_id_of(applied) == card_id and REWRITE in _text(applied)
    row = await _email(harness, 1)
    assert (row.body_text, row.subject, row.status) == (REWRITE, "Launch news 1", "pending")
    assert row.revision == before + 1
    await _on_card(harness, card_id, "Overall")  # the new words were reviewed again

    harness.tap(card_id, keys["✅ Approve"], stale=True)  # the card of the old words
    refused = await answered(harness, "changed")
    assert refused.params["show_alert"] is True
    assert (await _email(harness, 1)).status == "pending"


async def test_a_compliance_failure_blocks_approve_and_the_week_until_confirmed(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    crew_llm.crew_answers.update(FAIL)
    cards = await _written_and_shown(harness)
    card_id = harness.message_id_of(cards[0])
    scored = await _scored(harness, cards[0])
    assert "🔴" in _text(scored) and "Claims the wax is non-toxic" in _text(scored)
    week = await harness.said("Approve what you have read")

    harness.tap(card_id, buttons(scored)["✅ Approve"])
    alert = await answered(harness, "compliance problem in sequence email #1")
    assert alert.params["show_alert"] is True
    asked = await harness.said("Approve anyway?")
    assert harness.message_id_of(asked) == card_id
    assert set(buttons(asked)) == {"✅ Approve anyway — I checked it", "↩️ Not yet"}
    assert (await _email(harness, 1)).status == "pending"

    for other in cards[1:]:  # the others' reviews are done too
        await _scored(harness, other)
    harness.tap(
        harness.message_id_of(week), buttons(week)["✅ Approve the rest of this week · Daily tips"]
    )
    left = await harness.said("🔴 Left for you: #1, #2, #3.")
    assert "compliance problem" in _text(left)
    assert [(await _email(harness, n)).status for n in (1, 2, 3)] == ["pending"] * 3

    harness.tap(card_id, buttons(asked)["✅ Approve anyway — I checked it"])
    await harness.said("Approved — it goes out at its time")
    assert (await _email(harness, 1)).status == "approved"
    review = await harness.bot.services.crew.latest(ItemKind.SEQUENCE_EMAIL, 1)
    assert review is not None and review.compliance_confirmed_by == ADMIN


async def _written_and_shown(harness: Harness) -> list[RecordedCall]:
    """The writer's sweep (Tue, Wed, Thu are within the 3 days ahead), then /approve."""
    await harness.bot.services.sequences.create(DAILY_TIPS, actor="api")
    for number in (1, 2, 3):
        harness.llm.reply(email_answer(number))
    assert await harness.bot.services.sequence_writer.write_due() == 3
    harness.send("/approve")
    # By number: a card's first tick may come before the next card, and would match too.
    return [await harness.said(f"📧 Daily tips · email #{number}</b>") for number in (1, 2, 3)]


async def _on_card(harness: Harness, card_id: int, text: str) -> RecordedCall:
    """The next send or edit of this card saying `text` (the others' stay to be found)."""
    return await harness.said(text, within=30, on=card_id)


async def _scored(harness: Harness, card: RecordedCall) -> RecordedCall:
    """The card with its scores: as first drawn, when its review (started as the email was
    written) finished before /approve drew it, else the later edit that shows them."""
    if "Overall" in _text(card):
        return card
    return await _on_card(harness, harness.message_id_of(card), "Overall")


async def _email(harness: Harness, number: int) -> SequenceEmail:
    async with harness.bot.services.sessions() as session:
        statement = select(SequenceEmail).where(SequenceEmail.number == number)
        return (await session.execute(statement)).scalar_one()


def _text(call: RecordedCall) -> str:
    return str(call.params["text"])
