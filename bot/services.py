"""The shared clients and services handlers reach through the typed context."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.api.settings import ApiSettings
from bot.publish_scheduler import Publishing
from bot.reply_desk import build_reply_engine
from bot.settings import Settings
from core.campaigns.planner import CampaignPlanner
from core.campaigns.service import CampaignService
from core.clock import Clock
from core.config import SequenceSettings
from core.conversations import ConversationStore
from core.emaildesk.intake import EmailIntake
from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_engine import ReplyEngine
from core.inflight import CardsInFlight
from core.llm.gateway import LLMGateway
from core.mailing.delivery_alerts import DeliveryAlerts
from core.mailing.delivery_log import DeliveryLog
from core.metrics import Metrics
from core.orders.service import OrderService
from core.personas.service import PersonaService
from core.pipeline import PipelineService
from core.posts.regenerate import PostRegenerator
from core.posts.service import PostService
from core.prompting.registry import PromptRegistry
from core.sequences.held import HeldSweep
from core.sequences.ports import HeldAlerter
from core.sequences.review import SequenceReview
from core.sequences.service import SequenceService
from core.sequences.writer import SequenceWriter
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
    # Tells the admins a sequence email was held (handlers/sequence); None: nobody is told
    # yet, and the held emails are told about once one is set.
    held_alerter: HeldAlerter | None = None

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

    @cached_property
    def reply_engine(self) -> ReplyEngine:
        """A reply draft for every customer email; approved replies sent (bot/reply_desk.py)."""
        return build_reply_engine(self.settings, self.sessions, self.prompts, self.llm, self.clock)

    @property
    def replies(self) -> ReplyDesk:
        """The reply drafts and what people do with them (the cards' buttons, /approve)."""
        return self.reply_engine.desk

    @cached_property
    def sequence_settings(self) -> SequenceSettings:
        return self.settings.sequences or SequenceSettings()

    @cached_property
    def sequences(self) -> SequenceService:
        """Email sequences: create (POST /api/sequences, /sequence), list, show, pause."""
        send_at = self.sequence_settings.send_at
        return SequenceService(
            self.sessions, self.clock, self.settings.app.tz, send_at=send_at, models=self.llm,
            deliveries=self.delivery_log,
        )  # fmt: skip

    @cached_property
    def delivery_alerts(self) -> DeliveryAlerts:
        """Admins' decisions on unknown sequence deliveries (the alerts are told by the
        publishing sweep, bot/publish_scheduler.py)."""
        return DeliveryAlerts(self.sessions, self.clock)

    @cached_property
    def delivery_log(self) -> DeliveryLog:
        """Each sequence's send log: per-recipient counts, failures and unsubscribes."""
        return DeliveryLog(self.sessions)

    @cached_property
    def sequence_writer(self) -> SequenceWriter:
        return SequenceWriter(
            self.sessions, self.prompts, self.llm, self.clock, self.sequence_settings
        )

    @cached_property
    def sequence_review(self) -> SequenceReview:
        """/approve's sequence emails: approve, edit, regenerate, reject."""
        tz = self.settings.app.tz
        return SequenceReview(self.sessions, self.clock, tz, self.sequence_writer)

    @property
    def held_sweep(self) -> HeldSweep:
        # Not cached: it takes whichever held_alerter is set by now.
        return HeldSweep(self.sessions, self.clock, self.held_alerter)
