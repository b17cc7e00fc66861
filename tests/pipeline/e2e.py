"""The whole bot with ComfyUI configured, for tests/e2e/test_images*.py."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from bot.settings import Settings
from tests.doubles.comfyui import ComfyUIDouble
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.harness import Harness, make_settings
from tests.pipeline.support import add_post, comfy_settings, prepare_database

SECRET = "whsec_" + base64.b64encode(b"pipeline secret for the e2e test").decode()


async def image_settings(
    api: TelegramApiDouble, llm: FakeLLMServer, comfyui: ComfyUIDouble | None, data_dir: Path,
    **comfy: Any,
) -> Settings:  # fmt: skip
    settings = make_settings(
        api, llm, data_dir, comfy=comfy_settings(comfyui.url if comfyui else None, **comfy),
        pipeline_webhook_secret=SECRET,
    )  # fmt: skip
    await prepare_database(settings.database.database_url)
    return settings


def buttons(call: RecordedCall) -> dict[str, str]:
    rows = call.params["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def add_post_via(harness: Harness, **kwargs: Any) -> int:
    return await add_post(harness.bot.services.sessions, **kwargs)
