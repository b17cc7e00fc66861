"""ContentService: a brief stored and handed to the crew, settled once from the crew's run,
listed, waited for, and turned into exactly one post draft."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from core.brands.guidelines import BrandGuidelines
from core.content.requests import ContentRequest
from core.crew.types import Brief
from core.errors import AlreadyDecided, FeatureOff, InvalidTransition, ValidationFailed
from domain.content import ContentStatus
from domain.crew import ContentType, ItemKind
from domain.statuses import PostStatus
from storage.models import CrewContent, Post, PostTransition
from tests.write.conftest import World
from tests.write.fakes import report

BRIEF = Brief(
    campaign_brief="Create blog post about sustainable living",
    target_audience="Young families",
    content_type=ContentType.SOCIAL_MEDIA,
)


def ask(
    brand_id: int | None = None, kind: ContentType = ContentType.SOCIAL_MEDIA
) -> ContentRequest:
    return ContentRequest(BRIEF.model_copy(update={"content_type": kind}), brand_id)


async def test_a_brief_is_stored_as_processing_and_handed_to_the_crew(world: World) -> None:
    acme = await world.brands.save(BrandGuidelines(brand_name="Acme"))
    view = await world.content.create(ask(kind=ContentType.EMAIL), source="api")
    assert view.status == ContentStatus.PROCESSING and not view.finished
    assert view.public_id.startswith("cmp_") and len(view.public_id) == 28
    assert (view.brand_id, view.brand_name) == (acme.brand_id, "Acme")  # the default brand
    [draft] = world.crew.requests
    assert (draft.kind, draft.item_id, draft.channel) == (ItemKind.CONTENT, view.id, "email")
    assert draft.brief == BRIEF.model_copy(update={"content_type": ContentType.EMAIL})
    assert draft.brand_id == acme.brand_id
    assert view.as_json()["validations"] is None and view.as_json()["content"] == ""


async def test_a_brand_picked_by_id_is_the_one_the_crew_judges_by(world: World) -> None:
    await world.brands.save(BrandGuidelines(brand_name="Acme"))
    other = await world.brands.save(BrandGuidelines(brand_name="Green Leaf"))
    view = await world.content.create(ask(other.brand_id), source="telegram", created_by=7)
    assert view.brand_name == "Green Leaf"
    assert world.crew.requests[0].brand_id == other.brand_id


async def test_without_any_brand_the_crew_writes_without_guidelines(world: World) -> None:
    view = await world.content.create(ask(), source="api")
    assert (view.brand_id, view.brand_name) == (None, None)
    assert world.crew.requests[0].brand_id is None


async def test_an_unknown_brand_is_refused_and_nothing_is_stored(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await world.content.create(ask(999), source="api")
    assert caught.value.problems == ["brand_id: there is no brand 999"]
    assert await _rows(world) == 0 and world.crew.requests == []


async def test_with_the_crew_off_nothing_is_kept(world: World) -> None:
    world.crew.off = True
    with pytest.raises(FeatureOff, match="CREW_ENABLED"):
        await world.content.create(ask(), source="api")
    assert await _rows(world) == 0


async def test_progress_then_the_result_settled_once(world: World) -> None:
    view = await world.content.create(ask(), source="api")
    world.crew.tick(view.id, done=2)
    ticking = await world.content.get(view.public_id)
    assert [s.state.value for s in ticking.steps][:3] == ["done", "done", "running"]
    assert ticking.status == ContentStatus.PROCESSING

    world.crew.finish(view.id)
    world.clock.advance(seconds=30)
    done = await world.content.get(view.public_id)
    assert done.status == ContentStatus.COMPLETED
    # The optimizer's rewrite is the final text; the creator's title and hashtags stay.
    assert done.content == "Live lighter today: five easy swaps for a greener home."
    assert (done.title, done.hashtags) == ("Sustainable living", ("#green",))
    assert done.cost_microusd == 500 and done.completed_at == world.clock.now()
    world.clock.advance(seconds=30)
    again = await world.content.get_by_id(view.id)
    assert again.completed_at == done.completed_at  # settled once


async def test_without_a_rewrite_the_creators_text_is_the_content(world: World) -> None:
    view = await world.content.create(ask(), source="api")
    world.crew.finish(view.id, report(rewrite=None))
    assert (await world.content.get_by_id(view.id)).content.startswith("Live lighter: five")


async def test_a_run_without_any_text_fails_with_the_reason(world: World) -> None:
    view = await world.content.create(ask(), source="api")
    world.crew.finish(view.id, report(text=" ", rewrite=None))
    failed = await world.content.get_by_id(view.id)
    assert failed.status == ContentStatus.FAILED and failed.content == ""
    assert failed.error.startswith("The crew's writer could not write it")


async def test_a_failed_run_says_why(world: World) -> None:
    view = await world.content.create(ask(), source="api")
    world.crew.fail(view.id, "The daily LLM budget is spent.")
    failed = await world.content.get(view.public_id)
    assert (failed.status, failed.error) == (ContentStatus.FAILED, "The daily LLM budget is spent.")
    assert failed.as_json()["error"] == "The daily LLM budget is spent."


async def test_recent_lists_newest_first_in_pages(world: World) -> None:
    ids = []
    for _ in range(3):
        ids.append((await world.content.create(ask(), source="api")).id)
        world.clock.advance(seconds=1)
    world.crew.finish(ids[0])
    page = await world.content.recent(offset=0, limit=2)
    assert [v.id for v in page] == [ids[2], ids[1]]
    rest = await world.content.recent(offset=2, limit=2)
    assert [(v.id, v.status) for v in rest] == [(ids[0], ContentStatus.COMPLETED)]


async def test_wait_returns_as_soon_as_it_is_finished_or_at_the_deadline(world: World) -> None:
    view = await world.content.create(ask(), source="api")
    assert not (await world.content.wait(view.id, timeout_s=0.1, poll_s=0.02)).finished
    asyncio.get_running_loop().call_later(0.05, world.crew.finish, view.id)
    done = await world.content.wait(view.id, timeout_s=5, poll_s=0.02)
    assert done.status == ContentStatus.COMPLETED


async def test_one_post_draft_however_many_taps(world: World) -> None:
    view = await world.content.create(ask(), source="telegram", created_by=7)
    world.crew.finish(view.id)
    ids = await asyncio.gather(*(world.content.make_post(view.id, 7) for _ in range(3)))
    assert len(set(ids)) == 1
    async with world.sessions() as session:
        posts = list(await session.scalars(select(Post)))
        moves = list(await session.scalars(select(PostTransition)))
    [post] = posts
    assert (post.id, post.status, post.title) == (ids[0], PostStatus.DRAFT, "Sustainable living")
    assert post.caption == "Live lighter today: five easy swaps for a greener home."
    # Short enough for a photo caption and the design advisor proposed a picture.
    assert (post.format, post.image_prompt) == ("image", "a sunlit kitchen with glass jars")
    assert post.hashtags == ["#green"] and post.approved_at is None
    assert [(m.to_status, m.actor) for m in moves] == [("draft", "user:7")]
    assert (await world.content.get_by_id(view.id)).post_id == post.id


async def test_a_long_text_becomes_a_text_post_and_too_long_is_refused(world: World) -> None:
    long = await world.content.create(ask(), source="api")
    world.crew.finish(long.id, report(rewrite="word " * 400))
    post_id = await world.content.make_post(long.id, 7)
    async with world.sessions() as session:
        post = await session.get(Post, post_id)
    assert post is not None and (post.format, post.image_prompt) == ("text", None)

    blog = await world.content.create(ask(kind=ContentType.BLOG_POST), source="api")
    world.crew.finish(blog.id, report(rewrite="word " * 1000))
    with pytest.raises(InvalidTransition, match="a Telegram post holds 4096"):
        await world.content.make_post(blog.id, 7)


async def test_unfinished_content_is_no_post(world: World) -> None:
    view = await world.content.create(ask(), source="api")
    with pytest.raises(InvalidTransition, match="Only finished content"):
        await world.content.make_post(view.id, 7)


async def test_a_failed_piece_is_tried_again_once_however_many_taps(world: World) -> None:
    failed = await world.content.create(ask(), source="telegram", created_by=7)
    with pytest.raises(InvalidTransition, match="Only a piece the crew could not write"):
        await world.content.retry(failed.id, 7)  # still processing
    world.crew.fail(failed.id)
    results = await asyncio.gather(
        *(world.content.retry(failed.id, 7) for _ in range(3)), return_exceptions=True
    )
    views = [r for r in results if not isinstance(r, BaseException)]
    refusals = [r for r in results if isinstance(r, AlreadyDecided)]
    assert len(views) == 1 and len(refusals) == 2
    assert views[0].brief == failed.brief and views[0].status == ContentStatus.PROCESSING
    assert (await world.content.get_by_id(failed.id)).retry_id == views[0].id
    assert await _rows(world) == 2 and len(world.crew.requests) == 2


async def test_a_retry_with_the_crew_off_keeps_nothing_and_can_be_tapped_again(
    world: World,
) -> None:
    failed = await world.content.create(ask(), source="telegram", created_by=7)
    world.crew.fail(failed.id)
    await world.content.get_by_id(failed.id)  # settled as failed
    world.crew.off = True
    with pytest.raises(FeatureOff):
        await world.content.retry(failed.id, 7)
    assert (await world.content.get_by_id(failed.id)).retry_id is None
    assert await _rows(world) == 1
    world.crew.off = False
    assert (await world.content.retry(failed.id, 7)).id != failed.id


async def _rows(world: World) -> int:
    async with world.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(CrewContent)) or 0)


async def test_a_crew_that_cannot_queue_leaves_no_brief_behind(world: World) -> None:
    async def broken(draft: object) -> None:
        raise ConnectionError("database gone")

    world.crew.request = broken  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await world.content.create(ask(), source="api")
    assert await _rows(world) == 0


async def test_readers_at_once_settle_it_once(world: World) -> None:
    view = await world.content.create(ask(), source="api")
    world.crew.finish(view.id)
    seen = await asyncio.gather(*(world.content.get_by_id(view.id) for _ in range(5)))
    assert {(v.status, v.completed_at, v.content) for v in seen} == {
        (ContentStatus.COMPLETED, world.clock.now(), seen[0].content)
    }
