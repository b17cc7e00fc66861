"""add_api_routes builds its context from the bot's Services (only the parts it reads)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.api import add_api_routes
from bot.api.settings import ApiSettings
from core.emaildesk.intake import EmailIntake
from core.orders.service import OrderService
from tests.api.conftest import AUTH
from tests.campaigns.helpers import Core


async def test_add_api_routes_serves_the_api(core: Core) -> None:
    services = SimpleNamespace(
        settings=SimpleNamespace(
            app=SimpleNamespace(api_token=SecretStr(AUTH["Authorization"][7:]))
        ),
        sessions=core.sessions,
        clock=core.clock,
        personas=core.personas,
        campaigns=core.campaigns,
        email_intake=EmailIntake(core.sessions, core.clock),
        orders=OrderService(core.sessions, core.clock),
        sequences=SimpleNamespace(),
        brands=SimpleNamespace(),
        content=SimpleNamespace(),
        flows=SimpleNamespace(),
        api_settings=ApiSettings(_env_file=None, rate_limit_per_minute=2),
    )
    app = web.Application()
    add_api_routes(app, services)  # type: ignore[arg-type]
    paths = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    assert paths == {
        "/api/campaigns",
        "/api/personas",
        "/api/personas/{id}",
        "/api/sequences",
        "/api/sequences/{id}",
        "/api/emails/inbound",
        "/api/orders",
        "/api/brand/upload",
        "/api/brands",
        "/api/brands/{brand_id}",
        "/api/campaign/create",
        "/api/campaign/{id}",
        "/api/campaigns/list",
        "/api/v1/generateFlow",
        "/api/v1/flows/{id}",
    }
    async with TestClient(TestServer(app)) as client:
        statuses = [(await client.get("/api/personas/1", headers=AUTH)).status for _ in range(3)]
    assert statuses == [404, 404, 429]


def test_api_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_RATE_LIMIT_PER_MINUTE", raising=False)
    assert ApiSettings(_env_file=None).rate_limit_per_minute == 60
    monkeypatch.setenv("API_RATE_LIMIT_PER_MINUTE", "7")
    assert ApiSettings(_env_file=None).rate_limit_per_minute == 7
