"""POST /webhooks/pipeline through the real route: signatures, window, replays, limits."""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.pipeline_callbacks import CALLBACKS, MAX_BODY_BYTES, PATH, pipeline_webhook
from core.pipeline import PipelineService, RunStatus, StatusTarget
from core.standard_webhooks import SIGNATURE_HEADER, sign, signed_headers
from storage.models import RunImage
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

SECRET = "whsec_" + base64.b64encode(b"new pipeline secret 32 bytes....").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"old pipeline secret 32 bytes....").decode()
CHAT = StatusTarget(chat_id=42)


@pytest.fixture
async def slow_watcher(
    session_factory: async_sessionmaker[AsyncSession],
    comfyui: ComfyUIDouble,
    observer: RecordingObserver,
    tmp_path: Path,
) -> AsyncIterator[PipelineService]:
    """A watcher that would notice the end only after 30 s: the callback must be faster."""
    comfyui.ws_disabled = True
    comfyui.step_delay = 0.02  # still rendering at the watcher's first look
    settings = comfy_settings(comfyui.url, poll_interval_s=30.0, deadline_s=60.0)
    service = await open_pipeline(session_factory, settings, tmp_path, observer)
    try:
        yield service
    finally:
        await service.close()


async def serve(pipeline: PipelineService, secret: str | None) -> TestClient[Any, Any]:
    app = web.Application()
    app[CALLBACKS] = pipeline.callbacks(secret)
    app.router.add_post(PATH, pipeline_webhook)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def client(slow_watcher: PipelineService) -> AsyncIterator[TestClient[Any, Any]]:
    client = await serve(slow_watcher, SECRET)
    try:
        yield client
    finally:
        await client.close()


async def finished_on_server(comfyui: ComfyUIDouble, prompt_id: str) -> None:
    async def in_history() -> bool:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{comfyui.url}/history/{prompt_id}") as response,
        ):
            return prompt_id in await response.json()

    await wait_until(in_history)


def event(prompt_id: str, kind: str = "completed", **data: str) -> bytes:
    return json.dumps(
        {"type": f"pipeline.run.{kind}", "data": {"prompt_id": prompt_id, **data}}
    ).encode()


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    return signed_headers(secret, f"msg_{uuid.uuid4().hex}", at or int(time.time()), body)


async def running_run(pipeline: PipelineService, sessions: async_sessionmaker[AsyncSession]) -> Any:
    run = await pipeline.start((await add_post(sessions),), target=CHAT, user_id=7)
    return await wait_for_status(pipeline, run.id, RunStatus.RUNNING)


async def test_a_completed_callback_applies_the_result_once_and_sooner(
    client: TestClient[Any, Any],
    slow_watcher: PipelineService,
    session_factory: async_sessionmaker[AsyncSession],
    observer: RecordingObserver,
    comfyui: ComfyUIDouble,
) -> None:
    run = await running_run(slow_watcher, session_factory)
    await finished_on_server(comfyui, run.prompt_id)
    body = event(run.prompt_id)
    headers = signed(body)

    response = await client.post(PATH, data=body, headers=headers)
    assert response.status == 200 and await response.json() == {"status": "accepted"}
    await wait_for_status(slow_watcher, run.id, RunStatus.COMPLETED, within=5)
    await wait_for_delivery(slow_watcher, run.id)

    replay = await client.post(PATH, data=body, headers=headers)  # the same delivery again
    assert replay.status == 200 and await replay.json() == {"status": "duplicate"}
    again = await client.post(PATH, data=body, headers=signed(body))  # a new id, same news
    assert again.status == 200
    async with session_factory() as session:
        stored = await session.scalar(select(func.count()).select_from(RunImage))
    assert stored == 4
    assert len(observer.of("completed", run.id)) == 1


