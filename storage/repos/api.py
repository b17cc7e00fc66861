"""SQL for the REST API's idempotency keys and rate-limit windows.

Both live in the database so several replicas behind one load balancer agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import IdempotencyKey, RateLimitWindow


@dataclass(frozen=True)
class StoredKey:
    fingerprint: str
    status: int | None
    response: dict[str, Any] | None
    created_at: datetime


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


# -- rate limit ------------------------------------------------------------------------


async def count_hit(session: AsyncSession, subject: str, window_start: int) -> int:
    """Add one request to the subject's window and return the window's count, atomically."""
    statement = _insert(session)(RateLimitWindow).values(
        subject=subject, window_start=window_start, count=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["subject", "window_start"],
        set_={"count": RateLimitWindow.count + 1},
    ).returning(RateLimitWindow.count)
    return int((await session.execute(statement)).scalar_one())


async def drop_windows_before(session: AsyncSession, subject: str, window_start: int) -> None:
    await session.execute(
        delete(RateLimitWindow).where(
            RateLimitWindow.subject == subject, RateLimitWindow.window_start < window_start
        )
    )


# -- idempotency keys --------------------------------------------------------------------


async def claim_key(session: AsyncSession, key: str, fingerprint: str, at: datetime) -> bool:
    """Insert the key as "in progress"; False when it exists already."""
    statement = (
        _insert(session)(IdempotencyKey)
        .values(key=key, fingerprint=fingerprint, status=None, response=None, created_at=at)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(IdempotencyKey.key)
    )
    return (await session.execute(statement)).first() is not None


async def get_key(session: AsyncSession, key: str) -> StoredKey | None:
    row = (
        await session.execute(
            select(
                IdempotencyKey.fingerprint,
                IdempotencyKey.status,
                IdempotencyKey.response,
                IdempotencyKey.created_at,
            ).where(IdempotencyKey.key == key)
        )
    ).first()
    return StoredKey(row[0], row[1], row[2], row[3]) if row is not None else None


async def take_over_key(
    session: AsyncSession, key: str, *, seen_created_at: datetime, fingerprint: str, at: datetime
) -> bool:
    """Re-claim an expired or abandoned key, unless another request re-claimed it first."""
    statement = (
        update(IdempotencyKey)
        .where(IdempotencyKey.key == key, IdempotencyKey.created_at == seen_created_at)
        .values(fingerprint=fingerprint, status=None, response=None, created_at=at)
        .returning(IdempotencyKey.key)
    )
    return (await session.execute(statement)).first() is not None


async def complete_key(
    session: AsyncSession, key: str, *, status: int, response: dict[str, Any]
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key == key)
        .values(status=status, response=response)
    )


async def release_key(session: AsyncSession, key: str) -> None:
    """Forget an in-progress claim whose request failed, so a retry runs it again."""
    await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.key == key, IdempotencyKey.status.is_(None))
    )


async def purge_keys_before(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
