"""The review_cards registry on SQLite and PostgreSQL: one row per message (a redraw
updates it), an item's cards oldest first, and old cards forgotten."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.review_queue.cards import KEEP, CardLog, ShownCard
from domain.crew import ItemKind
from tests.campaigns.helpers import MutableClock

POST, EMAIL = ItemKind.POST, ItemKind.SEQUENCE_EMAIL


async def test_record_list_and_prune(session_factory: async_sessionmaker[AsyncSession]) -> None:
    clock = MutableClock()
    log = CardLog(session_factory, clock)
    await log.record(ShownCard(1001, 10, POST, 7, 111))
    await log.record(ShownCard(1002, 10, POST, 7, 111))  # the same id in another chat
    await log.record(ShownCard(1001, 11, EMAIL, 7, 5))
    clock.advance(days=1)
    await log.record(ShownCard(1001, 10, POST, 7, 222))  # redrawn at a new revision

    assert await log.of_item(POST, 7) == [
        ShownCard(1001, 10, POST, 7, 222), ShownCard(1002, 10, POST, 7, 111)
    ]  # fmt: skip
    assert await log.of_item(EMAIL, 7) == [ShownCard(1001, 11, EMAIL, 7, 5)]
    assert await log.of_item(POST, 8) == []

    clock.advance(seconds=(KEEP - timedelta(days=1)).total_seconds() + 1)
    assert await log.prune() == 2  # the two last drawn a day earlier
    assert await log.of_item(POST, 7) == [ShownCard(1001, 10, POST, 7, 222)]
