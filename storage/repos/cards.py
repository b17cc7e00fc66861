"""Cards in flight: claim one per item (ON CONFLICT: a second claim gets nothing), list, drop."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CardInFlight


async def claim(
    session: AsyncSession,
    *,
    kind: str,
    item_id: int | None,
    chat_id: int,
    message_id: int,
    user_id: int,
    at: datetime,
) -> int | None:
    """The new row's id; None when the item already has one (NULL items never conflict)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(CardInFlight)
        .values(
            kind=kind,
            item_id=item_id,
            chat_id=chat_id,
            message_id=message_id,
            user_id=user_id,
            started_at=at,
        )
        .on_conflict_do_nothing(index_elements=["kind", "item_id"])
        .returning(CardInFlight.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def release(session: AsyncSession, card_id: int) -> None:
    await session.execute(delete(CardInFlight).where(CardInFlight.id == card_id))


async def every(session: AsyncSession) -> list[CardInFlight]:
    rows = await session.scalars(select(CardInFlight).order_by(CardInFlight.id))
    return list(rows)
