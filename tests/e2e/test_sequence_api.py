"""The email campaign builder design's example sent to the running bot's REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.sequence_jobs import HOLD_JOB, WRITE_JOB
from tests.design_examples import design_json
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import Harness, make_settings, running, with_api

TOKEN = "api-token-for-the-sequence-test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    settings = make_settings(telegram_api, llm_server, tmp_path, database_url=database_url)
    async with running(telegram_api, llm_server, with_api(settings, TOKEN)) as harness:
        yield harness


async def test_the_designs_example_creates_a_sequence_on_the_running_bot(harness: Harness) -> None:
    body = design_json("email_sequences/request.json")
    async with aiohttp.ClientSession(harness.web_url, headers=AUTH) as http:
        async with http.post("/api/sequences", json=body) as response:
            assert response.status == 201, await response.text()
            created = await response.json()
        async with http.get(f"/api/sequences/{created['id']}") as response:
            shown = await response.json()
        async with http.post("/api/sequences", json=body | {"weekly_days": [0, 3]}) as response:
            refused = (response.status, await response.json())
    assert created["planned_send_times"] == shown["planned_send_times"]
    assert len(created["planned_send_times"]) >= 24
    assert all(t[11:16] == "09:00" for t in created["planned_send_times"])  # TIMEZONE Berlin
    assert refused == (422, {"error": "Validation failed",
                             "details": ["Weekly day #1: must be at least 1"]})  # fmt: skip
    jobs = {job.id for job in harness.bot.scheduler.get_jobs()}
    assert {WRITE_JOB, HOLD_JOB} <= jobs
    # Nothing was sent: nothing was approved.
    assert not [c for c in harness.api.calls if c.method == "sendMessage"]
