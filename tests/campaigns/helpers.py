"""Shared test data for campaigns, personas, posts, the REST API and the MCP server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.campaigns.service import CampaignService
from core.personas.models import PersonaInput
from core.personas.service import PersonaService
from core.personas.views import PersonaView
from core.posts.service import PostService

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Berlin")


@dataclass
class MutableClock:
    value: datetime = NOW

    def now(self) -> datetime:
        return self.value

    def advance(self, **delta: float) -> None:
        self.value += timedelta(**delta)


@dataclass(frozen=True)
class Core:
    personas: PersonaService
    campaigns: CampaignService
    posts: PostService
    clock: MutableClock
    sessions: async_sessionmaker[AsyncSession]


def build_core(
    sessions: async_sessionmaker[AsyncSession], clock: MutableClock | None = None
) -> Core:
    clock = clock or MutableClock()
    return Core(
        personas=PersonaService(sessions),
        campaigns=CampaignService(sessions, clock, TZ),
        posts=PostService(sessions, clock),
        clock=clock,
        sessions=sessions,
    )


def post_body(number: int = 1, **overrides: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": f"Post {number}",
        "description": "A close-up of the new candle on a windowsill",
        "content_pillar_name": "Product",
        "image_prompt": "A beeswax candle on an oak windowsill, morning light, soft focus",
        "scheduled_at": (NOW + timedelta(days=number)).isoformat(),
        "caption_draft": "Our autumn candle is back.",
        "hashtags": ["#autumn", "candles"],
        "format": "image",
    }
    body.update(overrides)
    return body


def plan_body(persona_id: int, posts: int = 3, **overrides: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "persona_id": persona_id,
        "campaign_name": "Autumn launch",
        "strategy_metadata": {"summary": "Introduce, deepen, close.", "key_message": "Warmth"},
        "posts": [post_body(n) for n in range(1, posts + 1)],
    }
    body.update(overrides)
    return body


async def make_persona(
    personas: PersonaService, name: str = "Acme Candles", pillars: tuple[str, ...] = ("Product",)
) -> PersonaView:
    data = {
        "name": name,
        "caption_config": {"tone": "warm", "length": "short"},
        "hashtag_strategy": {"always": ["#acme"], "max_per_post": 5},
        "brand_guidelines": "No discounts, no health claims.",
        "content_pillars": [{"name": pillar} for pillar in pillars],
    }
    return await personas.create(PersonaInput.model_validate(data))


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
