"""The MCP server: lets an AI agent read personas, plan campaigns and see the review queue.

    python -m bot.mcp        (stdio; needs only DATABASE_URL, TIMEZONE is optional)
    python -m bot.mcp --help

Tools: create_campaign, get_persona_context, list_pending_reviews. There is deliberately
no tool to approve, schedule or publish: campaigns arrive as unapproved drafts, and only
a human in Telegram moves them on. stdout carries the protocol, so logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import ValidationError, WithJsonSchema
from sqlalchemy.ext.asyncio import AsyncEngine

from core.campaigns.models import PostPlan
from core.campaigns.service import CampaignService
from core.clock import Clock, SystemClock
from core.config import AppSettings, DatabaseSettings
from core.errors import CopilotError, ValidationFailed
from core.personas.service import PersonaService
from core.posts.service import PostService
from storage import migrate
from storage.db import DatabaseProblem, make_session_factory, open_engine

log = logging.getLogger(__name__)
T = TypeVar("T")

MCP_ACTOR = "mcp"
INSTRUCTIONS = (
    "Campaign Copilot plans Telegram marketing campaigns. Read a persona with "
    "get_persona_context, then send a whole plan with create_campaign. Every post is "
    "stored as an unapproved draft: a person approves it in Telegram before anything is "
    "published. list_pending_reviews shows what is waiting for that person."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
CREATES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False)


# The agent sees PostPlan's schema, but the posts reach the service as sent: its
# validation (with the clock) gives one "Post #N: ..." line per problem, where the SDK's
# own would give pydantic's raw report.
PlannedPosts = Annotated[
    list[dict[str, Any]],
    WithJsonSchema(
        {"type": "array", "items": PostPlan.model_json_schema(), "minItems": 1, "maxItems": 50}
    ),
]


@dataclass(frozen=True)
class McpServices:
    personas: PersonaService
    campaigns: CampaignService
    posts: PostService


def build_mcp_server(services: McpServices) -> MCPServer:
    server = MCPServer("campaign-copilot", instructions=INSTRUCTIONS)
    tools = _Tools(services)
    server.tool(annotations=CREATES)(tools.create_campaign)
    server.tool(annotations=READ_ONLY)(tools.get_persona_context)
    server.tool(annotations=READ_ONLY)(tools.list_pending_reviews)
    return server


class _Tools:
    def __init__(self, services: McpServices) -> None:
        self._services = services

    async def create_campaign(
        self,
        persona_id: int,
        campaign_name: str,
        posts: PlannedPosts,
        strategy_metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create a campaign: one draft post per planned post (1-50), all or nothing.

        Same fields as POST /api/campaigns. scheduled_at is ISO 8601, in the future and at
        most 365 days ahead (without a UTC offset it is read in TIMEZONE, and a time the
        clocks skip there is refused); format is image, carousel, reel, story, video or
        text. Returns {campaign, suggestions, posts}. Posts wait for a human's approval.
        """
        body = {
            "persona_id": persona_id,
            "campaign_name": campaign_name,
            "strategy_metadata": strategy_metadata or {},
            "posts": posts,
        }
        created = await _call(
            self._services.campaigns.create(body, actor=MCP_ACTOR, model=MCP_ACTOR)
        )
        return created.as_json()

    async def get_persona_context(
        self, persona_id: int | None = None, name: str | None = None
    ) -> dict[str, Any]:
        """A persona's voice: caption config, hashtag strategy, content pillars, guidelines.

        Give persona_id or name. With neither, returns the list of personas to choose from.
        """
        personas = self._services.personas
        if persona_id is not None:
            return (await _call(personas.get(persona_id))).as_json()
        if name is not None:
            found = await personas.find(name)
            if found is None:
                raise ToolError(f"No persona is named {name!r}.")
            return found.as_json()
        listed = await personas.list()
        return {"personas": [{"id": p.id, "name": p.name} for p in listed]}

    async def list_pending_reviews(
        self, limit: int = 20, offset: int = 0, campaign_id: int | None = None
    ) -> dict[str, Any]:
        """Posts waiting for a human's approval, oldest first (read only)."""
        page = await self._services.posts.pending_review(
            offset=offset, limit=limit, campaign_id=campaign_id
        )
        return {
            "total": page.total,
            "offset": page.offset,
            "has_next": page.has_next,
            "posts": [post.as_json() for post in page.items],
        }


async def _call(work: Awaitable[T]) -> T:
    """Domain errors become tool errors the agent can read and act on."""
    try:
        return await work
    except ValidationFailed as exc:
        raise ToolError("Validation failed:\n" + "\n".join(exc.problems)) from None
    except CopilotError as exc:
        raise ToolError(str(exc)) from None


async def open_mcp_services(
    database: DatabaseSettings, app: AppSettings, clock: Clock | None = None
) -> tuple[McpServices, AsyncEngine]:
    """Migrate the database and build the services; returns them and the engine to dispose."""
    clock = clock or SystemClock()
    engine = await open_engine(database.database_url)  # DatabaseProblem: one line
    try:
        await migrate.upgrade(engine)
    except BaseException:
        await engine.dispose()
        raise
    sessions = make_session_factory(engine)
    services = McpServices(
        personas=PersonaService(sessions),
        campaigns=CampaignService(sessions, clock, app.tz),
        posts=PostService(sessions, clock),
    )
    return services, engine


async def serve(database: DatabaseSettings, app: AppSettings) -> None:
    services, engine = await open_mcp_services(database, app)
    try:
        await build_mcp_server(services).run_stdio_async()
    finally:
        await engine.dispose()


PROG = "campaign-copilot mcp"


def main(argv: list[str] | None = None) -> int:
    _parse(sys.argv[1:] if argv is None else argv)
    from bot.config_messages import describe
    from bot.logs import configure_logging

    configure_logging()  # to stderr: stdout is the protocol
    try:
        database = DatabaseSettings()
        app = AppSettings()
    except ValidationError as exc:
        group = DatabaseSettings if exc.title == DatabaseSettings.__name__ else AppSettings
        return _fail(f"configuration error: {describe(group, exc)}", 2)
    try:
        asyncio.run(serve(database, app))
    except DatabaseProblem as problem:
        if problem.unreachable:
            return _fail(str(problem), 1)
        return _fail(f"configuration error: {problem}", 2)
    return 0


def _parse(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.mcp",
        description="Campaign Copilot's MCP server, over stdio: lets an AI agent read "
        "personas, plan campaigns as drafts and see the review queue. Nothing it creates "
        "is published without a person approving it in Telegram.",
        epilog="Reads DATABASE_URL (migrated at start) and TIMEZONE from the environment "
        "and .env. See docs/API.md, 'MCP server'. Exit codes: 1 the database can't be "
        "reached, 2 a setting to fix.",
    )
    parser.parse_args(argv)


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
