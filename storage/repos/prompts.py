"""Prompt versions: one row per distinct content of a template, numbered 1, 2, 3...

Several replicas may sync the same files at once. Rather than locking, this relies on the
table's unique constraints: (name, content_hash) makes the same content land once, and
(name, version) makes two different contents take different numbers. A loser of either
race gets an IntegrityError, starts a fresh transaction and reads what the winner wrote.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models.prompts import PromptVersion

# Each retry means another replica just committed a version; a handful is plenty.
_MAX_ATTEMPTS = 5


async def ensure_version(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    name: str,
    content_hash: str,
    body: dict[str, Any],
) -> int:
    """The version number of this content, creating version N+1 if it is new.

    Content seen before (even an older version that was reverted to) keeps its number:
    the version identifies the text, and (name, content_hash) is unique.
    """
    for attempt in range(_MAX_ATTEMPTS):
        async with session_factory() as session:
            existing = await _version_of(session, name, content_hash)
            if existing is not None:
                return existing
            version = await _latest_number(session, name) + 1
            session.add(
                PromptVersion(name=name, version=version, content_hash=content_hash, body=body)
            )
            try:
                await session.commit()
            except IntegrityError:
                # Another replica committed first; look again in a new transaction.
                await session.rollback()
                if attempt == _MAX_ATTEMPTS - 1:
                    raise
                continue
            return version
    raise AssertionError("unreachable: the last attempt returns or raises")


async def get_version(
    session_factory: async_sessionmaker[AsyncSession], name: str, version: int
) -> PromptVersion | None:
    """The stored text behind a logged PromptRef, for audits and debugging."""
    async with session_factory() as session:
        return await session.scalar(
            select(PromptVersion).where(
                PromptVersion.name == name, PromptVersion.version == version
            )
        )


async def list_versions(
    session_factory: async_sessionmaker[AsyncSession], name: str
) -> list[PromptVersion]:
    async with session_factory() as session:
        rows = await session.scalars(
            select(PromptVersion).where(PromptVersion.name == name).order_by(PromptVersion.version)
        )
        return list(rows)


async def _version_of(session: AsyncSession, name: str, content_hash: str) -> int | None:
    return await session.scalar(
        select(PromptVersion.version).where(
            PromptVersion.name == name, PromptVersion.content_hash == content_hash
        )
    )


async def _latest_number(session: AsyncSession, name: str) -> int:
    latest = await session.scalar(
        select(func.max(PromptVersion.version)).where(PromptVersion.name == name)
    )
    return latest or 0
