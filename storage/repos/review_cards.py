"""Review cards shown in chats: record one (an upsert per message), list an item's cards,
forget old ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.cards import ReviewCard


async def record(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    kind: str,
    item_id: int,
    revision: int,
    at: datetime,
) -> None:
    """The message shows this item at this revision now (a redraw updates its row)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"kind": kind, "item_id": item_id, "revision": revision, "shown_at": at}
    statement = (
        insert(ReviewCard)
        .values(chat_id=chat_id, message_id=message_id, **values)
        .on_conflict_do_update(index_elements=["chat_id", "message_id"], set_=values)
    )
    await session.execute(statement)


async def of_item(session: AsyncSession, kind: str, item_id: int) -> list[ReviewCard]:
    """Every card that showed the item, oldest first."""
    statement = (
        select(ReviewCard)
        .where(ReviewCard.kind == kind, ReviewCard.item_id == item_id)
        .order_by(ReviewCard.id)
    )
    return list(await session.scalars(statement))


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Forget cards last drawn before `before`; returns how many."""
    result = await session.execute(delete(ReviewCard).where(ReviewCard.shown_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
