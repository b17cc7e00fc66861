"""The review crew on reply draft cards, as the admins see it: a customer email in through
the REST API, the card over the Bot API double ticking the crew's steps off, then its
scores; ✨ and the compliance gate tapped; the reply sent to a real aiosmtpd.

The models answer through the real litellm path: the reply's own calls (triage, draft)
from the scripted queue, each crew step by its role (tests.crew_cards.crew_server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
from sqlalchemy import select

from bot.settings import Settings
from core.config import SMTPSettings
from core.posts.crew_gate import ComplianceUnconfirmed
from domain.crew import ItemKind, StepName
from domain.email_replies import ReplyStatus
from storage.models import ReplyDraft
from tests.crew_cards.crew_server import CrewAwareLLMServer
from tests.crew_cards.support import answered
from tests.doubles.smtp_server import ScriptedSmtp
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, running, with_api
from tests.email_replies.support import answer, triage

TOKEN = "api-token-for-the-reply-crew"
EMAIL = {
    "from": "Ana <ana@example.com>",
    "to": "help@shop.example",
    "subject": "Broken candle",
    "text": "Hello, my candle arrived broken. Order A-1001.",
    "message_id": "<m2@mail.example.com>",
}
# The progress line ("🧪 Review crew: ✅ Brand · ⏳ Compliance · …"); the finished block
# reads "🧪 Review crew · $0.0006" and then the scores.
PROGRESS = "🧪 Review crew:</b>"
FIRST = "Dear Ana, we will look into it. The Candle Shop team"
REWRITE = "Dear Ana,\n\nI am so sorry. A new candle leaves today.\n\nThe Candle Shop team"
LOW = {
    StepName.BRAND: {"brand_alignment": 35, "feedback": ["Too cold for an apology."]},
    StepName.OPTIMIZER: {"overall_quality": 20, "rewrite": REWRITE, "changes": ["Warmer."]},
}
FAIL = {
    StepName.COMPLIANCE: {
        "verdict": "fail", "compliance": 15, "issues": ["Promises a refund nobody approved."],
    },
}  # fmt: skip


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble,
    crew_llm: CrewAwareLLMServer,
    crew_settings: Settings,
    smtp: tuple[ScriptedSmtp, SMTPSettings],
) -> AsyncIterator[Harness]:
    settings = with_api(crew_settings, TOKEN, publish_send_timeout_s=1.0)
    settings = replace(settings, smtp=smtp[1])
    async with running(telegram_api, crew_llm, settings) as harness:
        yield harness


async def test_a_draft_card_ticks_then_scores_and_the_rewrite_is_an_edit(
    harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    crew_llm.crew_answers.update(LOW)
    card_id = await _email_in(harness)
    progress = await _card(harness, PROGRESS)  # steps ticking off
    assert harness.message_id_of(progress) == card_id
    assert "⏳" in _text(progress) and "Design" not in _text(progress)  # none for an email
    scored = await _scored(harness)
    text = _text(scored)
    assert "Brand 35 · Compliance 95" in text and "<b>Overall " in text and "$0." in text
    assert "Too cold for an apology." in text and "🔴" not in text
    assert FIRST in text  # the draft the crew judged is still the card's
    keys = buttons(scored)
    assert {"✅ Approve & send", "✏️ Edit", "✨ Apply optimizer rewrite"} <= set(keys)

    before = (await _reply(harness)).revision
    harness.tap(card_id, keys["✨ Apply optimizer rewrite"])
    await answered(harness, "Rewrite applied")
    applied = await harness.said("A new candle leaves today.")
    assert harness.message_id_of(applied) == card_id
    assert "(edited by you)" in _text(applied) and FIRST not in _text(applied)
    row = await _reply(harness)
    assert (row.draft, row.edited, row.status) == (REWRITE, True, "pending")
    assert row.revision == before + 1  # one edit, at the card's revision
    await _scored(harness)  # the new words were reviewed again
    reviews = await harness.bot.services.crew.latest(ItemKind.REPLY, row.id)
    assert reviews is not None and reviews.finished

    harness.tap(card_id, keys["✨ Apply optimizer rewrite"], stale=True)  # the old revision's
    refused = await answered(harness, "Reply #1")
    assert refused.params["show_alert"] is True
    assert (await _reply(harness)).revision == before + 1


async def test_a_compliance_failure_blocks_approve_and_send_until_confirmed(
    harness: Harness, crew_llm: CrewAwareLLMServer, smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    crew_llm.crew_answers.update(FAIL)
    card_id = await _email_in(harness)
    scored = await _scored(harness)
    assert "🔴" in _text(scored) and "Compliance failed" in _text(scored)
    assert "Promises a refund nobody approved." in _text(scored)

    harness.tap(card_id, buttons(scored)["✅ Approve & send"])
    alert = await answered(harness, "compliance problem in reply #1")
    assert alert.params["show_alert"] is True
    asked = await harness.said("Approve anyway?")
    assert harness.message_id_of(asked) == card_id
    assert set(buttons(asked)) == {"✅ Approve anyway — I checked it", "↩️ Not yet"}
    assert (await _reply(harness)).status == "pending" and smtp[0].messages == []

    harness.tap(card_id, buttons(asked)["↩️ Not yet"])
    back = await _card(harness, "Compliance failed")
    assert harness.message_id_of(back) == card_id and "Approve anyway?" not in _text(back)
    assert "✅ Approve anyway — I checked it" not in buttons(back)

    harness.tap(card_id, buttons(back)["✅ Approve & send"])  # asked again, then confirmed
    asked = await harness.said("Approve anyway?")
    harness.tap(card_id, buttons(asked)["✅ Approve anyway — I checked it"])
    await harness.said("✅ Sent to ana@example.com")
    assert len(smtp[0].messages) == 1
    review = await harness.bot.services.crew.latest(ItemKind.REPLY, 1)
    assert review is not None and review.compliance_confirmed_by == ADMIN


async def test_the_other_admins_card_ticks_too_and_its_approve_is_gated_in_core(
    harness: Harness, crew_llm: CrewAwareLLMServer, smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    crew_llm.crew_answers.update(FAIL)
    await _email_in(harness)
    other = await _card(harness, "Compliance failed", chat_id=OTHER_ADMIN)
    assert "✅ Approve & send" in buttons(other)
    desk, revision = harness.bot.services.replies, (await _reply(harness)).revision
    with pytest.raises(ComplianceUnconfirmed, match="compliance problem in reply #1"):
        await desk.approve(1, revision, OTHER_ADMIN)  # core refuses, whatever calls it
    assert (await _reply(harness)).status == "pending"
    view = await desk.approve(1, revision, OTHER_ADMIN, confirmed=True)
    assert view.status is ReplyStatus.APPROVED
    review = await harness.bot.services.crew.latest(ItemKind.REPLY, 1)
    assert review is not None and review.compliance_confirmed_by == OTHER_ADMIN


async def _email_in(harness: Harness) -> int:
    """A customer email through the REST API; the admin's new card's message id."""
    harness.llm.reply(triage())
    harness.llm.reply(answer(draft=FIRST))
    url = f"{harness.web_url}/api/emails/inbound"
    async with (
        aiohttp.ClientSession() as client,
        client.post(url, json=EMAIL, headers={"Authorization": f"Bearer {TOKEN}"}) as response,
    ):
        assert response.status == 202, await response.text()
    return harness.message_id_of(await _card(harness, "Reply #1"))


async def _card(harness: Harness, text: str, chat_id: int = ADMIN) -> RecordedCall:
    call = await harness.said(text)
    while int(call.params["chat_id"]) != chat_id:
        call = await harness.said(text)
    return call


async def _scored(harness: Harness) -> RecordedCall:
    """The admin's card once the crew is done (the other admin's copy is edited too)."""
    return await _card(harness, "Overall", chat_id=ADMIN)


async def _reply(harness: Harness) -> ReplyDraft:
    async with harness.bot.services.sessions() as session:
        return (await session.execute(select(ReplyDraft))).scalar_one()


def _text(call: RecordedCall) -> str:
    return str(call.params["text"])
