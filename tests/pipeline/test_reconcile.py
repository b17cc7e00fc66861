"""A restart mid-run: the next process reconciles every run from ComfyUI's /history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import SystemClock
from core.pipeline import Delivery, ImageView, PipelineService, RunStatus, RunView, StatusTarget
from core.posts.service import PostService
from storage.repos import pipeline as repo
from tests.doubles.comfyui import ComfyUIDouble
from tests.pipeline.support import (
    RecordingObserver,
    add_post,
    comfy_settings,
    open_pipeline,
    wait_for_delivery,
    wait_for_status,
    wait_until,
)

CHAT = StatusTarget(chat_id=42)


class ChatDown(RecordingObserver):
    async def completed(self, run: RunView, images: Sequence[ImageView]) -> Delivery:
        raise ConnectionError("Telegram is unreachable")


async def restart(
    before: PipelineService,
    sessions: async_sessionmaker[AsyncSession],
    comfyui: ComfyUIDouble,
    data_dir: Path,
    observer: RecordingObserver,
    **settings: float,
) -> PipelineService:
    await before.close()
    return await open_pipeline(
        sessions, comfy_settings(comfyui.url, **settings), data_dir, observer
    )


async def test_a_run_still_rendering_is_followed_to_the_end(
    session_factory: async_sessionmaker[AsyncSession], comfyui: ComfyUIDouble, tmp_path: Path
) -> None:
    comfyui.step_delay = 0.03  # about a second of rendering
    first = await open_pipeline(
        session_factory, comfy_settings(comfyui.url), tmp_path, RecordingObserver()
    )
    run = await first.start((await add_post(session_factory),), target=CHAT, user_id=7)
    await wait_for_status(first, run.id, RunStatus.RUNNING)

    observer = RecordingObserver()
    second = await restart(first, session_factory, comfyui, tmp_path, observer)
    try:
        done = await wait_for_delivery(second, run.id)
    finally:
        await second.close()
    assert done.status == RunStatus.COMPLETED
    assert len(comfyui.submissions) == 1  # re-attached, not submitted again
    assert len(observer.of("completed", run.id)) == 1


async def test_a_run_forgotten_by_a_restarted_comfyui_fails_visibly_then_retries(
    session_factory: async_sessionmaker[AsyncSession], comfyui: ComfyUIDouble, tmp_path: Path
) -> None:
    comfyui.never_finish_next()
    first = await open_pipeline(
        session_factory, comfy_settings(comfyui.url, max_runs=1), tmp_path, RecordingObserver()
    )
    lost = await first.start((await add_post(session_factory),), target=CHAT, user_id=7)
    queued = await first.start((await add_post(session_factory),), target=CHAT, user_id=7)
    await wait_for_status(first, lost.id, RunStatus.RUNNING)
    assert (await first.get(queued.id)).status == RunStatus.PENDING

    await comfyui.restart()  # ComfyUI forgets its queue and history
    observer = RecordingObserver()
    second = await restart(first, session_factory, comfyui, tmp_path, observer, max_runs=1)
    try:
        failed = await wait_for_status(second, lost.id, RunStatus.FAILED)
        assert failed.error is not None and "no longer knows run" in failed.error
        await wait_until(lambda: _shown_failed(observer, lost.id))  # shown, with Retry
        assert observer.of("failed", lost.id) == [failed.error]
        await wait_for_delivery(second, queued.id)  # the queued one was submitted now
        retried = await second.replace(lost.id, target=CHAT, user_id=7)
        await wait_for_delivery(second, retried.id)
    finally:
        await second.close()


async def test_candidates_never_shown_are_shown_after_the_restart(
    session_factory: async_sessionmaker[AsyncSession], comfyui: ComfyUIDouble, tmp_path: Path
) -> None:
    first = await open_pipeline(session_factory, comfy_settings(comfyui.url), tmp_path, ChatDown())
    run = await first.start((await add_post(session_factory),), target=CHAT, user_id=7)
    await wait_for_status(first, run.id, RunStatus.COMPLETED)

    observer = RecordingObserver()
    second = await restart(first, session_factory, comfyui, tmp_path, observer)
    try:
        shown = await wait_for_delivery(second, run.id)
    finally:
        await second.close()
    assert shown.pick_message_id == 1000 + run.id
    assert len(observer.of("completed", run.id)) == 1


async def test_a_pick_whose_posts_were_not_linked_yet_is_linked_at_start(
    session_factory: async_sessionmaker[AsyncSession], comfyui: ComfyUIDouble, tmp_path: Path
) -> None:
    first = await open_pipeline(
        session_factory, comfy_settings(comfyui.url), tmp_path, RecordingObserver()
    )
    post_id = await add_post(session_factory)
    run = await first.start((post_id,), target=CHAT, user_id=7)
    await wait_for_delivery(first, run.id)
    async with session_factory.begin() as session:  # the process died right after this
        await repo.set_pick(session, run.id, position=2, user_id=7, at=datetime.now(UTC))

    second = await restart(first, session_factory, comfyui, tmp_path, RecordingObserver())
    posts = PostService(session_factory, SystemClock())

    async def linked() -> bool:
        return (await posts.get(post_id)).status == "ready"

    try:
        await wait_until(linked)
    finally:
        await second.close()


async def _shown_failed(observer: RecordingObserver, run_id: int) -> bool:
    return bool(observer.of("failed", run_id))
