"""Settings that are valid but will not work are said at start-up, one line each, naming
the feature: not first when someone taps /suggest or /images."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from decimal import Decimal
from pathlib import Path

import pytest

from bot.runner import _warn_about_models
from core.config import LLMSettings
from core.llm.readiness import AI_FEATURES
from tests.doubles.comfyui import ComfyUIDouble
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import make_settings, running
from tests.pipeline.e2e import image_settings


async def _warm_up_done() -> None:
    for task in asyncio.all_tasks():
        if task.get_name() == "llm-warm-up":
            await task


async def test_an_unpriced_model_and_a_missing_workflow_are_warned_about_at_start(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = tmp_path / "my_workflow_api.json"
    settings = await image_settings(telegram_api, llm_server, comfyui, tmp_path, workflow=missing)
    unpriced = LLMSettings(
        _env_file=None, model="openai/my-gemma", api_base=llm_server.url, api_key="x",
        price_input_per_mtok=None, price_output_per_mtok=Decimal("0"),
    )  # fmt: skip
    settings = dataclasses.replace(settings, llm=unpriced)
    caplog.set_level(logging.WARNING)
    async with running(telegram_api, llm_server, settings):
        await _warm_up_done()
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"COMFYUI_WORKFLOW: Cannot read the workflow file {missing}: No such file or " \
        "directory: image generation (/images, /campaignimages) is off until it is fixed" \
        in warnings  # fmt: skip
    assert [w for w in warnings if w.startswith("LLM_")] == [
        f"LLM_MODEL openai/my-gemma has no known price: {AI_FEATURES} is refused; set "
        "LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK (USD per million tokens, 0 "
        "for a free self-hosted model)"
    ]
    assert llm_server.requests == []  # found out without asking the model


async def test_a_working_setup_starts_without_warnings(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = await image_settings(telegram_api, llm_server, comfyui, tmp_path)
    caplog.set_level(logging.WARNING)
    async with running(telegram_api, llm_server, settings):
        await _warm_up_done()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_no_model_is_said_once(
    telegram_api: TelegramApiDouble, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    _warn_about_models(make_settings(telegram_api, None, tmp_path))
    assert caplog.messages == [f"LLM_MODEL is not set: {AI_FEATURES} is off"]
