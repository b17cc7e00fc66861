"""Suggestion rows. State changes are conditional updates: the WHERE clause is the lock."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Post, Suggestion

# A campaign's suggestions are pending until their posts (which exist already) are
# reviewed in /approve; the /suggest cards, queue and buttons are not for them.
CAMPAIGN_SOURCE = "campaign"


async def insert(
    session: AsyncSession,
    *,
    payload: dict[str, Any],
    chat_id: int | None,
    user_id: int | None,
    llm_call_id: int | None,
    source: str = "suggest",
) -> Suggestion:
    row = Suggestion(
        payload=payload, chat_id=chat_id, created_by=user_id, llm_call_id=llm_call_id, source=source
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, suggestion_id: int) -> Suggestion | None:
    """A /suggest suggestion; a campaign's (reviewed through its post) is not one."""
    row = await session.get(Suggestion, suggestion_id)
    return row if row is not None and row.source != CAMPAIGN_SOURCE else None


async def post_id_for(session: AsyncSession, suggestion_id: int) -> int | None:
    result = await session.execute(select(Post.id).where(Post.suggestion_id == suggestion_id))
    return result.scalar_one_or_none()


async def post_state(session: AsyncSession, post_id: int) -> tuple[str, bool] | None:
    """(status, approved) of the post, if it exists."""
    row = (
        await session.execute(select(Post.status, Post.approved_at).where(Post.id == post_id))
    ).first()
    return (row[0], row[1] is not None) if row is not None else None


async def replace_payload(
    session: AsyncSession,
    suggestion_id: int,
    revision: int,
    payload: dict[str, Any],
    llm_call_id: int | None,
) -> bool:
    """Swap in new content if the card is still pending at the revision the user saw."""
    values: dict[str, Any] = {"payload": payload, "revision": Suggestion.revision + 1}
    if llm_call_id is not None:
        values["llm_call_id"] = llm_call_id
    return await _update_pending(session, suggestion_id, revision, values)


# Built once: a button tap runs this, and building and ORM-loading the statement on each
# tap cost more than SQLite took to run it (bench/bench_taps.py).
_TABLE = cast(Table, Suggestion.__table__)  # a mapped class's table is always a Table
_DECIDE = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("suggestion_id"),
        _TABLE.c.status == "pending",
        _TABLE.c.source != CAMPAIGN_SOURCE,
        _TABLE.c.revision == bindparam("seen_revision"),
    )
    .values(status=bindparam("new_status"), decided_by=bindparam("by"), decided_at=bindparam("at"))
    .returning(*_TABLE.c)
)


async def decide(
    session: AsyncSession,
    suggestion_id: int,
    revision: int,
    *,
    status: str,
    user_id: int,
    at: datetime,
) -> Suggestion | None:
    """The decided row, or None if it was not pending at that revision (one round trip).

    The row comes back as a detached Suggestion: read it, don't change it.
    """
    parameters = {
        "suggestion_id": suggestion_id,
        "seen_revision": revision,
        "new_status": status,
        "by": user_id,
        "at": at,
    }
    row = (await session.execute(_DECIDE, parameters)).one_or_none()
    return None if row is None else Suggestion(**row._mapping)


async def _update_pending(
    session: AsyncSession, suggestion_id: int, revision: int, values: dict[str, Any]
) -> bool:
    statement = (
        update(Suggestion)
        .where(
            Suggestion.id == suggestion_id,
            Suggestion.status == "pending",
            Suggestion.source != CAMPAIGN_SOURCE,
            Suggestion.revision == revision,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount == 1


async def list_pending(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[Suggestion], int]:
    pending = (Suggestion.status == "pending") & (Suggestion.source != CAMPAIGN_SOURCE)
    total = (await session.execute(select(func.count()).where(pending))).scalar_one()
    rows = await session.execute(
        select(Suggestion)
        .where(pending)
        .order_by(Suggestion.created_at, Suggestion.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.scalars()), total
