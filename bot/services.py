"""The shared clients and services handlers reach through the typed context."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.api.settings import ApiSettings
from bot.publish_scheduler import Publishing
from bot.settings import Settings
from core.campaigns.planner import CampaignPlanner
from core.campaigns.service import CampaignService
from core.clock import Clock
from core.conversations import ConversationStore
from core.emaildesk.intake import EmailIntake
from core.inflight import CardsInFlight
from core.llm.gateway import LLMGateway
from core.metrics import Metrics
from core.orders.service import OrderService
from core.personas.service import PersonaService
from core.pipeline import PipelineService
from core.posts.regenerate import PostRegenerator
from core.posts.service import PostService
from core.prompting.registry import PromptRegistry
from core.suggestions.service import SuggestionService


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    metrics: Metrics
    clock: Clock
    prompts: PromptRegistry
    llm: LLMGateway
    suggestions: SuggestionService
    conversations: ConversationStore
    personas: PersonaService
    posts: PostService
    campaigns: CampaignService
    planner: CampaignPlanner
    api_settings: ApiSettings
    pipeline: PipelineService
    publishing: Publishing

    @cached_property
    def cards(self) -> CardsInFlight:
        """Cards showing "Writing…": one model call per item, restored after a restart."""
        return CardsInFlight(self.sessions, self.clock)

    @cached_property
    def post_regenerator(self) -> PostRegenerator:
        """🔄 Regenerate on post cards, built from the services above (nothing of its own)."""
        tz = self.settings.app.tz
        return PostRegenerator(self.posts, self.personas, self.prompts, self.llm, tz)

    @cached_property
    def email_intake(self) -> EmailIntake:
        """Customer emails in (API, /email, the IMAP poller); reply drafting hooks on_received."""
        return EmailIntake(self.sessions, self.clock)

    @cached_property
    def orders(self) -> OrderService:
        """The shop's orders, imported from CSV or JSON, for the reply drafts' context."""
        return OrderService(self.sessions, self.clock)
