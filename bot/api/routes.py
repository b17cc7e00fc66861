"""POST /api/campaigns, POST /api/personas, GET /api/personas/{id} (docs/API.md)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.api.context import ApiContext
from bot.api.replies import Reply
from core.errors import NotFound
from core.personas.documents import validate_persona

# Who created what the API created, in campaigns.created_by and post transitions.
API_ACTOR = "api"


async def create_campaign(ctx: ApiContext, _: web.Request, body: dict[str, Any]) -> Reply:
    """Every post is stored as an unapproved draft: a human approves it in Telegram."""
    created = await ctx.campaigns.create(body, actor=API_ACTOR, model=API_ACTOR)
    return Reply(201, created.as_json())


async def create_persona(ctx: ApiContext, _: web.Request, body: dict[str, Any]) -> Reply:
    persona = await ctx.personas.create(validate_persona(body))
    return Reply(201, persona.as_json())


async def get_persona(ctx: ApiContext, request: web.Request, _: None) -> Reply:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise NotFound(f"Persona {raw!r} does not exist.")
    persona = await ctx.personas.get(int(raw))
    return Reply(200, persona.as_json())
