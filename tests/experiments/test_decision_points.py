"""The services record what becomes of each generated item, in the decision's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import AlreadyDecided
from core.experiments.keys import item_key
from core.llm.types import LLMRequest, LLMResult
from core.prompting.registry import PromptRegistry
from core.suggestions.service import SuggestionService
from domain.crew import ItemKind
from storage.models import LLMCall
from storage.repos import outcomes as repo
from tests.campaigns.helpers import build_core, make_persona, plan_body
from tests.doubles.fake_llm import FakeLLM, suggestion_answer

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]
T = TypeVar("T", bound=BaseModel)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class LoggingLLM:
    """FakeLLM's answers, each logged in llm_calls the way the gateway logs a call."""

    sessions: Sessions
    fake: FakeLLM = field(default_factory=FakeLLM)
    microusd: int = 4000

    async def generate(self, request: LLMRequest, schema: type[T]) -> LLMResult[T]:
        answer = await self.fake.generate(request, schema)
        prompt = request.prompt
        assert prompt is not None
        async with self.sessions.begin() as session:
            call = LLMCall(
                template_name=prompt.name, template_version=prompt.version,
                variant=prompt.variant, model="fake/model", messages=[], output="{}",
                cost_microusd=self.microusd, outcome="ok",
            )  # fmt: skip
            session.add(call)
            await session.flush()
            call_id = call.id
        return LLMResult(answer.value, call_id, answer.model, 10, 20, answer.cost_usd, False)


@pytest.fixture
def llm(session_factory: Sessions) -> LoggingLLM:
    return LoggingLLM(session_factory)


@pytest.fixture
async def registry(session_factory: Sessions) -> PromptRegistry:
    prompts = await PromptRegistry.load(PROMPTS)
    await prompts.sync(session_factory)
    return prompts


@pytest.fixture
def suggestions(
    session_factory: Sessions, registry: PromptRegistry, llm: LoggingLLM
) -> SuggestionService:
    return SuggestionService(session_factory, registry, llm, FixedClock(), ZoneInfo("UTC"))


async def outcomes_of(sessions: Sessions, kind: str, item_id: int) -> list[tuple[str | None, ...]]:
    async with sessions() as session:
        rows = await repo.for_item(session, kind, item_id)
    return [(row.outcome, row.template_name, row.variant) for row in rows]


async def test_a_suggestion_edited_then_approved(
    suggestions: SuggestionService, llm: LoggingLLM, session_factory: Sessions
) -> None:
    llm.fake.queue(suggestion_answer())
    view = await suggestions.generate(chat_id=5, user_id=1)
    edited = await suggestions.edit_caption(view.id, view.revision, "My own words", 1)
    await suggestions.approve(edited.id, edited.revision, 1)
    variant = llm.fake.requests[0].prompt.variant  # type: ignore[union-attr]
    assert await outcomes_of(session_factory, "suggestion", view.id) == [
        ("approved_after_edit", "suggest_post", variant)
    ]
    with pytest.raises(AlreadyDecided):  # a second tap records nothing more
        await suggestions.approve(edited.id, edited.revision, 1)
    assert len(await outcomes_of(session_factory, "suggestion", view.id)) == 1


async def test_a_suggestion_regenerated_then_rejected(
    suggestions: SuggestionService,
    registry: PromptRegistry,
    llm: LoggingLLM,
    session_factory: Sessions,
) -> None:
    llm.fake.queue(suggestion_answer(), suggestion_answer(caption="Something else entirely"))
    view = await suggestions.generate(chat_id=5, user_id=1)
    redone = (await suggestions.regenerate(view.id, view.revision, 1)).view
    await suggestions.reject(redone.id, redone.revision, 1)
    outcomes = [
        outcome for outcome, _, _ in await outcomes_of(session_factory, "suggestion", view.id)
    ]
    assert outcomes == ["regenerated", "rejected"]
    # The rewrite's arm is the item's own (its key "suggestion:<id>"), whatever the first was.
    template = registry.get("suggest_post")
    expected = template.choose_variant(item_key(ItemKind.SUGGESTION, view.id), Random(0)).name
    assert llm.fake.requests[1].prompt is not None
    assert llm.fake.requests[1].prompt.variant == expected


async def test_a_campaign_plans_posts_whose_fates_are_recorded(session_factory: Sessions) -> None:
    core = build_core(session_factory)
    persona = await make_persona(core.personas)
    async with session_factory.begin() as session:
        call = LLMCall(template_name="campaign_plan", template_version=1, variant="base",
                       model="fake/model", messages=[], output="{}", cost_microusd=9000,
                       outcome="ok")  # fmt: skip
        session.add(call)
        await session.flush()
        call_id = call.id
    created = await core.campaigns.create(
        plan_body(persona.id, posts=3), actor="user:1", model="fake/model", user_id=1,
        llm_call_id=call_id,
    )  # fmt: skip
    first, second, third = (post.id for post in created.posts)
    await core.posts.approve(first, 1)
    await core.posts.edit_caption(second, "Rewritten by hand", 1)
    await core.posts.approve(second, 1)
    await core.posts.reject(third, 1)

    async with session_factory() as session:
        rows = [
            (await repo.for_item(session, "post", post_id))[0] for post_id in (first, second, third)
        ]
    assert [row.outcome for row in rows] == ["approved_as_is", "approved_after_edit", "rejected"]
    assert {row.cost_microusd for row in rows} == {3000}  # the plan's call over its 3 posts
    assert {row.template_name for row in rows} == {"campaign_plan"}


async def test_a_plan_sent_over_the_api_records_nothing(session_factory: Sessions) -> None:
    core = build_core(session_factory)
    persona = await make_persona(core.personas)
    created = await core.campaigns.create(plan_body(persona.id, posts=1), actor="api", model="api")
    await core.posts.approve(created.posts[0].id, 1)
    assert await outcomes_of(session_factory, "post", created.posts[0].id) == []
