"""The /suggest use case: generate, edit, regenerate, approve and reject, on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import AlreadyDecided, InvalidTransition, LLMError, ValidationFailed
from core.prompting.registry import PromptRegistry
from core.suggestions.models import SuggestionView
from core.suggestions.service import SuggestionService
from storage.models import Post, PostTransition, Suggestion
from tests.doubles.fake_llm import FakeLLM, suggestion_answer

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Berlin")


class FixedClock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def llm() -> FakeLLM:
    return FakeLLM()


@pytest.fixture
async def service(
    session_factory: async_sessionmaker[AsyncSession], llm: FakeLLM
) -> SuggestionService:
    prompts = await PromptRegistry.load(PROMPTS)
    await prompts.sync(session_factory)
    return SuggestionService(session_factory, prompts, llm, FixedClock(), TZ)


async def _count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_generate_stores_a_pending_suggestion_with_context(
    service: SuggestionService, llm: FakeLLM
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    assert (view.status, view.revision) == ("pending", 1)
    assert view.hashtags == ("#autumn", "#candles", "#cosyhome")
    assert view.when == datetime(2030, 1, 5, 10, 0, tzinfo=TZ)  # zone-less means local
    request = llm.requests[0]
    assert request.prompt is not None and request.prompt.name == "suggest_post"
    assert request.prompt.version == 1
    prompt_text = " ".join(m.content for m in request.messages)
    assert "2026-11-21" in prompt_text and "Saturday" in prompt_text


async def test_a_past_time_is_moved_to_the_future(service: SuggestionService, llm: FakeLLM) -> None:
    llm.queue(suggestion_answer(when="2026-11-21T09:00:00+01:00"))
    view = await service.generate(chat_id=5, user_id=1)
    assert view.when > NOW
    assert view.when.astimezone(TZ).hour == 9


async def test_llm_failure_stores_nothing(
    service: SuggestionService, llm: FakeLLM, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    llm.queue(LLMError("model is down"))
    with pytest.raises(LLMError):
        await service.generate(chat_id=5, user_id=1)
    assert await _count(session_factory, Suggestion) == 0


async def test_approve_creates_one_draft_post_with_transition(
    service: SuggestionService, llm: FakeLLM, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    approved = await service.approve(view.id, view.revision, user_id=2)
    assert approved.status == "approved" and approved.decided_by == 2
    assert approved.post_id is not None
    async with session_factory() as session:
        post = await session.get(Post, approved.post_id)
        assert post is not None and post.status == "draft"
        assert post.caption == view.caption and post.scheduled_at == view.when
        transitions = (await session.execute(select(PostTransition))).scalars().all()
        assert [(t.from_status, t.to_status, t.actor) for t in transitions] == [
            (None, "draft", "user:2")
        ]


async def test_text_only_needs_the_post_still_approved(
    service: SuggestionService, llm: FakeLLM, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    llm.queue(suggestion_answer(), suggestion_answer(title="Second"))
    first = await service.approve(**_ids(await service.generate(chat_id=5, user_id=1)), user_id=2)
    assert first.post_id is not None
    assert await service.post_as_text(first.id, user_id=2) == first.post_id
    async with session_factory() as session:
        post = await session.get(Post, first.post_id)
        assert post is not None and (post.status, post.format) == ("ready", "text")

    second = await service.approve(**_ids(await service.generate(chat_id=5, user_id=1)), user_id=2)
    assert second.post_id is not None
    async with session_factory.begin() as session:  # an edit withdraws the approval
        await session.execute(
            update(Post).where(Post.id == second.post_id).values(approved_at=None)
        )
    with pytest.raises(InvalidTransition, match="approve it in /approve first"):
        await service.post_as_text(second.id, user_id=2)
    with pytest.raises(InvalidTransition, match="is ready, so it stays"):
        await service.post_as_text(first.id, user_id=2)


class _Ids(TypedDict):
    """approve()'s first two arguments by name (its keyword-only `confirmed` is a bool)."""

    suggestion_id: int
    revision: int


