"""A campaign plan is shown the persona's approved posts and the shop's (posts without a
persona, e.g. approved from /suggest), never another persona's, with the line to build on
them, and the request carries what it was shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.campaigns.planner import CampaignPlanner, PlanRequest
from core.memory.embedder import BundledEmbedder
from core.memory.retrieval import BUILD_ON
from core.posts.service import PostService
from core.prompting.registry import PromptRegistry
from storage.repos import posts as post_repo
from tests.campaigns.helpers import TZ, MutableClock, build_core, make_persona, post_body
from tests.doubles.fake_llm import FakeLLM
from tests.memory_product.conftest import connected

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
OURS = "Warm evenings: our beeswax candle on the windowsill, lit at dusk."
THEIRS = "Warm evenings: the bakery's cinnamon rolls, fresh at dusk."
SHOPS = "Warm evenings at home: a candle gift box, wrapped and ready for the holidays."


def plan_answer() -> dict[str, Any]:
    return {
        "campaign_name": "Autumn glow",
        "strategy_metadata": {"summary": "Show the candle in use.", "key_message": "Warm",
                              "pillar_mix": {"Product": 1}, "cadence": "Once"},
        "posts": [post_body(1)],
    }  # fmt: skip


async def approved_post(
    sessions: async_sessionmaker[AsyncSession],
    posts: PostService,
    caption: str,
    persona: int | None,
) -> int:
    async with sessions.begin() as session:
        post = await post_repo.create_draft(
            session, title="Candle", caption=caption, hashtags=["#candles"], scheduled_at=None,
            image_prompt=None, suggestion_id=None, actor="test", created_by=1, format="text",
            persona_id=persona,
        )  # fmt: skip
        post_id = post.id
    await posts.approve(post_id, 1)
    return post_id


async def test_a_plan_is_shown_its_personas_and_the_shops_approved_posts(
    session_factory: async_sessionmaker[AsyncSession], bundled: BundledEmbedder
) -> None:
    clock = MutableClock()
    core = build_core(session_factory, clock)
    memory, recorder, recall = connected(session_factory, clock, bundled)
    posts = PostService(session_factory, clock, memory=recorder)
    ours = await make_persona(core.personas)
    theirs = await make_persona(core.personas, name="Corner Bakery")
    kept = await approved_post(session_factory, posts, OURS, ours.id)
    await approved_post(session_factory, posts, THEIRS, theirs.id)
    shop_wide = await approved_post(session_factory, posts, SHOPS, None)
    assert await memory.embed_pending() == 3

    prompts = await PromptRegistry.load(PROMPTS)
    llm = FakeLLM()
    planner = CampaignPlanner(core.personas, prompts, llm, clock, TZ, recall)
    llm.queue(plan_answer())
    request = PlanRequest.model_validate({
        "persona_id": ours.id, "goal": "Launch the autumn candle", "tone": "Warm",
        "audience": "Home lovers", "start_date": "2026-11-22", "end_date": "2026-11-30",
        "post_count": 1, "format_mix": {"image": 1},
    })  # fmt: skip
    await planner.preview(request)

    sent = llm.requests[0]
    text = "\n".join(m.content for m in sent.messages)
    assert BUILD_ON in text and OURS in text and SHOPS in text and THEIRS not in text
    assert sent.retrieval is not None
    assert sorted((r["kind"], r["item_id"]) for r in sent.retrieval) == [
        ("post", kept), ("post", shop_wide),
    ]  # fmt: skip
    assert {r["why"] for r in sent.retrieval} == {"similar"}
