"""Fixtures for the comfyui test double (registered in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.comfyui import ComfyClient
from tests.doubles.comfyui import ComfyUIDouble


@pytest.fixture
async def comfyui() -> AsyncIterator[ComfyUIDouble]:
    """A fresh ComfyUI double on 127.0.0.1 (ephemeral port): `comfyui.url`."""
    async with ComfyUIDouble() as double:
        yield double


@pytest.fixture
async def comfy_client(comfyui: ComfyUIDouble) -> AsyncIterator[ComfyClient]:
    """A ComfyClient on the double with test-sized timings (poll 50 ms, deadline 5 s)."""
    async with ComfyClient(
        comfyui.url, client_id="copilot-test", poll_interval=0.05, deadline_s=5.0
    ) as client:
        yield client
