"""Cards in flight: one claim per item, across sessions; what is left over is listed once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.inflight import CardKind, CardsInFlight, WritingCard

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


def _cards(sessions: async_sessionmaker[AsyncSession]) -> CardsInFlight:
    return CardsInFlight(sessions, FixedClock())


async def test_one_claim_per_item_until_it_is_released(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    cards = _cards(session_factory)
    first = await cards.claim(CardKind.POST, 7, chat_id=-100, message_id=11, user_id=1)
    assert first is not None
    # A double tap, or another admin on another copy of the card (another process even).
    other = _cards(session_factory)
    assert await other.claim(CardKind.POST, 7, chat_id=-100, message_id=12, user_id=2) is None
    # The same id in another kind is another item.
    assert await other.claim(CardKind.SUGGESTION, 7, chat_id=-100, message_id=13, user_id=2)
    await cards.release(first)
    again = await other.claim(CardKind.POST, 7, chat_id=-100, message_id=12, user_id=2)
    assert again is not None and again != first


async def test_simultaneous_claims_give_one(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    cards = _cards(session_factory)
    claims = await asyncio.gather(
        *(cards.claim(CardKind.SUGGESTION, 3, chat_id=1, message_id=n, user_id=1) for n in range(5))
    )
    assert len([c for c in claims if c is not None]) == 1


async def test_new_suggestions_have_no_item_and_never_collide(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    cards = _cards(session_factory)
    claims = [
        await cards.claim(CardKind.SUGGEST, None, chat_id=1, message_id=n, user_id=1)
        for n in (5, 6)
    ]
    assert None not in claims and claims[0] != claims[1]


async def test_left_over_lists_what_is_still_claimed(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    cards = _cards(session_factory)
    done = await cards.claim(CardKind.POST, 1, chat_id=10, message_id=20, user_id=30)
    kept = await cards.claim(CardKind.POST, 2, chat_id=-1001234567890, message_id=21, user_id=31)
    new = await cards.claim(CardKind.SUGGEST, None, chat_id=12, message_id=22, user_id=32)
    assert done is not None and kept is not None and new is not None
    await cards.release(done)

    assert await cards.left_over() == [
        WritingCard(kept, CardKind.POST, 2, -1001234567890, 21, 31, NOW),
        WritingCard(new, CardKind.SUGGEST, None, 12, 22, 32, NOW),
    ]
