"""A customer email answered by a real local model (Gemma 3 270M on llama.cpp), no fake on
the LLM path: both prompts render, the model's JSON passes the schemas, the card shows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.emaildesk.intake import EmailIntake
from domain.emaildesk import EmailSource
from storage.models import LLMCall, ReplyDraft
from tests.e2e.harness import Harness

pytestmark = pytest.mark.local_llm


@pytest.mark.timeout(900)
async def test_a_local_model_drafts_a_reply(local_harness: Harness) -> None:
    intake: EmailIntake = local_harness.bot.services.email_intake
    await intake.receive_fields(
        {"from": "Ana <ana@example.com>", "to": "help@shop.example", "subject": "Where is it?",
         "text": "Hi, I ordered two candles last week and nothing arrived. Can you check?"},
        source=EmailSource.API, source_ref=None,
    )  # fmt: skip
    card = await local_harness.said("Reply #1", within=780, unless="Couldn't write")
    text = str(card.params["text"])
    assert "<blockquote>" in text and ("<b>Confidence:</b>" in text or "Low confidence" in text)
    async with local_harness.bot.services.sessions() as session:
        draft = (await session.execute(select(ReplyDraft))).scalar_one()
        calls = (await session.execute(select(LLMCall))).scalars().all()
    assert draft.draft and 0 <= (draft.confidence or 0) <= 1
    names = [call.template_name for call in calls if call.outcome == "ok"]
    assert names[0] == "email_reply_classify" and str(names[-1]).startswith("email_reply_")
