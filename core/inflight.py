"""Cards that show "Writing…" while the model works for them, recorded in the database.

A tap that starts a model call for a card claims it; the call releases it when it ends
(shown, failed or refused). A double tap, or a second admin, finds the claim and starts
nothing. A process that stops mid-call (a crash, kill -9, a deploy that outlasts the
grace period) leaves its claims behind: the next start lists them and puts each card
back to its stored state with a note (handlers.interrupted), then releases them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from storage.db import autocommit
from storage.models import CardInFlight
from storage.repos import cards as repo


class CardKind(StrEnum):
    POST = "post"  # 🔄 Regenerate on a post card
    SUGGESTION = "suggestion"  # 🔄 Regenerate on a suggestion card
    SUGGEST = "suggest"  # /suggest or its Retry: no suggestion is stored yet
    SEQUENCE_EMAIL = "sequence_email"  # 🔄 Regenerate on a sequence email's card


@dataclass(frozen=True)
class WritingCard:
    id: int
    kind: CardKind
    item_id: int | None
    chat_id: int
    message_id: int
    user_id: int
    started_at: datetime


class CardsInFlight:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = session_factory
        # Claim and release are one statement each: they commit by themselves, in one trip.
        self._one_statement = autocommit(session_factory)
        self._clock = clock

    async def claim(
        self, kind: CardKind, item_id: int | None, *, chat_id: int, message_id: int, user_id: int
    ) -> int | None:
        """The claim's id, or None when the item is being written for already."""
        async with self._one_statement() as session:
            return await repo.claim(
                session, kind=kind.value, item_id=item_id, chat_id=chat_id,
                message_id=message_id, user_id=user_id, at=self._clock.now(),
            )  # fmt: skip

    async def release(self, card_id: int) -> None:
        async with self._one_statement() as session:
            await repo.release(session, card_id)

    async def left_over(self) -> list[WritingCard]:
        """Every claim still held: at start-up, the cards an earlier process left writing."""
        async with self._sessions() as session:
            rows = await repo.every(session)
        return [_card(row) for row in rows]


def _card(row: CardInFlight) -> WritingCard:
    return WritingCard(
        id=row.id,
        kind=CardKind(row.kind),
        item_id=row.item_id,
        chat_id=row.chat_id,
        message_id=row.message_id,
        user_id=row.user_id,
        started_at=row.started_at,
    )
