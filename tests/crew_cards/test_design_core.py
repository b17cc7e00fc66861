"""The design advisor's image prompt through the post's edit rules, and the compliance gate
confirming the review it checked, on the real CrewService over SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands.guidelines import BrandGuidelines
from core.crew.service import CrewService
from core.crew.types import CrewReview
from core.errors import AlreadyDecided, InvalidTransition
from core.posts.crew_gate import ComplianceUnconfirmed, CrewGate
from core.posts.service import PostService
from core.prompting import PromptRegistry
from domain.crew import ItemKind, StepName
from storage.repos import posts as post_repo
from tests.crew.fakes import FixedBrands, MovableClock, RoutedLLM
from tests.doubles.crew_llm import good_answers

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
ADMIN, OTHER = 42, 43
# Both captions break the brand's word list, so each has its own compliance failure.
WORDS_A = "Cheap candles for long evenings, poured by hand in Berlin."
WORDS_B = "Cheap socks for cold feet, knitted in Berlin."
BRAND = BrandGuidelines(brand_name="Candle Shop", prohibited_words=["cheap"])
CLEAN = "Beeswax candles for long evenings, poured by hand in Berlin."
DESIGN = good_answers()[StepName.DESIGN]
assert isinstance(DESIGN, dict)
FIRST_PROMPT: str = DESIGN["image_prompts"][0]


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    crew: CrewService
    posts: PostService

    async def reviewed(self, post_id: int) -> CrewReview:
        """The review of the post's current words (asked for as a card would), run to its end."""
        view = await self.posts.get(post_id)
        await self.posts.crew(view)
        await self.crew.run_pending()
        state = await self.posts.crew(view)
        assert state.review is not None and state.review.finished
        return state.review

    async def new_post(self, caption: str, *, format: str = "image") -> int:
        async with self.sessions.begin() as session:
            post = await post_repo.create_draft(
                session, title="Evenings", caption=caption, hashtags=["#candles"],
                scheduled_at=None, image_prompt=None, suggestion_id=None, actor="test",
                created_by=None, format=format,
            )  # fmt: skip
        return post.id


