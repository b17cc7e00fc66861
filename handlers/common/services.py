"""What handlers reach through `context.services`: the services, described, not imported.

The composition root (bot/) builds the real `bot.services.Services` and puts it in
`bot_data`; handlers see it through these read-only protocols, so `handlers` never imports
`bot`. `bot.app.build_application` assigns one to the other, so mypy proves they match.
"""

from __future__ import annotations

from typing import Protocol

from core.brands import BrandService
from core.campaigns.planner import CampaignPlanner
from core.campaigns.service import CampaignService
from core.clock import Clock
from core.config import AccessSettings, AppSettings
from core.content.service import ContentService
from core.conversations import ConversationStore
from core.crew.service import CrewService
from core.emaildesk.intake import EmailIntake
from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_engine import ReplyEngine
from core.experiments.service import PromptExperiments
from core.flows.diagram import DiagramRenderer
from core.flows.service import FlowService
from core.inflight import CardsInFlight
from core.mailing.delivery_alerts import DeliveryAlerts
from core.mailing.delivery_log import DeliveryLog
from core.memory.repeats import RepeatCheck
from core.metrics import Metrics
from core.orders.service import OrderService
from core.personas.service import PersonaService
from core.pipeline import PipelineService
from core.posts.regenerate import PostRegenerator
from core.posts.service import PostService
from core.publishing.engagement import EngagementService
from core.publishing.service import SchedulingService
from core.report.service import ReportService
from core.review_queue import ReviewQueue
from core.review_queue.cards import CardLog
from core.sequences.review import SequenceReview
from core.sequences.service import SequenceService
from core.suggestions.service import SuggestionService
from core.usage.service import UsageService


class HandlerSettings(Protocol):
    @property
    def access(self) -> AccessSettings: ...
    @property
    def app(self) -> AppSettings: ...


class HandlerPublishing(Protocol):
    @property
    def scheduling(self) -> SchedulingService: ...
    @property
    def default_target(self) -> str | None: ...


class HandlerServices(Protocol):
    @property
    def settings(self) -> HandlerSettings: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def suggestions(self) -> SuggestionService: ...
    @property
    def conversations(self) -> ConversationStore: ...
    @property
    def personas(self) -> PersonaService: ...
    @property
    def posts(self) -> PostService: ...
    @property
    def campaigns(self) -> CampaignService: ...
    @property
    def planner(self) -> CampaignPlanner: ...
    @property
    def pipeline(self) -> PipelineService: ...
    @property
    def publishing(self) -> HandlerPublishing: ...
    @property
    def cards(self) -> CardsInFlight: ...
    @property
    def review_cards(self) -> CardLog: ...
    @property
    def review_queue(self) -> ReviewQueue: ...
    @property
    def brands(self) -> BrandService: ...
    @property
    def content(self) -> ContentService: ...
    @property
    def crew(self) -> CrewService: ...
    @property
    def post_regenerator(self) -> PostRegenerator: ...
    @property
    def email_intake(self) -> EmailIntake: ...
    @property
    def orders(self) -> OrderService: ...
    @property
    def replies(self) -> ReplyDesk: ...
    @property
    def reply_engine(self) -> ReplyEngine: ...
    @property
    def sequences(self) -> SequenceService: ...
    @property
    def sequence_review(self) -> SequenceReview: ...
    @property
    def delivery_log(self) -> DeliveryLog: ...
    @property
    def delivery_alerts(self) -> DeliveryAlerts: ...
    @property
    def usage(self) -> UsageService: ...
    @property
    def reports(self) -> ReportService: ...
    @property
    def experiments(self) -> PromptExperiments: ...
    @property
    def engagement(self) -> EngagementService: ...
    @property
    def flows(self) -> FlowService: ...
    @property
    def diagrams(self) -> DiagramRenderer: ...
    @property
    def repeats(self) -> RepeatCheck: ...
