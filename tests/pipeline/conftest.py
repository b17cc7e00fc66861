"""A pipeline on the ComfyUI double, on SQLite and PostgreSQL (the `engine` fixtures)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.pipeline import PipelineService
from tests.doubles.comfyui import ComfyUIDouble
from tests.pipeline.support import RecordingObserver, comfy_settings, open_pipeline


@pytest.fixture
def observer() -> RecordingObserver:
    return RecordingObserver()


@pytest.fixture
async def pipeline(
    session_factory: async_sessionmaker[AsyncSession],
    comfyui: ComfyUIDouble,
    observer: RecordingObserver,
    tmp_path: Path,
) -> AsyncIterator[PipelineService]:
    service = await open_pipeline(session_factory, comfy_settings(comfyui.url), tmp_path, observer)
    try:
        yield service
    finally:
        await service.close()
