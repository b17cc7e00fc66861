"""Builds the services from settings: the database, prompts, the LLM gateway, use cases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.adapters.comfyui import comfy_client
from bot.api.settings import ApiSettings
from bot.publish_scheduler import build_publishing
from bot.services import Services
from bot.settings import Settings
from core.campaigns.planner import CampaignPlanner
from core.campaigns.service import CampaignService
from core.clock import Clock, SystemClock
from core.conversations import ConversationStore
from core.llm.gateway import LLMGateway
from core.metrics import Metrics
from core.personas.service import PersonaService
from core.pipeline import PipelineService
from core.posts.service import PostService
from core.prompting.registry import PromptRegistry
from core.suggestions.service import SuggestionService
from storage import migrate
from storage.db import make_session_factory, open_engine

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


async def open_services(
    settings: Settings, *, clock: Clock | None = None, prompts_dir: Path = PROMPTS_DIR
) -> Services:
    """Migrate the database and sync the prompts: the bot never runs on an old schema."""
    engine = await open_engine(settings.database.database_url)  # DatabaseProblem: one line
    try:
        await migrate.upgrade(engine)
        sessions = make_session_factory(engine)
        prompts = await PromptRegistry.load(prompts_dir)
        await prompts.sync(sessions)
    except BaseException:
        await engine.dispose()
        raise
    return _services(settings, engine, sessions, prompts, clock or SystemClock())


def _services(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    prompts: PromptRegistry,
    clock: Clock,
) -> Services:
    metrics = Metrics()
    llm = LLMGateway(settings.llm, sessions, metrics, clock=clock)
    suggestions = SuggestionService(sessions, prompts, llm, clock, settings.app.tz)
    personas = PersonaService(sessions)
    return Services(
        settings=settings, engine=engine, sessions=sessions, metrics=metrics, clock=clock,
        prompts=prompts, llm=llm, suggestions=suggestions,
        conversations=ConversationStore(sessions),
        personas=personas, posts=PostService(sessions, clock),
        campaigns=CampaignService(sessions, clock, settings.app.tz),
        planner=CampaignPlanner(personas, prompts, llm, clock, settings.app.tz),
        api_settings=settings.api or ApiSettings(),
        pipeline=_pipeline(settings, sessions, clock),
        publishing=build_publishing(settings, sessions, clock),
    )  # fmt: skip


def _pipeline(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> PipelineService:
    """The image pipeline; its runs start once the bot is up (bot/adapters/image_runs.py)."""
    posts = PostService(sessions, clock)
    campaigns = CampaignService(sessions, clock, settings.app.tz)
    return PipelineService(
        sessions, clock, posts, campaigns, settings.comfy, settings.app.data_dir,
        client=comfy_client(settings.comfy),
    )  # fmt: skip
