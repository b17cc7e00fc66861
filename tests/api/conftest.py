"""A real aiohttp app with the API routes on a loopback test server, per database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.api import ApiContext, mount_api
from bot.api.auth import BearerAuth
from bot.api.idempotency import IdempotencyStore
from bot.api.ratelimit import DbRateLimiter
from tests.campaigns.helpers import Core, build_core

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def api_app(core: Core, *, token: str | None = TOKEN, limit: int = 1000) -> web.Application:
    ctx = ApiContext(
        auth=BearerAuth(SecretStr(token) if token is not None else None),
        limiter=DbRateLimiter(core.sessions, core.clock, limit=limit),
        idempotency=IdempotencyStore(core.sessions, core.clock, ttl=timedelta(hours=24)),
        personas=core.personas,
        campaigns=core.campaigns,
    )
    app = web.Application()
    mount_api(app, ctx)
    return app


@dataclass
class Api:
    client: TestClient[web.Request, web.Application]
    core: Core

    async def post(self, path: str, body: Any, **headers: str) -> tuple[int, Any, Any]:
        response = await self.client.post(path, json=body, headers={**AUTH, **headers})
        return response.status, await response.json(), response.headers

    async def get(self, path: str) -> tuple[int, Any]:
        response = await self.client.get(path, headers=AUTH)
        return response.status, await response.json()


@pytest.fixture
def core(session_factory: async_sessionmaker[AsyncSession]) -> Core:
    return build_core(session_factory)


@pytest.fixture
async def make_api(core: Core) -> AsyncIterator[Callable[..., Any]]:
    clients: list[TestClient[web.Request, web.Application]] = []

    async def make(**options: Any) -> Api:
        client = TestClient(TestServer(api_app(core, **options)))
        await client.start_server()
        clients.append(client)
        return Api(client, core)

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def api(make_api: Callable[..., Any]) -> Api:
    api: Api = await make_api()
    return api
