"""The shared clients and services handlers reach through the typed context."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.adapters.graphviz import GraphvizRenderer
from bot.api.settings import ApiSettings
from bot.publish_scheduler import Publishing
from bot.reply_desk import build_reply_engine
from bot.settings import Settings
from core.brands import BrandService
from core.campaigns.planner import CampaignPlanner
from core.campaigns.service import CampaignService
from core.clock import Clock
from core.config import CREW_STEP_TIMEOUT_S, SequenceSettings
from core.content.service import ContentService
from core.conversations import ConversationStore
from core.crew.service import CrewService
from core.emaildesk.intake import EmailIntake
from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_engine import ReplyEngine
from core.experiments.service import PromptExperiments
from core.flows.generation import FlowMaker
from core.flows.service import FlowService
from core.inflight import CardsInFlight
from core.llm.gateway import LLMGateway
from core.mailing.delivery_alerts import DeliveryAlerts
from core.mailing.delivery_log import DeliveryLog
from core.memory.build import build_memory
from core.memory.record import MemoryRecorder
from core.memory.repeats import RepeatCheck
from core.memory.retrieval import PromptMemory
from core.memory.service import MemoryService
from core.metrics import Metrics
from core.orders.service import OrderService
from core.personas.service import PersonaService
from core.pipeline import PipelineService
from core.posts.crew_gate import CrewGate
from core.posts.regenerate import PostRegenerator
from core.posts.service import PostService
from core.prompting.registry import PromptRegistry
from core.publishing.engagement import EngagementService
from core.report.service import ReportService
from core.review_queue import ReviewQueue
from core.review_queue.assembly import build_review_queue
from core.review_queue.cards import CardLog
from core.sequences.held import HeldSweep
from core.sequences.ports import HeldAlerter
from core.sequences.review import SequenceReview
from core.sequences.service import SequenceService
from core.sequences.writer import SequenceWriter
from core.suggestions.service import SuggestionService
from core.usage.acceptance import OutcomeAcceptance
from core.usage.service import UsageService


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
    # Semantic memory as the items' services use it (core/memory/record.py, retrieval.py):
    # built before the memory service, connected to it by bot/assembly.py.
    recorder: MemoryRecorder = field(default_factory=MemoryRecorder)
    recall: PromptMemory = field(default_factory=PromptMemory)

    @cached_property
    def repeats(self) -> RepeatCheck:
        """The near-repeat warning on review cards and the earlier item it names."""
        memory = self.settings.memory
        return RepeatCheck(
            self.recorder.link, self.sessions,
            threshold=memory.near_repeat if memory else None,
            window_days=memory.window_days if memory else None,
        )  # fmt: skip

    @cached_property
    def cards(self) -> CardsInFlight:
        """Cards showing "Writing…": one model call per item, restored after a restart."""
        return CardsInFlight(self.sessions, self.clock)

    @cached_property
    def brands(self) -> BrandService:
        """Brand guidelines per persona, with the default brand as the fallback (/brand)."""
        return BrandService(self.sessions)

    @cached_property
    def crew(self) -> CrewService:
        """The review crew: scores every generated draft (core/crew); bot/crew_jobs.py runs it.
        Off without CREW_ENABLED or a model (and when a test builds Settings by hand)."""
        crew, llm = self.settings.crew, self.settings.llm
        enabled = crew is not None and crew.enabled and llm.model is not None
        timeout_s = crew.step_timeout_s if crew is not None else CREW_STEP_TIMEOUT_S
        return CrewService(
            self.sessions, self.clock, self.prompts, self.llm, self.brands,
            enabled=enabled, step_timeout_s=timeout_s,
        )  # fmt: skip

    @cached_property
    def memory(self) -> MemoryService:
        """Semantic memory (core/memory): approved and published items searched by meaning;
        bot/memory_jobs.py embeds them. Off without MEMORY_ENABLED or a model."""
        return build_memory(self.settings.memory, self.sessions, self.clock)

    @cached_property
    def engagement(self) -> EngagementService:
        """Channel reactions on published posts, given to memory as engagement
        (handlers/engagement records Telegram's message_reaction_count updates)."""
        return EngagementService(
            self.sessions, self.clock, self.recorder.link,
            default_chat=self.settings.app.publish_chat_id,
        )  # fmt: skip

    @cached_property
    def content(self) -> ContentService:
        """Content the crew writes from a brief: /write and POST /api/campaign/create."""
        return ContentService(
            self.sessions, self.clock, self.crew, self.brands, memory=self.recorder
        )

    @cached_property
    def flows(self) -> FlowService:
        """SMS flows from a description (/flow, POST /api/v1/generateFlow), kept with versions."""
        maker = FlowMaker(self.prompts, self.llm, self.recall)
        return FlowService(
            self.sessions, self.clock, maker, self.brands, memory=self.recorder,
            crew=self.review_gate,
        )  # fmt: skip

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
        return build_reply_engine(
            self.settings, self.sessions, self.prompts, self.llm, self.clock, self.review_gate,
            memory=self.recorder,
        )  # fmt: skip

    @cached_property
    def review_gate(self) -> CrewGate:
        """The review crew as reply drafts, sequence emails and SMS flows see it: a review
        whenever their words change, the scores on their cards, the compliance gate on
        approve."""
        gate = CrewGate()
        gate.connect(self.crew, self.brands)
        return gate

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
            self.sessions, self.prompts, self.llm, self.clock, self.sequence_settings,
            crew=self.review_gate, recall=self.recall,
        )  # fmt: skip

    @cached_property
    def sequence_review(self) -> SequenceReview:
        """/approve's sequence emails: approve, edit, regenerate, reject."""
        tz = self.settings.app.tz
        return SequenceReview(
            self.sessions, self.clock, tz, self.sequence_writer, crew=self.review_gate,
            memory=self.recorder,
        )  # fmt: skip

    @property
    def held_sweep(self) -> HeldSweep:
        # Not cached: it takes whichever held_alerter is set by now.
        return HeldSweep(self.sessions, self.clock, self.held_alerter)

    @cached_property
    def usage(self) -> UsageService:
        """/usage: tokens and cost from the call log, the budget, drafts kept (outcomes)."""
        acceptance = OutcomeAcceptance(self.sessions)
        return UsageService(self.sessions, self.clock, self.llm, acceptance)

    @cached_property
    def reports(self) -> ReportService:
        """/report: a period's facts from the database, then the model's reading of them."""
        tz = self.settings.app.tz
        return ReportService(self.sessions, self.clock, self.prompts, self.llm, tz)

    @cached_property
    def experiments(self) -> PromptExperiments:
        """/prompts: how each template variant fares, and promoting one."""
        return PromptExperiments(self.sessions, self.prompts, self.clock)

    @cached_property
    def review_cards(self) -> CardLog:
        """Every review card shown in a chat, so a decision made elsewhere redraws it."""
        return CardLog(self.sessions, self.clock)

    @cached_property
    def review_queue(self) -> ReviewQueue:
        """/approve's items and decisions for the Mini App; the bot connects it to the
        chats' cards (bot/review_cards.py) so a decision there redraws them."""
        return build_review_queue(
            self.sessions, self.clock, self.settings.app.data_dir, self.review_cards,
            suggestions=self.suggestions, posts=self.posts, regenerator=self.post_regenerator,
            replies=self.reply_engine, emails=self.sequence_review, personas=self.personas,
            repeats=self.repeats, in_flight=self.cards,
        )  # fmt: skip

    @cached_property
    def diagrams(self) -> GraphvizRenderer:
        """/flow's diagrams: Graphviz's `dot` in a subprocess with a time limit."""
        return GraphvizRenderer()
