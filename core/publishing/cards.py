"""The chat cards of a post's publishing state, redrawn once the post is published.

A schedule card ("When should it go out?", "🗓 scheduled") is recorded when drawn, in the
review cards' registry (storage: review_cards) under its own kind, so a decision on the
post's review never redraws it as a review card. When the post goes out (the sweep, or a
person confirming an unknown send) each is redrawn to "✅ published" through a port the
bot implements (bot/published_cards.py): core never talks to Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.publishing.agenda import PlanItem
from core.publishing.sender import Published
from storage.models import PostDelivery
from storage.repos import publishing_schedule as plan
from storage.repos import review_cards as repo

log = logging.getLogger(__name__)

KIND = "schedule"  # review_cards.kind of a schedule card; item_id is the post's id


@dataclass(frozen=True)
class PublishedPost:
    item: PlanItem
    cards: Sequence[tuple[int, int]]  # (chat_id, message_id) of each schedule card
    message_id: int | None  # the first channel message's id, if Telegram gave one


class PublishedCards(Protocol):
    async def show_published(self, post: PublishedPost) -> None:
        """Redraw each card of the post as published; a card that can't be edited is skipped."""
        ...


class ScheduleCards:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def record(self, chat_id: int, message_id: int, post_id: int) -> None:
        async with self._sessions.begin() as session:
            await repo.record(
                session, chat_id=chat_id, message_id=message_id, kind=KIND, item_id=post_id,
                revision=0, at=self._clock.now(),
            )  # fmt: skip

    async def published(self, post_id: int) -> PublishedPost | None:
        """The post as it is now, with its cards; None if it has no cards (or is gone)."""
        async with self._sessions() as session:
            cards = await repo.of_item(session, KIND, post_id)
            if not cards:
                return None
            row = await plan.one(session, post_id)
            message_id = await _channel_message_id(session, post_id)
        if row is None:
            return None
        places = [(card.chat_id, card.message_id) for card in cards]
        return PublishedPost(PlanItem.from_row(row), places, message_id)

    async def channel_message_id(self, post_id: int) -> int | None:
        """The id of the post's first channel message, if it went out and Telegram gave one."""
        async with self._sessions() as session:
            return await _channel_message_id(session, post_id)


async def _channel_message_id(session: AsyncSession, post_id: int) -> int | None:
    sent = await session.scalar(
        select(PostDelivery.external_message_id).where(PostDelivery.post_id == post_id)
    )
    first = (sent or "").split(",")[0]  # an album's messages, comma-separated
    return int(first) if first.isdigit() else None


class RedrawOnPublish:
    """An on_published hook: the post's schedule cards show it went out. Never raises."""

    def __init__(self, cards: ScheduleCards, chat: PublishedCards) -> None:
        self._cards = cards
        self._chat = chat

    async def __call__(self, post_id: int, _at: datetime) -> None:
        try:
            post = await self._cards.published(post_id)
            if post is not None:
                await self._chat.show_published(post)
        except Exception:
            log.exception("published post's cards not redrawn", extra={"post_id": post_id})


def chained(*hooks: Published) -> Published:
    """One on_published hook running each of `hooks`: one failing neither stops the others
    nor reaches the publishing sweep (it is logged)."""

    async def run(post_id: int, at: datetime) -> None:
        for hook in hooks:
            try:
                await hook(post_id, at)
            except Exception:
                log.exception("an on_published hook failed", extra={"post_id": post_id})

    return run
