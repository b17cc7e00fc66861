"""ComfyClient against the ComfyUI double: submit, watch, history, images, failures."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.comfyui import ComfyClient
from core.comfyui import (
    ComfyRunLost,
    ComfyServerError,
    ComfyTimeout,
    ComfyUnreachable,
    ComfyValidationError,
    ImageRef,
    Progress,
    WorkflowTemplate,
    load_workflow,
    new_seed,
)
from tests.doubles.comfyui import ComfyUIDouble
from tests.doubles.local_server import serve


@pytest.fixture
async def template() -> WorkflowTemplate:
    return await load_workflow()


def workflow(template: WorkflowTemplate, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "prompt": "a lighthouse at dawn",
        "negative_prompt": "text, watermark",
        "seed": 42,
        "width": 512,
        "height": 512,
        "batch_size": 2,
    }
    return template.fill(**(values | overrides))


def client_for(url: str, **kwargs: Any) -> ComfyClient:
    settings: dict[str, Any] = {"poll_interval": 0.05, "deadline_s": 5.0} | kwargs
    return ComfyClient(url, client_id="copilot-test", **settings)


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Progress] = []

    async def __call__(self, progress: Progress) -> None:
        self.seen.append(progress)


async def wait_until_running(double: ComfyUIDouble, url: str, prompt_id: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            async with http.get(url + "/queue") as response:
                running = (await response.json())["queue_running"]
            if running and running[0][1] == prompt_id:
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"{prompt_id} never started")


async def test_happy_path_reports_progress_in_order(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.step_delay = 0.005
    progress = Recorder()

    submitted = await comfy_client.submit(workflow(template), "run-1")
    outcome = await comfy_client.watch("run-1", progress)

    assert (submitted.prompt_id, submitted.already_known) == ("run-1", False)
    assert outcome.ok and not outcome.cached
    assert outcome.images == (
        ImageRef("campaign_copilot_00001_.png"),
        ImageRef("campaign_copilot_00002_.png"),
    )
    done = [p.nodes_done for p in progress.seen]
    percents = [p.percent for p in progress.seen]
    assert done == sorted(done) and percents == sorted(percents)  # type: ignore[type-var]
    assert progress.seen[-1].percent == 100.0
    assert progress.seen[-1].nodes_total == 7
    steps = [p.step for p in progress.seen if p.node_type == "KSampler" and p.step]
    assert steps == sorted(steps) and steps[-1] == 20
    assert progress.seen[-1].images == outcome.images


async def test_placeholders_are_filled_and_each_run_gets_its_own_seed(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    for prompt_id in ("run-a", "run-b"):
        await comfy_client.submit(workflow(template, seed=new_seed()), prompt_id)
        assert (await comfy_client.watch(prompt_id)).ok

    first, second = comfyui.prompts
    assert first["6"]["inputs"]["text"] == "a lighthouse at dawn"
    assert first["7"]["inputs"]["text"] == "text, watermark"
    assert first["5"]["inputs"] == {"width": 512, "height": 512, "batch_size": 2}
    assert first["3"]["inputs"]["seed"] != second["3"]["inputs"]["seed"]
    assert len(comfyui.files) == 4  # a new seed means new images, not the cached ones


async def test_same_workflow_again_is_flagged_as_cached(
    comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    await comfy_client.submit(workflow(template), "first")
    first = await comfy_client.watch("first")
    await comfy_client.submit(workflow(template), "second")

    second = await comfy_client.watch("second")

    assert second.ok and second.cached
    assert second.images == first.images


async def test_a_missing_checkpoint_is_explained_in_plain_words(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.checkpoints = ["sdxl.safetensors"]

    with pytest.raises(ComfyValidationError) as caught:
        await comfy_client.submit(workflow(template), "run-1")

    assert caught.value.problems == [
        "Node 4 (CheckpointLoaderSimple): ckpt_name 'v1-5-pruned-emaonly.safetensors' is not "
        "available on the server (choose one of 'sdxl.safetensors')"
    ]


async def test_out_of_range_values_are_explained(
    comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    with pytest.raises(ComfyValidationError, match=r"Node 5 \(EmptyLatentImage\): width: "):
        await comfy_client.submit(workflow(template, width=8), "run-1")


async def test_a_runtime_error_comes_back_as_a_failed_outcome(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.runtime_error_next(
        "KSampler", "Allocation on device\n", exception_type="torch.OutOfMemoryError"
    )
    await comfy_client.submit(workflow(template), "run-1")

    outcome = await comfy_client.watch("run-1")

    assert outcome.status == "error"
    assert outcome.error == (
        "Node 3 (KSampler) ran out of memory on the image server; try a smaller size or batch"
    )


async def test_a_runtime_error_message_has_no_traceback(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.runtime_error_next("VAEDecode", "cannot decode latent\n")
    await comfy_client.submit(workflow(template), "run-1")

    outcome = await comfy_client.watch("run-1")

    assert outcome.error == "Node 8 (VAEDecode) failed: cannot decode latent"


async def test_an_interrupted_run_says_so(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.never_finish_next()
    await comfy_client.submit(workflow(template), "run-1")
    watching = asyncio.create_task(comfy_client.watch("run-1"))
    await wait_until_running(comfyui, comfyui.url, "run-1")

    async with aiohttp.ClientSession() as http, http.post(comfyui.url + "/interrupt") as response:
        assert response.status == 200
    outcome = await watching

    assert outcome.status == "interrupted"
    assert outcome.error == "The run was interrupted at node 3 (KSampler)"


async def test_cancel_interrupts_a_running_run_and_drops_a_queued_one(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.never_finish_next()
    await comfy_client.submit(workflow(template), "run-1")
    await wait_until_running(comfyui, comfyui.url, "run-1")
    await comfy_client.submit(workflow(template, seed=7), "run-2")

    await comfy_client.cancel("run-2")  # queued: taken off the queue, run-1 untouched
    # No interrupt at all: an older ComfyUI would stop whatever runs, i.e. run-1.
    assert ("POST", "/interrupt") not in [(m, p) for m, p, _ in comfyui.request_log]
    async with aiohttp.ClientSession() as http, http.get(comfyui.url + "/queue") as response:
        queue = await response.json()
    assert [item[1] for item in queue["queue_running"]] == ["run-1"]
    assert queue["queue_pending"] == []

    await comfy_client.cancel("run-1")
    outcome = await comfy_client.watch("run-1")
    assert outcome.status == "interrupted"
    assert await comfy_client.history("run-2") is None  # a dropped run never ran


async def test_an_unreachable_server_fails_fast() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()

    async with client_for(f"http://127.0.0.1:{port}") as client:
        with pytest.raises(ComfyUnreachable, match=f"127.0.0.1:{port} could not be reached"):
            await client.submit({"1": {"class_type": "X", "inputs": {}}}, "run-1")
        assert not await client.system_ok()

    assert time.monotonic() - started < 2


async def test_polling_takes_over_when_the_websocket_is_refused(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.ws_disabled = True
    comfyui.step_delay = 0.002
    progress = Recorder()
    await comfy_client.submit(workflow(template), "run-1")

    outcome = await comfy_client.watch("run-1", progress)

    assert outcome.ok and len(outcome.images) == 2
    assert progress.seen == []
    assert any(path.startswith("/ws") for _, path, _ in comfyui.request_log)


async def test_polling_takes_over_when_the_websocket_drops(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.step_delay = 0.01
    await comfy_client.submit(workflow(template), "run-1")
    watching = asyncio.create_task(comfy_client.watch("run-1"))
    await wait_until_running(comfyui, comfyui.url, "run-1")

    await comfyui.drop_websockets()

    assert (await watching).ok


async def test_a_server_gone_mid_run_fails_the_run_after_a_grace_period(
    template: WorkflowTemplate,
) -> None:
    double = ComfyUIDouble()
    await double.start()
    double.never_finish_next()
    client = client_for(double.url, deadline_s=30.0, unreachable_grace_s=0.3)
    async with client:
        await client.submit(workflow(template), "run-1")
        await wait_until_running(double, double.url, "run-1")
        watching = asyncio.create_task(client.watch("run-1"))
        await double.close()  # the server goes away and stays away
        started = time.monotonic()

        with pytest.raises(ComfyUnreachable, match=r"has not answered for 0\.3 s"):
            await watching

    assert time.monotonic() - started < 5.0  # long before the 30 s deadline


async def test_a_run_that_never_finishes_times_out_at_the_deadline(
    comfyui: ComfyUIDouble, template: WorkflowTemplate
) -> None:
    comfyui.never_finish_next()
    async with client_for(comfyui.url, deadline_s=0.3) as client:
        await client.submit(workflow(template), "run-1")
        started = time.monotonic()

        with pytest.raises(ComfyTimeout, match=r"did not finish run run-1 within 0\.3 s"):
            await client.watch("run-1")

    assert 0.3 <= time.monotonic() - started < 1.5


async def test_a_server_restart_mid_run_is_reported_as_lost(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.never_finish_next()
    await comfy_client.submit(workflow(template), "run-1")
    watching = asyncio.create_task(comfy_client.watch("run-1"))
    await wait_until_running(comfyui, comfyui.url, "run-1")

    await comfyui.restart()

    with pytest.raises(ComfyRunLost, match="no longer knows run run-1"):
        await watching


async def test_resubmitting_the_same_prompt_id_is_idempotent(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.never_finish_next()
    await comfy_client.submit(workflow(template), "run-1")
    await comfy_client.submit(workflow(template, prompt="other"), "run-2")  # stays pending

    again_running = await comfy_client.submit(workflow(template), "run-1")
    again_pending = await comfy_client.submit(workflow(template, prompt="other"), "run-2")

    assert again_running.already_known and again_pending.already_known
    assert len(comfyui.submissions) == 2
    async with aiohttp.ClientSession() as http, http.post(comfyui.url + "/interrupt") as response:
        assert response.status == 200
    assert (await comfy_client.watch("run-2")).ok
    assert (await comfy_client.submit(workflow(template), "run-2")).already_known
    assert len(comfyui.submissions) == 2


async def test_history_is_none_until_the_run_is_over(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.never_finish_next()
    await comfy_client.submit(workflow(template), "run-1")
    await wait_until_running(comfyui, comfyui.url, "run-1")

    assert await comfy_client.history("run-1") is None
    assert await comfy_client.history("never-submitted") is None


async def test_fetch_image_returns_the_png(
    comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    await comfy_client.submit(workflow(template), "run-1")
    outcome = await comfy_client.watch("run-1")

    data = await comfy_client.fetch_image(outcome.images[0])

    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ComfyServerError, match=r"has no image 'gone\.png'"):
        await comfy_client.fetch_image(ImageRef("gone.png"))


async def test_concurrent_runs_each_get_their_own_progress(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    comfyui.step_delay = 0.002
    first, second = Recorder(), Recorder()
    await comfy_client.submit(workflow(template, seed=1), "run-1")
    await comfy_client.submit(workflow(template, seed=2), "run-2")

    outcomes = await asyncio.gather(
        comfy_client.watch("run-1", first), comfy_client.watch("run-2", second)
    )

    assert all(o.ok for o in outcomes)
    assert first.seen and second.seen
    assert {p.prompt_id for p in first.seen} == {"run-1"}
    assert second.seen[-1].percent == 100.0


async def test_a_failing_progress_callback_does_not_lose_the_run(
    comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    async def broken(progress: Progress) -> None:
        raise RuntimeError("chat message vanished")

    await comfy_client.submit(workflow(template), "run-1")

    assert (await comfy_client.watch("run-1", broken)).ok


async def test_no_origin_header_is_ever_sent(
    comfyui: ComfyUIDouble, comfy_client: ComfyClient, template: WorkflowTemplate
) -> None:
    await comfy_client.submit(workflow(template), "run-1")
    await comfy_client.watch("run-1")
    assert await comfy_client.system_ok()

    assert comfyui.request_log
    assert not any("Origin" in headers for _, _, headers in comfyui.request_log)


@pytest.fixture
async def broken_server() -> AsyncIterator[str]:
    async def fail(request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fail)
    async with serve(app) as base_url:
        yield base_url


async def test_a_server_error_is_reported_as_such(broken_server: str) -> None:
    async with client_for(broken_server) as client:
        with pytest.raises(ComfyServerError, match=r"failed \(HTTP 500 on /queue\)"):
            await client.submit({"1": {"class_type": "X", "inputs": {}}}, "run-1")
