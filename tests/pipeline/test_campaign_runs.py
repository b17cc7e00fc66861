"""/campaignimages: one run per distinct prompt; one pick links every post sharing it."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import NotFound
from core.pipeline import ImageRequest, PipelineService, RunStatus, StatusTarget
from tests.pipeline.support import add_campaign, add_post, wait_for_delivery

CHAT = StatusTarget(chat_id=42)


async def test_posts_sharing_a_prompt_share_a_run(
    pipeline: PipelineService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    campaign = await add_campaign(session_factory)

    async def post(prompt: str | None, format: str = "image") -> int:
        return await add_post(
            session_factory, campaign_id=campaign, image_prompt=prompt, format=format
        )

    shop_a, shop_b = await post("A cosy  shop"), await post("a cosy shop")
    boat = await post("a red boat")
    await post("anything", format="text")  # needs no image: not even mentioned
    bare = await post(None)
    await add_post(session_factory, image_prompt="a cosy shop")  # another campaign's

    plan = await pipeline.campaign_plan(campaign)

    assert plan.requests == (
        ImageRequest((shop_a, shop_b), "A cosy shop"),
        ImageRequest((boat,), "a red boat"),
    )
    assert plan.skipped == (
        f"Post #{bare} has no image prompt; send /images {bare} followed by what the "
        "picture should show.",
    )
    shared = plan.requests[0]
    run = await pipeline.start(shared.post_ids, target=CHAT, user_id=7, prompt=shared.prompt)
    await wait_for_delivery(pipeline, run.id)
    result = await pipeline.pick(run.id, 1, user_id=7)
    assert {(p.post_id, p.status) for p in result.posts} == {(shop_a, "ready"), (shop_b, "ready")}

    again = await pipeline.campaign_plan(campaign)  # the shop posts have their image now
    assert [r.post_ids for r in again.requests] == [(boat,)]
    assert (await pipeline.get(run.id)).status == RunStatus.COMPLETED


async def test_an_unknown_campaign_is_named(pipeline: PipelineService) -> None:
    with pytest.raises(NotFound, match="Campaign #99 does not exist"):
        await pipeline.campaign_plan(99)