def _ids(view: SuggestionView) -> _Ids:
    return {"suggestion_id": view.id, "revision": view.revision}


async def test_double_tap_gives_one_transition(
    service: SuggestionService, llm: FakeLLM, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    results = await asyncio.gather(
        *(service.approve(view.id, view.revision, user_id=u) for u in (1, 2, 1, 2)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, AlreadyDecided)]
    assert len(winners) == 1 and len(losers) == 3
    assert "already approved" in str(losers[0])
    assert await _count(session_factory, Post) == 1


async def test_approve_and_reject_at_once_one_wins_and_nothing_is_half_done(
    service: SuggestionService, llm: FakeLLM, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Reject commits its one UPDATE on its own (autocommit); approve runs a transaction
    with the draft post. Whichever wins, the other is refused and the rows agree."""
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    decisions = [service.approve, service.reject, service.reject, service.approve]
    results = await asyncio.gather(
        *(decide(view.id, view.revision, user_id=1) for decide in decisions),
        return_exceptions=True,
    )
    [winner] = [r for r in results if isinstance(r, SuggestionView)]
    assert sum(isinstance(r, AlreadyDecided) for r in results) == 3
    assert (await service.get(view.id)).status == winner.status
    assert await _count(session_factory, Post) == (1 if winner.status == "approved" else 0)


async def test_reject_after_approve_is_refused(service: SuggestionService, llm: FakeLLM) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    await service.approve(view.id, view.revision, user_id=1)
    with pytest.raises(AlreadyDecided, match="already approved"):
        await service.reject(view.id, view.revision, user_id=2)


async def test_edit_bumps_revision_and_old_buttons_go_stale(
    service: SuggestionService, llm: FakeLLM
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    edited = await service.edit_caption(view.id, view.revision, "  New words  ", user_id=1)
    assert (edited.caption, edited.revision) == ("New words", 2)
    with pytest.raises(AlreadyDecided, match="changed meanwhile"):
        await service.approve(view.id, view.revision, user_id=1)
    assert (await service.approve(view.id, edited.revision, user_id=1)).status == "approved"


@pytest.mark.parametrize(("text", "problem"), [("   ", "empty"), ("x" * 2001, "2001 characters")])
async def test_bad_edit_is_refused_and_keeps_the_card(
    service: SuggestionService, llm: FakeLLM, text: str, problem: str
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    with pytest.raises(ValidationFailed, match=problem):
        await service.edit_caption(view.id, view.revision, text, user_id=1)
    assert (await service.get(view.id)).caption == view.caption


async def test_regenerate_replaces_content(service: SuggestionService, llm: FakeLLM) -> None:
    llm.queue(suggestion_answer(), suggestion_answer(title="Something else", caption="New words"))
    view = await service.generate(chat_id=5, user_id=1)
    redone = await service.regenerate(view.id, view.revision, user_id=1)
    fresh = redone.view
    assert (fresh.title, fresh.caption, fresh.revision, fresh.id) == (
        "Something else", "New words", 2, view.id
    )  # fmt: skip
    assert not redone.repeated
    assert await service.get(view.id) == fresh


async def test_regenerate_asks_afresh_and_shows_the_model_what_was_turned_down(
    service: SuggestionService, llm: FakeLLM
) -> None:
    llm.queue(suggestion_answer(title="Candle <night>", caption="Glow & <b>cosy</b>"))
    llm.queue(suggestion_answer(title="Another", caption="Other words"))
    view = await service.generate(chat_id=5, user_id=1)
    await service.regenerate(view.id, view.revision, user_id=1)

    first, redo = llm.requests
    assert not first.fresh and redo.fresh  # a redo never reads the LLM cache
    user = redo.messages[1].content
    assert "write something\ndifferent from it" in user.replace("Write", "write")
    assert "<rejected>\nTitle: Candle <night>\n" in user
    assert "Caption: Glow & <b>cosy</b>\n</rejected>" in user
    assert "<rejected>" not in first.messages[1].content


async def test_a_retry_of_suggest_asks_afresh(service: SuggestionService, llm: FakeLLM) -> None:
    llm.queue(suggestion_answer())
    await service.generate(chat_id=5, user_id=1, fresh=True)
    assert llm.requests[0].fresh


async def test_the_same_caption_again_is_reported_and_not_stored(
    service: SuggestionService, llm: FakeLLM
) -> None:
    llm.queue(suggestion_answer(caption="Cosy up tonight."))
    llm.queue(suggestion_answer(title="A new title", caption="cosy  UP tonight. "))
    view = await service.generate(chat_id=5, user_id=1)

    redone = await service.regenerate(view.id, view.revision, user_id=1)

    assert redone.repeated
    assert redone.view == view == await service.get(view.id)  # revision 1: the buttons hold


async def test_the_same_caption_after_a_decision_meanwhile_is_refused(
    service: SuggestionService, llm: FakeLLM
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    llm.gate = asyncio.Event()
    llm.queue(suggestion_answer())  # the same caption again
    regenerating = asyncio.create_task(service.regenerate(view.id, view.revision, user_id=1))
    await asyncio.sleep(0.05)
    await service.approve(view.id, view.revision, user_id=2)
    llm.gate.set()
    with pytest.raises(AlreadyDecided, match="already approved"):
        await regenerating


async def test_pending_at_refuses_a_stale_or_decided_card(
    service: SuggestionService, llm: FakeLLM
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    assert await service.pending_at(view.id, view.revision) == view
    with pytest.raises(AlreadyDecided, match="changed meanwhile"):
        await service.pending_at(view.id, view.revision + 1)
    await service.reject(view.id, view.revision, user_id=1)
    with pytest.raises(AlreadyDecided, match="already rejected"):
        await service.pending_at(view.id, view.revision)


async def test_regenerate_loses_to_a_decision_made_meanwhile(
    service: SuggestionService, llm: FakeLLM
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    llm.gate = asyncio.Event()
    llm.queue(suggestion_answer(title="Late", caption="Late words"))
    regenerating = asyncio.create_task(service.regenerate(view.id, view.revision, user_id=1))
    await asyncio.sleep(0.05)
    await service.reject(view.id, view.revision, user_id=2)
    llm.gate.set()
    with pytest.raises(AlreadyDecided, match="already rejected"):
        await regenerating
    assert (await service.get(view.id)).title == view.title


async def test_pending_is_oldest_first_and_paged(service: SuggestionService, llm: FakeLLM) -> None:
    for n in range(7):
        llm.queue(suggestion_answer(title=f"Idea {n}"))
        await service.generate(chat_id=5, user_id=1)
    first = await service.pending(offset=0, limit=5)
    second = await service.pending(offset=5, limit=5)
    assert [v.title for v in first.items] == [f"Idea {n}" for n in range(5)]
    assert (first.total, first.has_next, second.has_next) == (7, True, False)
    assert [v.title for v in second.items] == ["Idea 5", "Idea 6"]


async def test_a_time_centuries_ago_lands_on_the_next_such_hour(
    service: SuggestionService, llm: FakeLLM
) -> None:
    llm.queue(suggestion_answer(when="1000-12-27T08:30:00+01:00"))
    view = await service.generate(chat_id=5, user_id=1)
    local = view.when.astimezone(TZ)
    assert view.when > NOW
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-11-22", 8, 30)


async def test_the_post_of_an_approved_suggestion_counts_as_approved(
    service: SuggestionService, llm: FakeLLM, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    llm.queue(suggestion_answer())
    view = await service.generate(chat_id=5, user_id=1)
    approved = await service.approve(view.id, view.revision, user_id=7)
    async with session_factory() as session:
        post = await session.get(Post, approved.post_id)
    assert post is not None and post.approved_by == 7 and post.approved_at is not None