@pytest.fixture
async def world(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[World]:
    # The clock never moves: an edit back to earlier words is asked for at the same instant
    # as the edit before it, so the item's newest review stays the other words' one.
    clock = MovableClock()
    prompts = await PromptRegistry.load(PROMPTS)
    brands = FixedBrands(brand=BRAND)
    crew = CrewService(
        session_factory, clock, prompts, RoutedLLM(), brands, enabled=True, step_timeout_s=5.0
    )
    gate = CrewGate()
    gate.connect(crew, brands)
    try:
        yield World(session_factory, crew, PostService(session_factory, clock, crew=gate))
    finally:
        await crew.stop()


# -- the compliance gate confirms the review it checked ----------------------------------


async def test_an_edit_there_and_back_confirms_the_current_words_review(world: World) -> None:
    post_id = await world.new_post(WORDS_A)
    review_a = await world.reviewed(post_id)
    await world.posts.edit_caption(post_id, WORDS_B, ADMIN)
    review_b = await world.reviewed(post_id)
    await world.posts.edit_caption(post_id, WORDS_A, ADMIN)
    assert (await world.reviewed(post_id)).id == review_a.id  # same words, same review
    assert review_a.blocks_approval and review_b.blocks_approval
    newest = await world.crew.latest(ItemKind.POST, post_id)
    assert newest is not None and newest.id == review_b.id  # the edge: not A's

    with pytest.raises(ComplianceUnconfirmed):
        await world.posts.approve(post_id, ADMIN)
    approved = await world.posts.approve(post_id, ADMIN, confirmed=True)

    assert approved.approved and approved.caption == WORDS_A
    confirmed_a, untouched_b = await world.crew.get(review_a.id), await world.crew.get(review_b.id)
    assert confirmed_a is not None and confirmed_a.compliance_confirmed_by == ADMIN
    assert untouched_b is not None and untouched_b.compliance_confirmed_by is None
    assert untouched_b.blocks_approval  # B's failure was never seen, so never confirmed


async def test_confirming_a_review_by_id_is_one_change(world: World) -> None:
    post_id = await world.new_post(WORDS_A)
    review = await world.reviewed(post_id)
    taps = await asyncio.gather(
        world.crew.confirm_review(review.id, ADMIN), world.crew.confirm_review(review.id, OTHER)
    )
    assert sorted(taps) == [False, True]  # two admins at once: one confirmation
    stored = await world.crew.get(review.id)
    assert stored is not None and stored.compliance_confirmed_by in (ADMIN, OTHER)
    assert not stored.blocks_approval


async def test_nothing_to_confirm_on_a_clean_or_unfinished_review(world: World) -> None:
    post_id = await world.new_post(CLEAN)
    clean = await world.reviewed(post_id)
    assert not await world.crew.confirm_review(clean.id, ADMIN)
    await world.posts.edit_caption(post_id, WORDS_A, ADMIN)  # asked for, not run yet
    waiting = await world.crew.latest(ItemKind.POST, post_id)
    assert waiting is not None and not waiting.finished
    assert not await world.crew.confirm_review(waiting.id, ADMIN)
    assert not await world.crew.confirm_review(999_999, ADMIN)


# -- 🎨 Use design image prompt ----------------------------------------------------------


async def test_the_advisors_first_prompt_becomes_the_image_prompt(world: World) -> None:
    post_id = await world.new_post(CLEAN)
    first = await world.reviewed(post_id)
    card = await world.posts.get(post_id)
    assert card.image_prompt is None

    changed = await world.posts.use_design_prompt(post_id, card.revision, ADMIN)

    assert changed.image_prompt == FIRST_PROMPT and changed.caption == CLEAN
    assert changed.revision != card.revision  # older cards of the post are stale now
    again = await world.crew.latest(ItemKind.POST, post_id)
    assert again is not None and again.id != first.id  # the advisor judges the new prompt
    review = await world.reviewed(post_id)
    assert review.id == again.id
    # The same prompt proposed again: nothing new to offer.
    with pytest.raises(InvalidTransition, match="no new image prompt"):
        await world.posts.use_design_prompt(post_id, changed.revision, ADMIN)


async def test_an_approved_post_loses_its_approval_with_the_new_prompt(world: World) -> None:
    post_id = await world.new_post(CLEAN)
    await world.reviewed(post_id)
    approved = await world.posts.approve(post_id, ADMIN)
    assert approved.approved

    changed = await world.posts.use_design_prompt(post_id, approved.revision, ADMIN)

    assert not changed.approved and changed.approved_by is None
    assert changed.image_prompt == FIRST_PROMPT


async def test_a_double_tap_changes_it_once(world: World) -> None:
    post_id = await world.new_post(CLEAN)
    await world.reviewed(post_id)
    card = await world.posts.get(post_id)
    results = await asyncio.gather(
        world.posts.use_design_prompt(post_id, card.revision, ADMIN),
        world.posts.use_design_prompt(post_id, card.revision, OTHER),
        return_exceptions=True,
    )
    changed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(changed) == 1 and len(refused) == 1
    assert isinstance(refused[0], AlreadyDecided | InvalidTransition)
    assert (await world.posts.get(post_id)).image_prompt == FIRST_PROMPT


async def test_a_stale_card_is_refused_and_nothing_changes(world: World) -> None:
    post_id = await world.new_post(CLEAN)
    await world.reviewed(post_id)
    card = await world.posts.get(post_id)
    await world.posts.edit_caption(post_id, CLEAN + " Open late.", ADMIN)
    await world.reviewed(post_id)
    with pytest.raises(AlreadyDecided, match="changed since this card was shown"):
        await world.posts.use_design_prompt(post_id, card.revision, ADMIN)
    assert (await world.posts.get(post_id)).image_prompt is None


async def test_no_prompt_for_a_text_post_a_decided_post_or_before_the_review(
    world: World,
) -> None:
    text_post = await world.new_post(CLEAN, format="text")
    await world.reviewed(text_post)
    view = await world.posts.get(text_post)
    with pytest.raises(InvalidTransition, match="no new image prompt"):
        await world.posts.use_design_prompt(text_post, view.revision, ADMIN)

    waiting = await world.new_post(CLEAN + " Soon.")
    view = await world.posts.get(waiting)
    with pytest.raises(InvalidTransition, match="no new image prompt"):  # crew not done yet
        await world.posts.use_design_prompt(waiting, view.revision, ADMIN)

    rejected = await world.posts.reject(waiting, ADMIN)
    with pytest.raises(InvalidTransition, match="its caption is final"):
        await world.posts.use_design_prompt(waiting, rejected.revision, ADMIN)
    assert (await world.posts.get(waiting)).image_prompt is None
