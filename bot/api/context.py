"""Everything the REST handlers need, built once from the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.api.auth import BearerAuth
from bot.api.idempotency import IdempotencyStore
from bot.api.ratelimit import DbRateLimiter
from bot.api.settings import ApiSettings
from core.campaigns.service import CampaignService
from core.personas.service import PersonaService

if TYPE_CHECKING:
    # bot.services imports bot.api.settings; a runtime import here would be circular.
    from bot.services import Services


@dataclass(frozen=True)
class ApiContext:
    auth: BearerAuth
    limiter: DbRateLimiter
    idempotency: IdempotencyStore
    personas: PersonaService
    campaigns: CampaignService


API = web.AppKey("api", ApiContext)


def api_context(services: Services) -> ApiContext:
    settings: ApiSettings = services.api_settings
    sessions, clock = services.sessions, services.clock
    return ApiContext(
        auth=BearerAuth(services.settings.app.api_token),
        limiter=DbRateLimiter(sessions, clock, limit=settings.rate_limit_per_minute),
        idempotency=IdempotencyStore(
            sessions, clock, ttl=timedelta(hours=settings.idempotency_ttl_hours)
        ),
        personas=services.personas,
        campaigns=services.campaigns,
    )
