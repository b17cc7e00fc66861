"""The registry of review cards shown in chats (storage: review_cards).

Every card the bot draws for a post, suggestion, reply draft or sequence email is recorded
with the revision it shows, so a decision made in the Mini App finds the cards to redraw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from domain.crew import ItemKind
from storage.repos import review_cards as repo


@dataclass(frozen=True)
class ShownCard:
    chat_id: int
    message_id: int
    kind: ItemKind
    item_id: int
    revision: int


# A card not drawn for this long is forgotten: a decision made later leaves it as it is
# (its buttons are still refused, and redraw it, when tapped).
KEEP = timedelta(days=30)


class CardLog:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def record(self, card: ShownCard) -> None:
        async with self._sessions.begin() as session:
            await repo.record(
                session, chat_id=card.chat_id, message_id=card.message_id, kind=card.kind,
                item_id=card.item_id, revision=card.revision, at=self._clock.now(),
            )  # fmt: skip

    async def of_item(self, kind: ItemKind, item_id: int) -> list[ShownCard]:
        async with self._sessions() as session:
            rows = await repo.of_item(session, kind, item_id)
        return [
            ShownCard(row.chat_id, row.message_id, ItemKind(row.kind), row.item_id, row.revision)
            for row in rows
        ]

    async def prune(self) -> int:
        """Forget cards not drawn for KEEP (run by bot/housekeeping.py)."""
        async with self._sessions.begin() as session:
            return await repo.prune(session, before=self._clock.now() - KEEP)
