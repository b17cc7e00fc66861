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
from core.memory.link import MemoryLink
from core.memory.record import MemoryRecorder
from core.memory.retrieval import PromptMemory
from core.metrics import Metrics
from core.personas.service import PersonaService
from core.pipeline import PipelineService
from core.posts.crew_gate import CrewGate
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
    # The review crew is built by Services; the gate is connected to it just below.
    gate = CrewGate()
    # So is semantic memory: what records decisions and fills prompts is connected below.
    link = MemoryLink()
    recorder = MemoryRecorder(link, settings.app.tz)
    recall = _recall(settings, link)
    suggestions = SuggestionService(
        sessions, prompts, llm, clock, settings.app.tz, crew=gate, memory=recorder, recall=recall
    )
    personas = PersonaService(sessions)
    services = Services(
        settings=settings, engine=engine, sessions=sessions, metrics=metrics, clock=clock,
        prompts=prompts, llm=llm, suggestions=suggestions,
        conversations=ConversationStore(sessions),
        personas=personas, posts=PostService(sessions, clock, crew=gate, memory=recorder),
        campaigns=CampaignService(sessions, clock, settings.app.tz, crew=gate),
        planner=CampaignPlanner(personas, prompts, llm, clock, settings.app.tz, recall),
        api_settings=settings.api or ApiSettings(),
        pipeline=_pipeline(settings, sessions, clock),
        publishing=build_publishing(settings, sessions, clock, recorder),
        recorder=recorder, recall=recall,
    )  # fmt: skip
    gate.connect(services.crew, services.brands)
    link.connect(services.memory)
    return services


def _recall(settings: Settings, link: MemoryLink) -> PromptMemory:
    """The prompts' memory block, sized by MEMORY_TOP_K and MEMORY_PROMPT_TOKENS."""
    memory = settings.memory
    if memory is None:
        return PromptMemory(link)
    return PromptMemory(link, top_k=memory.top_k, max_tokens=memory.prompt_tokens)


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
