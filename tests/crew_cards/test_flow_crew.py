"""The review crew on an SMS flow's card: scored like every other draft, each text judged
as a message of its own, and ✅ Approve held on a compliance failure until a person says
they checked it. The whole bot over the Bot API double, the models through litellm."""

from __future__ import annotations

from domain.crew import ItemKind, StepName
from domain.flow_status import FlowStatus
from storage.models import CrewReviewRow
from tests.crew_cards.crew_server import CrewAwareLLMServer
from tests.crew_cards.support import answered, compliance_fails
from tests.doubles.telegram_api import RecordedCall
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, Harness
from tests.flows_tg.sample import OFFER, THANKS, WELCOME, flow_answer

CARD = "SMS flow #1</b> · version 1"
FAIL = compliance_fails("Promises a discount with no end date.")


async def _scored_card(harness: Harness) -> tuple[int, RecordedCall]:
    harness.llm.reply(flow_answer())
    harness.send("/flow Win back lapsed VIP customers with a discount")
    card_id = harness.message_id_of(await harness.said(CARD, within=60))
    ticking = await harness.said("🧪 Review crew:", on=card_id)
    assert "✅ Approve" in buttons(ticking)  # the card stays usable while the crew works
    return card_id, await harness.said("Overall", on=card_id, within=30)


async def test_a_new_flow_is_reviewed_as_sms_and_its_card_shows_the_scores(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    card_id, scored = await _scored_card(harness)
    text = str(scored.params["text"])
    assert "Brand 84" in text and "Compliance 95" in text
    assert "✨ Apply optimizer rewrite" not in buttons(scored)  # no flow step takes one text
    assert StepName.DESIGN not in crew_llm.crew_steps  # no picture goes with a text message

    review = await harness.bot.services.crew.latest(ItemKind.FLOW, 1)
    assert review is not None and review.report is not None
    async with harness.bot.services.sessions() as session:
        row = await session.get(CrewReviewRow, review.id)
        assert row is not None
        draft = row.draft["draft"]
    assert draft["channel"] == "sms"
    assert draft["parts"] == [WELCOME, OFFER, THANKS]
    assert draft["text"].startswith(f"SMS 1: {WELCOME}\n\nSMS 2: {OFFER}")

    harness.tap(card_id, buttons(scored)["✅ Approve"])
    await answered(harness, "Version 1 approved")
    assert (await harness.bot.services.flows.get(1)).status == FlowStatus.APPROVED


async def test_a_compliance_failure_holds_approve_until_a_person_checked_it(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    crew_llm.crew_answers.update(FAIL)
    card_id, scored = await _scored_card(harness)
    assert "Compliance failed" in str(scored.params["text"])

    harness.tap(card_id, buttons(scored)["✅ Approve"])
    alert = await answered(harness, "compliance problem in flow #1")
    assert alert.params["show_alert"] is True
    asked = await harness.said("Approve anyway?", on=card_id)
    assert set(buttons(asked)) == {"✅ Approve anyway — I checked it", "↩️ Not yet"}
    assert (await harness.bot.services.flows.get(1)).status == FlowStatus.DRAFT

    harness.tap(card_id, buttons(asked)["↩️ Not yet"])
    back = await harness.said("Overall", on=card_id)
    assert "✅ Approve" in buttons(back) and "Approve anyway?" not in str(back.params["text"])
    assert (await harness.bot.services.flows.get(1)).status == FlowStatus.DRAFT

    harness.tap(card_id, buttons(back)["✅ Approve"])
    again = await harness.said("Approve anyway?", on=card_id)
    harness.tap(card_id, buttons(again)["✅ Approve anyway — I checked it"])
    await answered(harness, "Version 1 approved")
    approved = await harness.said("Approved by", on=card_id)
    assert "Compliance problems checked and accepted by a person" in approved.params["text"]
    assert (await harness.bot.services.flows.get(1)).status == FlowStatus.APPROVED
    review = await harness.bot.services.crew.latest(ItemKind.FLOW, 1)
    assert review is not None and review.compliance_confirmed_by == ADMIN

    harness.tap(card_id, buttons(again)["✅ Approve anyway — I checked it"], stale=True)
    await answered(harness, "was approved already")  # a double tap approves once
