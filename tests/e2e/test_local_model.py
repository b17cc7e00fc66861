"""/suggest end to end with a real local model: Gemma 3 270M served by llama.cpp.

No fake anywhere on the LLM path: litellm talks to llama.cpp's OpenAI-compatible
server, which constrains the output with our JSON schema.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import LLMCall, Suggestion
from tests.e2e.harness import ADMIN, Harness

pytestmark = pytest.mark.local_llm


@pytest.mark.timeout(900)
async def test_suggest_with_gemma_renders_a_card(local_harness: Harness) -> None:
    local_harness.send("/suggest")
    await local_harness.said("writing a suggestion")
    card = await local_harness.said("Suggestion #1", within=780, unless="couldn't")
    text = card.params["text"]
    assert "<b>Caption</b>" in text and "#" in text
    assert card.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Approve"
    async with local_harness.bot.services.sessions() as session:
        suggestion = (await session.execute(select(Suggestion))).scalar_one()
        assert suggestion.payload["hashtags"]
        calls = (await session.execute(select(LLMCall))).scalars().all()
    assert calls[-1].outcome == "ok"
    assert calls[-1].model == "openai/gemma3-270m"
    assert calls[-1].input_tokens > 0 and calls[-1].output_tokens > 0
    assert all(call.template_name == "suggest_post" for call in calls)
    assert local_harness.api.messages_in(ADMIN)
