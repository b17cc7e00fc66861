"""The bot stops while a run renders; the next start on the same database reconciles it."""

from __future__ import annotations

from pathlib import Path

from tests.doubles.comfyui import ComfyUIDouble
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import running
from tests.pipeline.e2e import add_post_via, buttons, image_settings


async def test_a_run_rendering_through_a_restart_is_delivered_after_it(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    tmp_path: Path,
) -> None:
    comfyui.step_delay = 0.1  # about two seconds of rendering
    settings = await image_settings(telegram_api, llm_server, comfyui, tmp_path)
    async with running(telegram_api, llm_server, settings) as first:
        first.send(f"/images {await add_post_via(first)}")
        await first.said("rendering started")
    async with running(telegram_api, llm_server, settings) as second:
        await second.said("finished: 4 candidates below", within=20)
        pick = await second.said("Pick an image for post")
        second.tap(second.message_id_of(pick), buttons(pick)["Pick 4"])
        await second.said("Image 4 of Image run #1 picked")
    assert len(comfyui.submissions) == 1


async def test_a_run_lost_by_a_comfyui_restart_fails_visibly_with_retry(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    tmp_path: Path,
) -> None:
    comfyui.never_finish_next()
    settings = await image_settings(telegram_api, llm_server, comfyui, tmp_path)
    async with running(telegram_api, llm_server, settings) as first:
        first.send(f"/images {await add_post_via(first)}")
        await first.said("rendering started")
    await comfyui.restart()
    async with running(telegram_api, llm_server, settings) as second:
        failed = await second.said("no longer knows run")
        assert "Image run #1</b> failed" in failed.params["text"]
        second.tap(second.message_id_of(failed), buttons(failed)["🔁 Retry"])
        await second.said("Image run #1 was replaced by Image run #2")
        await second.said("Pick an image for post")
