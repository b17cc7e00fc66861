"""All ORM models. Importing this package registers every table on `Base.metadata`."""

from storage.base import Base
from storage.models.api import IdempotencyKey, RateLimitWindow
from storage.models.brands import Brand
from storage.models.campaigns import Campaign, ContentPillar, Persona
from storage.models.cards import CardInFlight
from storage.models.contents import CrewContent
from storage.models.conversation import ConversationState
from storage.models.crew import CrewReviewRow
from storage.models.deliveries import EmailDelivery, EmailSuppression, UnsubscribeToken
from storage.models.email_replies import ReplyCard, ReplyDraft
from storage.models.emaildesk import InboundEmail, Order
from storage.models.flows import Flow, FlowVersion
from storage.models.imap import ImapCursor
from storage.models.inbox import InboxUpdate
from storage.models.llm import BudgetDay, LLMCacheEntry, LLMCall
from storage.models.memory import MemoryItem, MemoryItemEvent
from storage.models.outcomes import ItemOutcome, PromptPromotion
from storage.models.pipeline import ImageRun, ImageRunPost, PipelineWebhook, RunImage
from storage.models.posts import Post, PostTransition
from storage.models.prompts import PromptVersion
from storage.models.publishing import PostDelivery, PublishPacing
from storage.models.sequences import EmailSequence, SequenceEmail, SequenceRecipient
from storage.models.suggestions import Suggestion

__all__ = [
    "Base",
    "Brand",
    "BudgetDay",
    "Campaign",
    "CardInFlight",
    "ContentPillar",
    "ConversationState",
    "CrewContent",
    "CrewReviewRow",
    "EmailDelivery",
    "EmailSequence",
    "EmailSuppression",
    "Flow",
    "FlowVersion",
    "IdempotencyKey",
    "ImageRun",
    "ImageRunPost",
    "ImapCursor",
    "InboundEmail",
    "InboxUpdate",
    "ItemOutcome",
    "LLMCacheEntry",
    "LLMCall",
    "MemoryItem",
    "MemoryItemEvent",
    "Order",
    "Persona",
    "PipelineWebhook",
    "Post",
    "PostDelivery",
    "PostTransition",
    "PromptPromotion",
    "PromptVersion",
    "PublishPacing",
    "RateLimitWindow",
    "ReplyCard",
    "ReplyDraft",
    "RunImage",
    "SequenceEmail",
    "SequenceRecipient",
    "Suggestion",
    "UnsubscribeToken",
]
