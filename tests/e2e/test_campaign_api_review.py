"""The campaign-planning design's example sent to the running bot's REST API, then reviewed
in Telegram: each suggestion is "pending" until a person decides on its post."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from storage.models import Post, Suggestion
from tests.design_examples import assert_same_shape, design_json, design_request
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import buttons, make_persona
from tests.e2e.harness import Harness, make_settings, running, with_api

TOKEN = "api-token-for-the-e2e-test"


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    """The whole bot with the REST API on, on SQLite and on PostgreSQL."""
    settings = make_settings(telegram_api, llm_server, tmp_path, database_url=database_url)
    async with running(telegram_api, llm_server, with_api(settings, TOKEN)) as harness:
        yield harness


async def _statuses(harness: Harness) -> list[str]:
    async with harness.bot.services.sessions() as session:
        rows = await session.execute(select(Suggestion.status).order_by(Suggestion.id))
        return list(rows.scalars())


async def test_the_designs_example_through_the_api_then_reviewed_in_telegram(
    harness: Harness,
) -> None:
    persona = await make_persona(harness)
    assert persona.id == 1  # the design's persona_id
    url = f"http://127.0.0.1:{harness.bot.services.settings.web.port}/api/campaigns"
    async with aiohttp.ClientSession() as http:
        answer = await http.post(
            url, json=design_request(datetime.now(UTC)),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )  # fmt: skip
        body = await answer.json()
    assert answer.status == 201, body
    assert_same_shape(design_json("campaign_planning/response_201.json"), body)
    assert [s["status"] for s in body["suggestions"]] == ["pending", "pending"]
    assert await _statuses(harness) == ["pending", "pending"]

    harness.send("/approve")
    cookies = await harness.said("Cookie Recipe")
    gifts = await harness.said("Gift Guide Day 1")
    assert "Format:</b> 🎞 reel" in cookies.params["text"]
    assert "Format:</b> 🗂 carousel" in gifts.params["text"]
    harness.tap(harness.message_id_of(cookies), buttons(cookies)["✅ Approve"])
    await harness.api.wait_for("answerCallbackQuery", lambda c: "Approved" in str(c.params))
    harness.tap(harness.message_id_of(gifts), buttons(gifts)["🗑 Reject"])
    await harness.api.wait_for("answerCallbackQuery", lambda c: "Rejected" in str(c.params))
    assert await _statuses(harness) == ["accepted", "rejected"]
    async with harness.bot.services.sessions() as session:
        posts = (await session.execute(select(Post).order_by(Post.id))).scalars().all()
    assert [(p.status, p.approved_at is not None) for p in posts] == [
        ("draft", True),  # a reel waits for its picture before it can be scheduled
        ("rejected", False),
    ]
