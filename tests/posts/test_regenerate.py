"""🔄 Regenerate on a post: a new caption and hashtags, stored only over the words the card showed.

On SQLite and PostgreSQL, with a scripted model (tests/doubles/fake_llm.py) and the real
prompt registry, so the rendered regenerate_post template is what a model would read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import update

from core.errors import (
    AlreadyDecided,
    BudgetExceeded,
    InvalidTransition,
    LLMError,
    LLMTimeout,
    NotFound,
    ValidationFailed,
)
from core.llm.types import LLMRequest, LLMResult, T
from core.posts.regenerate import PostRegenerator, PostRewrite, TextPostRewrite, schema_for
from core.posts.views import PostView
from core.prompting.registry import PromptRegistry
from core.redo import Redone
from domain.statuses import PostStatus as S
from storage.models import Post
from tests.campaigns.helpers import TZ, Core, make_persona, plan_body
from tests.doubles.fake_llm import FakeLLM

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
NEW: dict[str, object] = {
    "caption": "  Evenings glow brighter with beeswax.  ",
    "hashtags": ["acme", "#Cosy home"],
}


@pytest.fixture
def llm() -> FakeLLM:
    return FakeLLM()


@pytest.fixture
async def regenerator(core: Core, llm: FakeLLM) -> PostRegenerator:
    prompts = await PromptRegistry.load(PROMPTS)
    await prompts.sync(core.sessions)
    return PostRegenerator(core.posts, core.personas, prompts, llm, TZ)


async def _post(core: Core, **overrides: object) -> PostView:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, 1)
    body["posts"][0].update(overrides)
    created = await core.campaigns.create(body, actor="api", model="api")
    return created.posts[0]


def _prompt(llm: FakeLLM) -> tuple[str, str]:
    system, user = llm.requests[-1].messages
    return system.content, user.content


async def test_regenerate_stores_the_new_text_and_withdraws_the_approval(
    core: Core, regenerator: PostRegenerator, llm: FakeLLM
) -> None:
    post = await _post(core)
    approved = await core.posts.approve(post.id, user_id=5)
    llm.queue(NEW)

    redone = await regenerator.regenerate(post.id, approved.revision, user_id=5)

    view = redone.view
    assert not redone.repeated
    assert view.caption == "Evenings glow brighter with beeswax."
    assert view.hashtags == ("#acme", "#Cosyhome")
    assert (view.approved, view.approved_by, view.status) == (False, None, "draft")
    assert view.revision != approved.revision
    assert await core.posts.get(post.id) == view
    request = llm.requests[0]
    assert request.prompt is not None and request.prompt.name == "regenerate_post"
    assert request.fresh  # the person rejected the caption: never the cached answer
    assert request.prompt.version >= 1
    moves = [(t.from_status, t.to_status) for t in await core.posts.history(post.id)]
    assert moves == [(None, "draft")]  # new words, not a new status


async def test_the_prompt_carries_the_persona_and_the_post(
    core: Core, regenerator: PostRegenerator, llm: FakeLLM
) -> None:
    post = await _post(core, format="text", caption_draft="Old <words> here.")
    llm.queue(NEW)
    await regenerator.regenerate(post.id, post.revision, user_id=1)
    system, user = _prompt(llm)
    assert "Persona: Acme Candles" in system
    assert "No discounts, no health claims." in system
    assert "- tone: warm" in system and "- always: #acme" in system
    assert "- max_per_post: 5" in system
    assert "Old <words>" not in system  # the current caption is data, in the user message
    assert "<caption>\nOld <words> here.\n</caption>" in user
    assert "- Title: Post 1" in user and "- Content pillar: Product" in user
    assert "- Description: A close-up of the new candle on a windowsill" in user
    assert "- Format: text" in user and "must fit in\n4096 characters." in user
    assert "- Goes out: 2026-11-22 13:00 (Sunday) (Europe/Berlin)" in user
    assert "Current hashtags: #autumn #candles" in user


async def test_a_post_without_persona_gets_a_plain_voice(
    core: Core, regenerator: PostRegenerator, llm: FakeLLM
) -> None:
    post = await _post(core)
    async with core.sessions.begin() as session:
        await session.execute(update(Post).where(Post.id == post.id).values(persona_id=None))
    llm.queue(NEW)
    view = (await regenerator.regenerate(post.id, post.revision, user_id=1)).view
    system, _ = _prompt(llm)
    assert "No persona was given" in system and "Persona:" not in system
    assert view.caption == "Evenings glow brighter with beeswax."


async def test_the_same_caption_again_is_reported_and_not_stored(
    core: Core, regenerator: PostRegenerator, llm: FakeLLM
) -> None:
    post = await _post(core)
    approved = await core.posts.approve(post.id, user_id=5)
    # The same words, spaced and cased differently, with other hashtags.
    llm.queue({"caption": f"  {approved.caption.upper()} ", "hashtags": ["#other"]})

    redone = await regenerator.regenerate(post.id, approved.revision, user_id=5)

    assert redone.repeated
    assert redone.view == approved == await core.posts.get(post.id)  # approval kept too
    assert len(llm.requests) == 1


async def test_a_stale_card_is_refused_before_asking_the_model(
    core: Core, regenerator: PostRegenerator, llm: FakeLLM
) -> None:
    post = await _post(core)
    await core.posts.edit_caption(post.id, "Edited by a person", user_id=1)
    with pytest.raises(AlreadyDecided, match="changed since this card was shown"):
        await regenerator.regenerate(post.id, post.revision, user_id=1)
    assert llm.requests == []
    assert (await core.posts.get(post.id)).caption == "Edited by a person"


FINAL = {
    S.REJECTED: [S.REJECTED],
    S.PUBLISHING: [S.AWAITING_IMAGE, S.READY, S.SCHEDULED, S.PUBLISHING],
}


@pytest.mark.parametrize("status", sorted(FINAL))
async def test_a_final_caption_is_refused_before_asking_the_model(
    core: Core, regenerator: PostRegenerator, llm: FakeLLM, status: S
) -> None:
    post = await _post(core)
    for step in FINAL[status]:
        await core.posts.transition(post.id, step, actor="test")
    with pytest.raises(InvalidTransition, match=f"is {status}; its caption is final"):
        await regenerator.regenerate(post.id, post.revision, user_id=1)
    assert llm.requests == []


async def test_unknown_post(regenerator: PostRegenerator) -> None:
    with pytest.raises(NotFound, match="Post #404 does not exist"):
        await regenerator.regenerate(404, 0, user_id=1)


@pytest.mark.parametrize(
    "failure",
    [LLMError("The model gave no usable answer."), LLMTimeout("slow"), BudgetExceeded("cap")],
    ids=["invalid-answer", "timeout", "budget"],
)
async def test_a_failed_call_changes_nothing(
    core: Core, regenerator: PostRegenerator, llm: FakeLLM, failure: LLMError
) -> None:
    post = await _post(core)
    approved = await core.posts.approve(post.id, user_id=5)
    llm.queue(failure)
    with pytest.raises(type(failure)):
        await regenerator.regenerate(post.id, approved.revision, user_id=5)
    assert await core.posts.get(post.id) == approved


Action = Callable[[], Awaitable[object]]


@dataclass
class Meanwhile:
    """A model during whose call something else happens to the post."""

    llm: FakeLLM
    action: Action

    async def generate(self, request: LLMRequest, schema: type[T]) -> LLMResult[T]:
        await self.action()
        return await self.llm.generate(request, schema)


async def _meanwhile(core: Core, llm: FakeLLM, action: Action) -> PostRegenerator:
    prompts = await PromptRegistry.load(PROMPTS)
    return PostRegenerator(core.posts, core.personas, prompts, Meanwhile(llm, action), TZ)


async def test_an_edit_during_the_call_wins_and_the_answer_is_dropped(
    core: Core, llm: FakeLLM
) -> None:
    post = await _post(core)
    regenerator = await _meanwhile(
        core, llm, lambda: core.posts.edit_caption(post.id, "A person's words", user_id=2)
    )
    llm.queue(NEW)
    with pytest.raises(AlreadyDecided, match="changed meanwhile; the new text was not stored"):
        await regenerator.regenerate(post.id, post.revision, user_id=1)
    assert llm.requests  # the model did answer
    assert (await core.posts.get(post.id)).caption == "A person's words"


async def test_a_rejection_during_the_call_wins(core: Core, llm: FakeLLM) -> None:
    post = await _post(core)
    regenerator = await _meanwhile(core, llm, lambda: core.posts.reject(post.id, user_id=2))
    llm.queue(NEW)
    with pytest.raises(InvalidTransition, match="is rejected; its caption is final"):
        await regenerator.regenerate(post.id, post.revision, user_id=1)
    view = await core.posts.get(post.id)
    assert (view.caption, view.status) == (post.caption, "rejected")


async def test_two_regenerations_of_one_card_store_one_answer(
    core: Core, regenerator: PostRegenerator, llm: FakeLLM
) -> None:
    post = await _post(core)
    llm.queue({"caption": "First", "hashtags": ["#a"]}, {"caption": "Second", "hashtags": ["#b"]})
    results = await asyncio.gather(
        *(regenerator.regenerate(post.id, post.revision, user_id=n) for n in (1, 2)),
        return_exceptions=True,
    )
    stored = [r.view for r in results if isinstance(r, Redone)]
    assert len(stored) == 1
    assert [type(r) for r in results if not isinstance(r, Redone)] == [AlreadyDecided]
    assert (await core.posts.get(post.id)).caption == stored[0].caption


async def test_changed_hashtags_alone_make_the_card_stale(core: Core) -> None:
    """The conditional update compares every shown field, the JSON hashtags included."""
    post = await _post(core)
    async with core.sessions.begin() as session:
        await session.execute(update(Post).where(Post.id == post.id).values(hashtags=["#other"]))
    with pytest.raises(AlreadyDecided, match="changed meanwhile"):
        await core.posts.replace_text(post, "New words", ["#new"], user_id=1)
    assert (await core.posts.get(post.id)).caption == post.caption


async def test_replace_text_stores_when_nothing_changed(core: Core) -> None:
    created = await _post(core, format="text")
    async with core.sessions.begin() as session:  # no image: the NULL branch of the check
        await session.execute(update(Post).where(Post.id == created.id).values(image_prompt=None))
    post = await core.posts.get(created.id)
    core.clock.advance(minutes=1)
    view = await core.posts.replace_text(post, " New words ", ["#new"], user_id=1)
    assert (view.caption, view.hashtags) == ("New words", ("#new",))
    assert (view.image_prompt, view.updated_at) == (None, core.clock.now())


async def test_replace_text_uses_the_caption_checks(core: Core) -> None:
    post = await _post(core)
    with pytest.raises(ValidationFailed, match="is 1030 characters; 1024 is the most"):
        await core.posts.replace_text(post, "x" * 1020, ["#abcdefg"], user_id=1)
    with pytest.raises(ValidationFailed, match="empty"):
        await core.posts.replace_text(post, "  ", ["#a"], user_id=1)
    assert await core.posts.get(post.id) == post


def test_the_answer_must_fit_the_format() -> None:
    long = {"caption": "x" * 1500, "hashtags": ["#candles"]}
    assert schema_for("image") is PostRewrite and schema_for(None) is PostRewrite
    assert schema_for("text") is TextPostRewrite
    with pytest.raises(ValidationError, match="1510 characters; 1024 is the most"):
        PostRewrite.model_validate(long)
    assert TextPostRewrite.model_validate(long).caption == "x" * 1500
    tags = PostRewrite.model_validate({"caption": "Hi", "hashtags": ["#a b", "", "#ok"]}).hashtags
    assert tags == ["#ab", "#ok"]
