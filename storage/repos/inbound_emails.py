"""Customer emails as stored: inserted once per dedupe key, read by id or newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundEmail


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def insert_once(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """The new row's id, or None when the same mail (dedupe key or source ref) is stored.

    ON CONFLICT DO NOTHING without a target covers both unique constraints, so two
    replicas reading one mail at once store it once and neither fails.
    """
    statement = (
        _insert(session)(InboundEmail)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(InboundEmail.id)
    )
    email_id: int | None = await session.scalar(statement)
    return email_id


async def existing(
    session: AsyncSession, *, dedupe_key: str, source: str, source_ref: str | None
) -> InboundEmail | None:
    """The stored row a duplicate collided with."""
    same_ref = (InboundEmail.source == source) & (InboundEmail.source_ref == source_ref)
    clause = or_(InboundEmail.dedupe_key == dedupe_key, same_ref)
    return await session.scalar(select(InboundEmail).where(clause).limit(1))


async def get(session: AsyncSession, email_id: int) -> InboundEmail | None:
    return await session.get(InboundEmail, email_id, populate_existing=True)


async def recent(session: AsyncSession, *, limit: int) -> list[InboundEmail]:
    rows = await session.scalars(select(InboundEmail).order_by(InboundEmail.id.desc()).limit(limit))
    return list(rows)


async def ids_with_status(session: AsyncSession, status: str, *, after_id: int = 0) -> list[int]:
    """Ids in order, for a sweep that pages through them (D2's drafting engine)."""
    rows = await session.scalars(
        select(InboundEmail.id)
        .where(InboundEmail.status == status, InboundEmail.id > after_id)
        .order_by(InboundEmail.id)
        .limit(500)
    )
    return list(rows)


async def set_automatic_reason(session: AsyncSession, email_id: int, reason: str) -> None:
    """What an automatic mail did, once known (a bounce matched after it was stored)."""
    await session.execute(
        update(InboundEmail).where(InboundEmail.id == email_id).values(automatic_reason=reason)
    )
