"""The whole bot running (tests/e2e/harness.py) with its web server, and a client that
signs its requests as the Mini App does: `Authorization: tma <initData>`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import AnyHttpUrl

from tests.campaigns.helpers import MutableClock
from tests.doubles.init_data import sign_init_data
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, Harness, make_settings, running
from tests.e2e.sequence_support import MONDAY

# The bot runs on Monday 4 March 2030, 11:00 Berlin, as tests/review_queue's does: its
# seeds (a campaign from ten days later, sequence emails from Tuesday) fit that day.
NOW = MONDAY
TOKEN = "123456:TEST"  # make_settings' bot token
ANN = {"id": ADMIN, "first_name": "Ann", "username": "ann"}


def signed(user: dict[str, Any] | None = None, *, age_s: int = 60, token: str = TOKEN) -> str:
    """Signed `age_s` seconds before the bot's clock (NOW)."""
    return sign_init_data(token, user or ANN, auth_date=int(NOW.timestamp()) - age_s)


@dataclass
class AppClient:
    harness: Harness
    http: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return self.harness.web_url

    async def get(
        self, path: str, *, init: str | None = None, auth: bool = True
    ) -> tuple[int, str, Any]:
        headers = {"Authorization": f"tma {init or signed()}"} if auth else {}
        async with self.http.get(self.base + path, headers=headers) as response:
            return response.status, await response.text(), response.headers

    async def post(
        self, path: str, body: Any, *, init: str | None = None, content_type: str | None = None
    ) -> tuple[int, Any]:
        headers = {
            "Authorization": f"tma {init or signed()}",
            "Content-Type": content_type or "application/json",
        }
        data = body if isinstance(body, str) else json.dumps(body)
        async with self.http.post(self.base + path, data=data, headers=headers) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text

    async def get_json(self, path: str) -> Any:
        status, text, _ = await self.get(path)
        assert status == 200, text
        return json.loads(text)


@pytest.fixture
async def app(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[AppClient]:
    settings = make_settings(telegram_api, llm_server, tmp_path, database_url=database_url)
    base = AnyHttpUrl("https://bot.example.com")
    settings = replace(settings, app=settings.app.model_copy(update={"public_base_url": base}))
    async with (
        running(telegram_api, llm_server, settings, clock=MutableClock(NOW)) as harness,
        aiohttp.ClientSession() as http,
    ):
        yield AppClient(harness, http)
