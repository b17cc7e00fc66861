"""What goes wrong, in plain words; at most N runs in flight; progress reports throttled."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.pipeline import PipelineService, RunStatus, StatusTarget
from core.pipeline.throttle import ProgressThrottle
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


async def test_a_missing_model_fails_the_run_with_the_reason(
    pipeline: PipelineService,
    session_factory: async_sessionmaker[AsyncSession],
    comfyui: ComfyUIDouble,
    observer: RecordingObserver,
) -> None:
    comfyui.checkpoints = []  # ComfyUI answers 400 with node_errors
    run = await pipeline.start((await add_post(session_factory),), target=CHAT, user_id=7)
    failed = await wait_for_status(pipeline, run.id, RunStatus.FAILED)
    assert failed.error is not None
    assert "Node 4 (CheckpointLoaderSimple)" in failed.error
    assert "'v1-5-pruned-emaonly.safetensors' is not available on the server" in failed.error
    await wait_until(lambda: _has(observer, "failed", run.id))


async def test_a_runtime_error_fails_the_run_without_a_traceback(
    pipeline: PipelineService,
    session_factory: async_sessionmaker[AsyncSession],
    comfyui: ComfyUIDouble,
) -> None:
    comfyui.runtime_error_next("KSampler", "CUDA error: device-side assert triggered")
    run = await pipeline.start((await add_post(session_factory),), target=CHAT, user_id=7)
    failed = await wait_for_status(pipeline, run.id, RunStatus.FAILED)
    assert failed.error == "Node 3 (KSampler) failed: CUDA error: device-side assert triggered"


async def test_an_unreachable_server_fails_the_run_and_retry_works_once_it_is_back(
    session_factory: async_sessionmaker[AsyncSession], comfyui: ComfyUIDouble, tmp_path: Path
) -> None:
    settings = comfy_settings(f"http://127.0.0.1:{_closed_port()}")
    down = await open_pipeline(session_factory, settings, tmp_path, RecordingObserver())
    try:
        run = await down.start((await add_post(session_factory),), target=CHAT, user_id=7)
        failed = await wait_for_status(down, run.id, RunStatus.FAILED)
    finally:
        await down.close()
    assert failed.error is not None and "could not be reached" in failed.error

    up = await open_pipeline(
        session_factory, comfy_settings(comfyui.url), tmp_path, RecordingObserver()
    )
    try:
        retried = await up.replace(run.id, target=CHAT, user_id=7)
        await wait_for_status(up, retried.id, RunStatus.COMPLETED)
        assert (await up.get(run.id)).status == RunStatus.FAILED  # the failure stays on record
    finally:
        await up.close()


async def test_a_run_that_never_finishes_times_out_at_the_deadline(
    session_factory: async_sessionmaker[AsyncSession], comfyui: ComfyUIDouble, tmp_path: Path
) -> None:
    comfyui.never_finish_next()
    settings = comfy_settings(comfyui.url, deadline_s=0.5)
    service = await open_pipeline(session_factory, settings, tmp_path, RecordingObserver())
    try:
        run = await service.start((await add_post(session_factory),), target=CHAT, user_id=7)
        failed = await wait_for_status(service, run.id, RunStatus.FAILED)
    finally:
        await service.close()
    assert failed.error is not None and "did not finish" in failed.error


async def test_at_most_max_runs_are_in_flight(
    session_factory: async_sessionmaker[AsyncSession], comfyui: ComfyUIDouble, tmp_path: Path
) -> None:
    comfyui.step_delay = 0.01  # 20 sampler steps: each run renders for a while
    settings = comfy_settings(comfyui.url, max_runs=1)
    service = await open_pipeline(session_factory, settings, tmp_path, RecordingObserver())
    try:
        first = await service.start((await add_post(session_factory),), target=CHAT, user_id=7)
        second = await service.start((await add_post(session_factory),), target=CHAT, user_id=7)
        await wait_for_status(service, first.id, RunStatus.RUNNING)
        assert (await service.get(second.id)).status == RunStatus.PENDING
        assert len(comfyui.submissions) == 1  # the second waits for the slot, not in ComfyUI
        await wait_for_status(service, first.id, RunStatus.COMPLETED)
        await wait_for_status(service, second.id, RunStatus.COMPLETED)
    finally:
        await service.close()
    assert len(comfyui.submissions) == 2


async def test_progress_is_throttled_but_the_final_state_always_shows(
    session_factory: async_sessionmaker[AsyncSession], comfyui: ComfyUIDouble, tmp_path: Path
) -> None:
    comfyui.step_delay = 0.02  # about half a second of sampling, ~40 progress frames
    observer = RecordingObserver()
    service = await open_pipeline(
        session_factory, comfy_settings(comfyui.url), tmp_path, observer, throttle_s=0.2
    )
    try:
        run = await service.start((await add_post(session_factory),), target=CHAT, user_id=7)
        await wait_for_delivery(service, run.id)
    finally:
        await service.close()
    reports = observer.of("progress", run.id)
    assert 1 <= len(reports) <= 6, len(reports)
    assert [e[0] for e in observer.events if e[0] != "progress"] == [
        "queued",
        "started",
        "completed",
    ]
    assert observer.events[-1][0] == "completed"


def test_throttle_lets_one_report_through_per_interval() -> None:
    now = [100.0]
    throttle = ProgressThrottle(1.5, now=lambda: now[0])
    seen = []
    for _ in range(10):  # a report every 0.5 s for 5 s
        seen.append(throttle.ready())
        now[0] += 0.5
    assert seen == [True, False, False, True, False, False, True, False, False, True]


async def _has(observer: RecordingObserver, kind: str, run_id: int) -> bool:
    return bool(observer.of(kind, run_id))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
