"""The webhook inbox: updates are stored (once per update_id) before Telegram gets its 200."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate


async def store_once(session: AsyncSession, update_id: int, payload: dict[str, Any]) -> bool:
    """Insert the update unless it is there already; True when it is new."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(InboxUpdate)
        .values(update_id=update_id, payload=payload)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_processed(session: AsyncSession, update_id: int, at: datetime) -> None:
    await session.execute(
        update(InboxUpdate).where(InboxUpdate.update_id == update_id).values(processed_at=at)
    )


async def unprocessed(session: AsyncSession, *, limit: int = 1000) -> list[InboxUpdate]:
    rows = await session.execute(
        select(InboxUpdate)
        .where(InboxUpdate.processed_at.is_(None))
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    )
    return list(rows.scalars())


async def prune_processed(session: AsyncSession, *, before: datetime) -> None:
    """Processed updates are kept for a while (Telegram redelivers for up to a day)."""
    await session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.processed_at.is_not(None), InboxUpdate.processed_at < before
        )
    )
