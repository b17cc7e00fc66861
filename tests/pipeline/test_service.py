"""Runs end to end on the ComfyUI double, on SQLite and PostgreSQL: start, store, pick, link."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import SystemClock
from core.errors import AlreadyDecided, FeatureOff, ValidationFailed
from core.pipeline import PipelineService, RunStatus, StatusTarget
from core.posts.service import PostService
from storage.models import RunImage
from tests.doubles.comfyui import ComfyUIDouble
from tests.pipeline.support import (
    RecordingObserver,
    add_post,
    comfy_settings,
    open_pipeline,
    wait_for_delivery,
    wait_for_status,
)

CHAT = StatusTarget(chat_id=42)


async def post_status(sessions: async_sessionmaker[AsyncSession], post_id: int) -> str:
    return (await PostService(sessions, SystemClock()).get(post_id)).status


async def test_a_run_renders_candidates_and_stores_them(
    pipeline: PipelineService,
    session_factory: async_sessionmaker[AsyncSession],
    comfyui: ComfyUIDouble,
    observer: RecordingObserver,
    tmp_path: Path,
) -> None:
    post_id = await add_post(session_factory)
    run = await pipeline.start((post_id,), target=CHAT, user_id=7)
    assert run.status == RunStatus.PENDING
    assert await post_status(session_factory, post_id) == "awaiting_image"

    done = await wait_for_delivery(pipeline, run.id)
    images = await pipeline.images(run.id)
    assert [image.position for image in images] == [1, 2, 3, 4]
    for image in images:
        data = image.path.read_bytes()
        assert image.path.is_relative_to(tmp_path / "images")
        assert hashlib.sha256(data).hexdigest() == image.sha256 and image.size_bytes == len(data)
    submitted = comfyui.submissions[-1]
    assert submitted["prompt_id"] == run.prompt_id
    assert submitted["prompt"]["6"]["inputs"]["text"] == "a lighthouse at dawn"
    assert submitted["prompt"]["5"]["inputs"]["batch_size"] == 4
    assert submitted["prompt"]["3"]["inputs"]["seed"] == run.seed
    assert [e[0] for e in observer.events][:2] == ["queued", "started"]
    assert done.pick_message_id == 1000 + run.id  # what the chat was sent is recorded
    assert next(i.file_id for i in await pipeline.images(run.id)) == f"photo-{run.id}-1"
    assert done.waiting_for_pick


async def test_pick_links_every_waiting_post_and_moves_approved_ones_on(
    pipeline: PipelineService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    posts = PostService(session_factory, SystemClock())
    plain, approved = await add_post(session_factory), await add_post(session_factory)
    await posts.approve(approved, user_id=7)
    run = await pipeline.start((plain, approved), target=CHAT, user_id=7)
    await wait_for_delivery(pipeline, run.id)

    result = await pipeline.pick(run.id, 3, user_id=7)

    assert result.image.position == 3 and result.image.picked
    assert {(p.post_id, p.status) for p in result.posts} == {
        (plain, "ready"),
        (approved, "scheduled"),
    }
    for post_id in (plain, approved):
        image = await pipeline.image_of_post(post_id)
        assert image is not None and image.position == 3
        assert image.file_id == f"photo-{run.id}-3"  # publishing reuses Telegram's copy
    history = [t.to_status for t in await posts.history(approved)]
    assert history == ["draft", "awaiting_image", "ready", "scheduled"]


async def test_two_picks_at_once_give_one_winner(
    pipeline: PipelineService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    post_id = await add_post(session_factory)
    run = await pipeline.start((post_id,), target=CHAT, user_id=7)
    await wait_for_delivery(pipeline, run.id)

    outcomes = await asyncio.gather(
        pipeline.pick(run.id, 1, user_id=7),
        pipeline.pick(run.id, 2, user_id=8),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    losers = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], AlreadyDecided)
    assert "already picked" in str(losers[0])
    async with session_factory() as session:
        picked = await session.scalar(
            select(func.count()).select_from(RunImage).where(RunImage.picked.is_(True))
        )
    assert picked == 1
    assert await post_status(session_factory, post_id) == "ready"


async def test_regenerate_uses_a_fresh_seed_and_only_once(
    pipeline: PipelineService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    post_id = await add_post(session_factory)
    first = await pipeline.start((post_id,), target=CHAT, user_id=7)
    await wait_for_delivery(pipeline, first.id)

    outcomes = await asyncio.gather(
        pipeline.replace(first.id, target=CHAT, user_id=7),
        pipeline.replace(first.id, target=CHAT, user_id=8),
        return_exceptions=True,
    )

    new_runs = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(new_runs) == 1
    assert isinstance(next(o for o in outcomes if isinstance(o, BaseException)), AlreadyDecided)
    second = await wait_for_status(pipeline, new_runs[0].id, RunStatus.COMPLETED)
    assert second.seed != first.seed and second.post_ids == (post_id,)
    old = await pipeline.get(first.id)
    assert (old.status, old.replaced_by_id) == (RunStatus.CANCELLED, second.id)
    with pytest.raises(AlreadyDecided, match="replaced by run"):
        await pipeline.pick(first.id, 1, user_id=7)
    assert await post_status(session_factory, post_id) == "awaiting_image"


async def test_edit_prompt_starts_a_run_with_the_new_words(
    pipeline: PipelineService,
    session_factory: async_sessionmaker[AsyncSession],
    comfyui: ComfyUIDouble,
) -> None:
    run = await pipeline.start((await add_post(session_factory),), target=CHAT, user_id=7)
    await wait_for_delivery(pipeline, run.id)
    with pytest.raises(ValidationFailed, match="empty"):
        await pipeline.replace(run.id, target=CHAT, user_id=7, prompt="   ")
    new = await pipeline.replace(run.id, target=CHAT, user_id=7, prompt="a red  boat")
    await wait_for_status(pipeline, new.id, RunStatus.COMPLETED)
    assert comfyui.submissions[-1]["prompt"]["6"]["inputs"]["text"] == "a red boat"


async def test_cancel_puts_the_posts_back(
    pipeline: PipelineService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    post_id = await add_post(session_factory)
    run = await pipeline.start((post_id,), target=CHAT, user_id=7)
    await wait_for_delivery(pipeline, run.id)
    result = await pipeline.cancel(run.id, user_id=7)
    assert result.run.status == RunStatus.CANCELLED
    assert [(p.post_id, p.status) for p in result.posts] == [(post_id, "draft")]
    with pytest.raises(AlreadyDecided, match="already cancelled"):
        await pipeline.cancel(run.id, user_id=8)
    assert (await pipeline.waiting_for_pick()).total == 0


async def test_posts_that_cannot_get_a_run_are_refused_with_reasons(
    pipeline: PipelineService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    text_post = await add_post(session_factory, format="text")
    no_prompt = await add_post(session_factory, image_prompt=None)
    busy = await add_post(session_factory)
    run = await pipeline.start((busy,), target=CHAT, user_id=7)
    with pytest.raises(ValidationFailed) as refused:
        await pipeline.start((text_post, no_prompt, busy), target=CHAT, user_id=7)
    assert refused.value.problems == [
        f"Post #{text_post} is a text post; it needs no image.",
        f"Post #{no_prompt} has no image prompt; send /images {no_prompt} followed by what "
        "the picture should show.",
        f"Post #{busy} already waits on image run #{run.id}; pick, regenerate or cancel that "
        "one first (/pickimage).",
    ]
    assert await post_status(session_factory, no_prompt) == "draft"
    given = await pipeline.start((no_prompt,), target=CHAT, user_id=7, prompt="a red boat")
    assert given.image_prompt == "a red boat"


async def test_without_comfyui_url_image_features_say_they_are_off(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    service = await open_pipeline(
        session_factory, comfy_settings(None), tmp_path, RecordingObserver()
    )
    try:
        assert not service.enabled
        with pytest.raises(FeatureOff, match="COMFYUI_URL"):
            await service.start((1,), target=CHAT, user_id=7)
        with pytest.raises(FeatureOff, match="COMFYUI_URL"):
            await service.waiting_for_pick()
    finally:
        await service.close()
