"""crew_contents rows. Settling and linking a post are conditional UPDATEs: the WHERE
clause is the lock, so two replicas (or a double tap) change a row once. The caller owns
the transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy import delete as sa_delete
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from domain.content import ContentStatus
from storage.models import CrewContent


async def insert(session: AsyncSession, values: dict[str, Any]) -> CrewContent:
    row = CrewContent(status=ContentStatus.PROCESSING, hashtags=[], cost_microusd=0, **values)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, content_id: int) -> CrewContent | None:
    return await session.get(CrewContent, content_id, populate_existing=True)


async def by_public_id(session: AsyncSession, public_id: str) -> CrewContent | None:
    row: CrewContent | None = await session.scalar(
        select(CrewContent).where(CrewContent.public_id == public_id)
    )
    return row


async def recent(session: AsyncSession, *, offset: int, limit: int) -> list[CrewContent]:
    """Newest first; ties (one clock tick) by id so pages never overlap."""
    rows = await session.scalars(
        select(CrewContent)
        .order_by(CrewContent.created_at.desc(), CrewContent.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows)


async def count(session: AsyncSession) -> int:
    total: int = await session.scalar(select(func.count()).select_from(CrewContent)) or 0
    return total


async def settle(
    session: AsyncSession, content_id: int, status: ContentStatus, values: dict[str, Any]
) -> bool:
    """processing → completed | failed, once: False when it was settled already."""
    still = (CrewContent.id == content_id, CrewContent.status == ContentStatus.PROCESSING)
    return await _update(session, still, {**values, "status": status})


async def link_post(session: AsyncSession, content_id: int, post_id: int) -> bool:
    """The post made from it, once: False when a post was made already."""
    first = (CrewContent.id == content_id, CrewContent.post_id.is_(None))
    return await _update(session, first, {"post_id": post_id})


async def link_retry(session: AsyncSession, content_id: int, retry_id: int) -> bool:
    """A failed piece tried again as `retry_id`, once: False when it was tried again already."""
    first = (
        CrewContent.id == content_id,
        CrewContent.status == ContentStatus.FAILED,
        CrewContent.retry_id.is_(None),
    )
    return await _update(session, first, {"retry_id": retry_id})


async def _update(
    session: AsyncSession, where: tuple[ColumnElement[bool], ...], values: dict[str, Any]
) -> bool:
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(CrewContent)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def delete(session: AsyncSession, content_id: int) -> None:
    """Only for a brief the crew never took (it was off); a failed piece it was to retry
    becomes retryable again."""
    await _update(session, (CrewContent.retry_id == content_id,), {"retry_id": None})
    await session.execute(sa_delete(CrewContent).where(CrewContent.id == content_id))


async def made_into(session: AsyncSession, post_id: int) -> int | None:
    """The piece a post was made from (🗒 Make a post), if any."""
    found = await session.scalar(select(CrewContent.id).where(CrewContent.post_id == post_id))
    return int(found) if found is not None else None
