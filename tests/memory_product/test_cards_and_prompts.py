"""Semantic memory through the whole bot (polling, the Bot API double, the LLM server,
the bundled embedding model): an approval is remembered, the embedding job gives it its
vector, a near-identical new draft's card warns with the earlier item's label and date,
"👀 See earlier" sends its words, and the next prompt shows the model the past item and
stores what it showed with the call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.memory.retrieval import BUILD_ON
from core.memory.service import MemoryService
from domain.memory import MemoryKind
from domain.statuses import PostStatus
from storage.models import LLMCall
from storage.repos import posts as post_repo
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, Harness, make_settings, running

FIRST = "Cosy up this weekend: our hand-poured autumn candles are back in the shop <3"
AGAIN = "Cosy up this weekend: our hand-poured autumn candles are back in our shop <3"
ELSEWHERE = "Our tax office opening hours change in January; see the notice board."


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    settings = make_settings(telegram_api, llm_server, tmp_path, memory_enabled=True)
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


async def embedded(memory: MemoryService) -> None:
    """What the embedding job does every few seconds, now (the job may run it too)."""
    await memory.embed_pending()


def today(harness: Harness) -> str:
    services = harness.bot.services
    local = services.clock.now().astimezone(services.settings.app.tz)
    return f"{local.day} {local:%b}"


async def suggest(harness: Harness, caption: str, number: int) -> RecordedCall:
    harness.llm.reply(suggestion_answer(caption=caption))
    harness.send("/suggest")
    return await harness.said(f"Suggestion #{number}")


async def test_a_near_repeat_suggestion_warns_and_shows_the_earlier_one(harness: Harness) -> None:
    first = await suggest(harness, FIRST, 1)
    assert "similar to" not in first.params["text"]  # nothing remembered yet
    harness.tap(harness.message_id_of(first), buttons(first)["✅ Approve"])
    await harness.said("Saved as draft post #1")
    memory = harness.bot.services.memory
    remembered = await memory.get(MemoryKind.SUGGESTION, 1)
    assert remembered is not None and remembered.outcome == "approved"
    assert remembered.label == f"the post idea of {today(harness)}"
    await embedded(memory)

    card = await suggest(harness, AGAIN, 2)
    text = card.params["text"]
    assert f"% similar to the post idea of {today(harness)}" in text
    assert "⚠️" in text
    earlier = buttons(card)["👀 See earlier"]
    assert earlier == "mem:suggestion:1:0"

    harness.tap(harness.message_id_of(card), earlier)
    shown = await harness.said("The post idea of")
    assert "our hand-poured autumn candles are back in the shop &lt;3" in shown.params["text"]
    assert shown.params["parse_mode"] == "HTML"

    # The second prompt showed the model the approved idea, and the call log says so.
    prompt = _user_text(harness.llm.requests[-1])
    assert BUILD_ON in prompt and "our hand-poured autumn candles are back in the shop" in prompt
    async with harness.bot.services.sessions() as session:
        calls = (await session.scalars(select(LLMCall).order_by(LLMCall.id))).all()
    assert calls[0].retrieval is None  # memory was empty at the first /suggest
    rows = calls[-1].retrieval
    assert rows is not None and rows[0]["kind"] == "suggestion" and rows[0]["item_id"] == 1
    assert rows[0]["label"] == remembered.label and rows[0]["why"] in ("similar", "best")


async def test_a_rejected_idea_is_remembered_and_an_unrelated_one_is_not_flagged(
    harness: Harness,
) -> None:
    first = await suggest(harness, FIRST, 1)
    harness.tap(harness.message_id_of(first), buttons(first)["🗑 Reject"])
    await harness.said("rejected", on=harness.message_id_of(first))
    memory = harness.bot.services.memory
    remembered = await memory.get(MemoryKind.SUGGESTION, 1)
    assert remembered is not None and remembered.outcome == "rejected"
    await embedded(memory)

    other = await suggest(harness, ELSEWHERE, 2)
    assert "similar to" not in other.params["text"]
    assert "👀 See earlier" not in buttons(other)


async def test_an_approved_post_warns_the_next_near_identical_post_in_approve(
    harness: Harness,
) -> None:
    services = harness.bot.services
    first = await _draft_post(harness, FIRST)
    await services.posts.approve(first, ADMIN)  # as the REST API does: through the service
    remembered = await services.memory.get(MemoryKind.POST, first)
    assert remembered is not None and remembered.label == f"the post of {today(harness)}"
    await embedded(services.memory)

    second = await _draft_post(harness, AGAIN)
    harness.send("/approve")
    card = await harness.said(f"Post #{second}")
    assert f"% similar to the post of {today(harness)}" in card.params["text"]
    harness.tap(harness.message_id_of(card), buttons(card)["👀 See earlier"])
    shown = await harness.said("The post of")
    assert "back in the shop &lt;3" in shown.params["text"]

    await services.posts.reject(second, ADMIN)
    rejected = await services.memory.get(MemoryKind.POST, second)
    assert rejected is not None and rejected.outcome == "rejected"


async def _draft_post(harness: Harness, caption: str) -> int:
    async with harness.bot.services.sessions.begin() as session:
        post = await post_repo.create_draft(
            session, title="Candles", caption=caption, hashtags=["#candles"],
            scheduled_at=None, image_prompt=None, suggestion_id=None, actor="test",
            created_by=ADMIN, format="text",
        )  # fmt: skip
        assert post.status == PostStatus.DRAFT
        return post.id


def _user_text(payload: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content")) for m in payload["messages"] if m["role"] == "user")


async def test_a_post_is_not_warned_about_the_idea_it_was_approved_from(harness: Harness) -> None:
    first = await suggest(harness, FIRST, 1)
    harness.tap(harness.message_id_of(first), buttons(first)["✅ Approve"])
    await harness.said("Saved as draft post #1")
    services = harness.bot.services
    await embedded(services.memory)
    # Edited, the post needs approving again: it is back in /approve with its idea's words.
    await services.posts.edit_caption(1, AGAIN, ADMIN)
    harness.send("/approve")
    card = await harness.said("Post #1")
    assert "similar to" not in card.params["text"]
    assert "👀 See earlier" not in buttons(card)
    # Not for want of similarity: the idea is a near-repeat, just the post's own origin.
    match = await services.memory.near_repeat(AGAIN, persona_id=None, exclude=(MemoryKind.POST, 1))
    assert match is not None and match.item.kind == MemoryKind.SUGGESTION
