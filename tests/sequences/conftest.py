"""Sequences over a real database, the real LLM gateway against the fake OpenAI server,
and the real aiohttp API on a loopback test server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.api import ApiContext, mount_api
from bot.api.auth import BearerAuth
from bot.api.idempotency import IdempotencyStore
from bot.api.ratelimit import DbRateLimiter
from bot.api.sequences import mount_sequences
from core.config import LLMSettings, SequenceSettings
from core.llm.gateway import LLMGateway
from core.metrics import Metrics
from core.prompting.registry import PromptRegistry
from core.sequences.held import HeldSweep
from core.sequences.review import SequenceReview
from core.sequences.service import SequenceService
from core.sequences.views import SequenceEmailView
from core.sequences.writer import SequenceWriter
from tests.campaigns.helpers import MutableClock, build_core

BERLIN = ZoneInfo("Europe/Berlin")
# A Wednesday in winter, Berlin time 13:00.
NOW = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)
TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


@dataclass
class RecordingAlerter:
    """The Telegram side's stand-in: records what the admins would be told."""

    told: list[SequenceEmailView] = field(default_factory=list)
    fail_next: bool = False

    async def held(self, email: SequenceEmailView) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("Telegram unreachable")
        self.told.append(email)


@dataclass
class Seq:
    clock: MutableClock
    sessions: async_sessionmaker[AsyncSession]
    service: SequenceService
    writer: SequenceWriter
    review: SequenceReview
    held: HeldSweep
    alerter: RecordingAlerter


@pytest.fixture
async def seq(session_factory: async_sessionmaker[AsyncSession], llm_settings: LLMSettings) -> Seq:
    clock = MutableClock(NOW)
    gateway = LLMGateway(llm_settings, session_factory, Metrics(), clock, retry_base_delay_s=0.001)
    prompts = await PromptRegistry.load(PROMPTS)
    settings = SequenceSettings(_env_file=None)
    service = SequenceService(session_factory, clock, BERLIN, send_at=time(9, 0), models=gateway)
    writer = SequenceWriter(session_factory, prompts, gateway, clock, settings)
    review = SequenceReview(session_factory, clock, BERLIN, writer)
    alerter = RecordingAlerter()
    held = HeldSweep(session_factory, clock, alerter)
    return Seq(clock, session_factory, service, writer, review, held, alerter)


@dataclass
class Api:
    client: TestClient[web.Request, web.Application]

    async def post(self, path: str, body: Any, **headers: str) -> tuple[int, Any]:
        response = await self.client.post(path, json=body, headers={**AUTH, **headers})
        return response.status, await response.json()

    async def get(self, path: str) -> tuple[int, Any]:
        response = await self.client.get(path, headers=AUTH)
        return response.status, await response.json()


@pytest.fixture
async def api(seq: Seq) -> AsyncIterator[Api]:
    core = build_core(seq.sessions, seq.clock)
    ctx = ApiContext(
        auth=BearerAuth(SecretStr(TOKEN)),
        limiter=DbRateLimiter(seq.sessions, seq.clock, limit=1000),
        idempotency=IdempotencyStore(seq.sessions, seq.clock, ttl=timedelta(hours=24)),
        personas=core.personas,
        campaigns=core.campaigns,
    )
    app = web.Application()
    mount_api(app, ctx)
    mount_sequences(app, seq.service)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Api(client)
    await client.close()
