"""A ReviewQueue from the item services the bot already has (bot/services.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.emaildesk.reply_engine import ReplyEngine
from core.inflight import CardsInFlight
from core.memory.repeats import RepeatCheck
from core.personas.service import PersonaService
from core.posts.regenerate import PostRegenerator
from core.posts.service import PostService
from core.review_queue.cards import CardLog
from core.review_queue.desk_items import EmailDesk, PostDesk, ReplyDeskAdapter, SuggestionDesk
from core.review_queue.desks import Desk
from core.review_queue.images import QueueImages
from core.review_queue.queue import ReviewQueue
from core.review_queue.reading import Readers
from core.sequences.review import SequenceReview
from core.suggestions.service import SuggestionService
from domain.crew import ItemKind


def build_review_queue(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    data_dir: Path,
    cards: CardLog,
    *,
    suggestions: SuggestionService,
    posts: PostService,
    regenerator: PostRegenerator,
    replies: ReplyEngine,
    emails: SequenceReview,
    personas: PersonaService,
    repeats: RepeatCheck,
    in_flight: CardsInFlight,
) -> ReviewQueue:
    images = QueueImages(sessions, data_dir)
    readers = Readers(suggestions, posts, replies.desk, emails, personas, images, repeats)
    desks: dict[ItemKind, Desk] = {
        ItemKind.SUGGESTION: SuggestionDesk(suggestions, in_flight),
        ItemKind.POST: PostDesk(posts, regenerator, in_flight),
        ItemKind.REPLY: ReplyDeskAdapter(replies),
        ItemKind.SEQUENCE_EMAIL: EmailDesk(emails, in_flight),
    }
    return ReviewQueue(readers, desks, cards, images, clock)
