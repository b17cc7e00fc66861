"""The crew gate in the item services: reviews requested on every change, the compliance
gate on Approve (core, not only buttons), the optimizer's rewrite through the edit path."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.campaigns.service import CampaignService
from core.errors import AlreadyDecided, InvalidTransition
from core.personas.service import PersonaService
from core.posts.crew_gate import ComplianceUnconfirmed
from core.posts.service import PostService
from core.prompting.registry import PromptRegistry
from core.suggestions.service import SuggestionService
from domain.crew import ItemKind
from storage.repos import posts as post_repo
from tests.campaigns.helpers import MutableClock, make_persona, plan_body
from tests.crew_cards.fakes import FakeCrew, flagging_crew, gate_on
from tests.doubles.fake_llm import FakeLLM, suggestion_answer

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Berlin")
ADMIN = 42
FLAGGED = "Cheap candles, buy now"
DULL = "Candles."
REWRITE = "Warm light for long evenings: our beeswax candles."


class FixedClock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def crew() -> FakeCrew:
    return flagging_crew(flagged=FLAGGED, dull=DULL, rewrite=REWRITE)


@pytest.fixture
async def services(
    session_factory: async_sessionmaker[AsyncSession], crew: FakeCrew
) -> tuple[SuggestionService, PostService, FakeLLM]:
    prompts = await PromptRegistry.load(PROMPTS)
    await prompts.sync(session_factory)
    gate = gate_on(crew)
    llm = FakeLLM()
    clock = FixedClock()
    suggestions = SuggestionService(session_factory, prompts, llm, clock, TZ, crew=gate)
    return suggestions, PostService(session_factory, clock, crew=gate), llm


async def test_every_new_caption_is_reviewed_and_the_card_reads_its_own_review(
    services: tuple[SuggestionService, PostService, FakeLLM], crew: FakeCrew
) -> None:
    suggestions, _, llm = services
    llm.queue(suggestion_answer(caption=DULL))
    view = await suggestions.generate(chat_id=5, user_id=ADMIN)
    assert [(row.kind, row.item_id) for row in crew.rows] == [(ItemKind.SUGGESTION, view.id)]
    edited = await suggestions.edit_caption(view.id, view.revision, "Evening light.", ADMIN)
    assert len(crew.rows) == 2  # the new words were sent to the crew
    state = await suggestions.crew(edited)
    assert state.review is crew.rows[1] and state.rewrite is None  # 85 is over the bar


async def test_approve_waits_for_a_person_on_a_compliance_failure(
    services: tuple[SuggestionService, PostService, FakeLLM], crew: FakeCrew
) -> None:
    suggestions, _, llm = services
    llm.queue(suggestion_answer(caption=FLAGGED))
    view = await suggestions.generate(chat_id=5, user_id=ADMIN)
    with pytest.raises(ComplianceUnconfirmed, match="compliance problem in suggestion #1"):
        await suggestions.approve(view.id, view.revision, ADMIN)
    assert (await suggestions.get(view.id)).status == "pending"
    approved = await suggestions.approve(view.id, view.revision, ADMIN, confirmed=True)
    assert approved.status == "approved"
    assert crew.confirmed == [(ItemKind.SUGGESTION, view.id, ADMIN)]


async def test_a_fixed_caption_is_not_held_by_the_old_verdict(
    services: tuple[SuggestionService, PostService, FakeLLM], crew: FakeCrew
) -> None:
    suggestions, _, llm = services
    llm.queue(suggestion_answer(caption=FLAGGED))
    view = await suggestions.generate(chat_id=5, user_id=ADMIN)
    fixed = await suggestions.edit_caption(view.id, view.revision, "Candles for calm nights.", 1)
    approved = await suggestions.approve(fixed.id, fixed.revision, ADMIN)
    assert approved.status == "approved" and crew.confirmed == []


async def test_the_rewrite_is_applied_through_the_edit_path_only_when_offered(
    services: tuple[SuggestionService, PostService, FakeLLM], crew: FakeCrew
) -> None:
    suggestions, _, llm = services
    llm.queue(suggestion_answer(caption=DULL))
    view = await suggestions.generate(chat_id=5, user_id=ADMIN)
    assert (await suggestions.crew(view)).rewrite is not None
    rewritten = await suggestions.apply_rewrite(view.id, view.revision, ADMIN)
    assert rewritten.caption == "Warm light for long evenings: our beeswax candles."
    assert rewritten.revision == view.revision + 1
    with pytest.raises(InvalidTransition, match="no optimizer rewrite"):
        await suggestions.apply_rewrite(rewritten.id, rewritten.revision, ADMIN)


async def test_crew_off_changes_nothing(
    services: tuple[SuggestionService, PostService, FakeLLM], crew: FakeCrew
) -> None:
    suggestions, _, llm = services
    crew.off = True
    llm.queue(suggestion_answer(caption=FLAGGED))
    view = await suggestions.generate(chat_id=5, user_id=ADMIN)
    assert (await suggestions.crew(view)).review is None
    assert (await suggestions.approve(view.id, view.revision, ADMIN)).status == "approved"


async def test_post_approval_is_gated_in_the_service_and_the_rewrite_withdraws_nothing_twice(
    services: tuple[SuggestionService, PostService, FakeLLM],
    crew: FakeCrew,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, posts, _ = services
    post_id = await _post(session_factory, FLAGGED)
    with pytest.raises(ComplianceUnconfirmed, match="post #"):
        await posts.approve(post_id, ADMIN)
    assert not (await posts.get(post_id)).approved
    assert (await posts.approve(post_id, ADMIN, confirmed=True)).approved

    dull = await _post(session_factory, DULL)
    view = await posts.get(dull)
    rewritten = await posts.apply_rewrite(dull, view.revision, ADMIN)
    assert rewritten.caption.startswith("Warm light") and rewritten.revision != view.revision
    assert [row.item_id for row in crew.rows if row.kind == ItemKind.POST] == [
        post_id, dull, dull,
    ]  # fmt: skip


async def _post(sessions: async_sessionmaker[AsyncSession], caption: str) -> int:
    """A draft as a campaign stores it: nobody asked the crew yet."""
    async with sessions.begin() as session:
        post = await post_repo.create_draft(
            session, title="Candles", caption=caption, hashtags=["#candles"],
            scheduled_at=None, image_prompt=None, suggestion_id=None, actor="test",
            created_by=ADMIN, format="text",
        )  # fmt: skip
        return post.id


async def test_two_admins_confirming_at_once_approve_once(
    services: tuple[SuggestionService, PostService, FakeLLM], crew: FakeCrew
) -> None:
    suggestions, _, llm = services
    llm.queue(suggestion_answer(caption=FLAGGED))
    view = await suggestions.generate(chat_id=5, user_id=ADMIN)
    results = await asyncio.gather(
        suggestions.approve(view.id, view.revision, ADMIN, confirmed=True),
        suggestions.approve(view.id, view.revision, ADMIN + 1, confirmed=True),
        return_exceptions=True,
    )
    approved = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, AlreadyDecided)]
    assert len(approved) == 1 and len(refused) == 1
    assert (await suggestions.get(view.id)).status == "approved"
    assert len(crew.confirmed) == 1  # the second confirmation found it done


async def test_a_new_campaign_sends_each_draft_post_to_the_crew(
    session_factory: async_sessionmaker[AsyncSession], crew: FakeCrew
) -> None:
    gate = gate_on(crew)
    clock = MutableClock()
    campaigns = CampaignService(session_factory, clock, TZ, crew=gate)
    persona = await make_persona(PersonaService(session_factory))
    created = await campaigns.create(plan_body(persona.id, posts=3), actor="api", model="api")
    reviewed = [(row.kind, row.item_id) for row in crew.rows]
    assert reviewed == [(ItemKind.POST, post.id) for post in created.posts]