async def test_a_failed_callback_fails_the_run_with_its_error(
    client: TestClient[Any, Any],
    slow_watcher: PipelineService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    run = await running_run(slow_watcher, session_factory)
    body = event(run.prompt_id, "failed", error="GPU fell off the bus")
    response = await client.post(PATH, data=body, headers=signed(body))
    assert response.status == 200
    failed = await wait_for_status(slow_watcher, run.id, RunStatus.FAILED, within=5)
    assert failed.error == "The image pipeline reported a failure: GPU fell off the bus"


async def test_a_rotated_secret_is_accepted_in_either_direction(
    client: TestClient[Any, Any], slow_watcher: PipelineService
) -> None:
    body = event("unknown-prompt")
    headers = signed(body, secret=OLD_SECRET)
    # The sender signs with the old and the new secret during the rotation.
    new_signature = sign(SECRET, headers["webhook-id"], int(headers["webhook-timestamp"]), body)
    headers[SIGNATURE_HEADER] = f"{headers[SIGNATURE_HEADER]} {new_signature}"
    both = await client.post(PATH, data=body, headers=headers)
    assert both.status == 200 and await both.json() == {"status": "ignored"}

    # We accept the old and the new secret; the sender still signs with the old one only.
    rotating = await serve(slow_watcher, f"{SECRET} {OLD_SECRET}")
    try:
        old_only = await rotating.post(PATH, data=body, headers=signed(body, secret=OLD_SECRET))
        assert old_only.status == 200
    finally:
        await rotating.close()


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("bad signature", 401),
        ("no signature", 401),
        ("other secret", 401),
        ("stale", 400),
        ("from the future", 400),
        ("bad json", 400),
        ("no prompt id", 400),
        ("too big", 413),
    ],
)
async def test_refused_callbacks(client: TestClient[Any, Any], case: str, status: int) -> None:
    body, headers = _refused_case(case)
    data = io.BytesIO(body) if len(body) > MAX_BODY_BYTES else body  # aiohttp's advice
    response = await client.post(PATH, data=data, headers=headers)
    assert response.status == status
    assert "error" in await response.json()


async def test_a_big_chunked_body_is_cut_off_at_the_limit(client: TestClient[Any, Any]) -> None:
    chunk = b" " * 65536

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    headers = signed(b"whatever")
    response = await client.post(PATH, data=endless(), headers=headers)
    assert response.status == 413


async def test_unknown_prompt_id_is_ignored_with_2xx(client: TestClient[Any, Any]) -> None:
    body = event("not-ours")
    response = await client.post(PATH, data=body, headers=signed(body))
    assert response.status == 200 and await response.json() == {"status": "ignored"}


async def test_without_a_secret_callbacks_are_refused(slow_watcher: PipelineService) -> None:
    client = await serve(slow_watcher, None)
    try:
        body = event("x")
        response = await client.post(PATH, data=body, headers=signed(body))
        assert response.status == 503
        assert "PIPELINE_WEBHOOK_SECRET" in (await response.json())["error"]
    finally:
        await client.close()


def _refused_case(case: str) -> tuple[bytes, dict[str, str]]:
    body = event("some-prompt")
    now = int(time.time())
    if case == "bad signature":
        headers = signed(body)
        headers[SIGNATURE_HEADER] = "v1," + base64.b64encode(b"x" * 32).decode()
        return body, headers
    if case == "no signature":
        return body, {"webhook-id": "msg_1", "webhook-timestamp": str(now)}
    if case == "other secret":
        return body, signed(body, secret="whsec_" + base64.b64encode(b"someone else").decode())
    if case == "stale":
        return body, signed(body, at=now - 301)
    if case == "from the future":
        return body, signed(body, at=now + 301)
    if case == "bad json":
        return b"{not json", signed(b"{not json")
    if case == "no prompt id":
        broken = json.dumps({"type": "pipeline.run.completed", "data": {}}).encode()
        return broken, signed(broken)
    big = b" " * MAX_BODY_BYTES + event("x")
    return big, signed(big)
