"""Statements the publishing repositories share: status moves, transitions, upserts, pacing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import PostStatus as S
from storage.models import Post, PostDelivery, PostTransition


async def move_posts(
    session: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    to: str,
    *,
    now: datetime,
    skip_locked: bool,
    limit: int | None = None,
) -> list[int]:
    """Set the status of the posts matching `where`; their ids, soonest scheduled first.

    The conditions are checked twice: to pick (skipping rows another replica has
    locked) and again in the UPDATE itself, so a row changed meanwhile is left alone.
    """
    pick = select(Post.id).where(*where).order_by(Post.scheduled_at, Post.id)
    if limit is not None:
        pick = pick.limit(limit)
    picked = await locked_pick(session, pick, skip_locked=skip_locked)
    statement = (
        update(Post)
        .where(Post.id.in_(picked), *where)
        .values(status=to, updated_at=now)
        .returning(Post.id, Post.scheduled_at)
        .execution_options(synchronize_session=False)
    )
    rows = list(await session.execute(statement))
    rows.sort(key=lambda row: (row[1] is not None, row[1] or now, row[0]))
    return [row[0] for row in rows]


async def locked_pick(
    session: AsyncSession, pick: Select[int], *, skip_locked: bool
) -> ScalarSelect[int] | list[int]:
    """The ids for an UPDATE's `IN (...)`, skipping rows other replicas hold locked.

    On PostgreSQL a locking pick is a statement of its own: as a subquery of the UPDATE it
    may run again after each row changes, and SKIP LOCKED then yields more than its LIMIT.
    On SQLite it stays a subquery: one statement takes the write lock at once, where a
    read followed by a write may fail with "database is locked" instead of waiting.
    """
    if not skip_locked or session.get_bind().dialect.name != "postgresql":
        return pick.scalar_subquery()
    return list(await session.scalars(pick.with_for_update(skip_locked=True)))


async def add_transitions(
    session: AsyncSession,
    post_ids: Sequence[int],
    from_status: str,
    to_status: str,
    *,
    actor: str,
    at: datetime,
) -> None:
    if not post_ids:
        return
    rows = [
        {"post_id": i, "from_status": from_status, "to_status": to_status, "actor": actor, "at": at}
        for i in post_ids
    ]
    await session.execute(insert(PostTransition), rows)


def dialect_insert(session: AsyncSession, table: type[Any]) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


async def upsert_deliveries(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or overwrite the given columns of each post's delivery row (others are kept)."""
    if not rows:
        return
    statement = dialect_insert(session, PostDelivery).values(list(rows))
    columns = [name for name in rows[0] if name != "post_id"]
    statement = statement.on_conflict_do_update(
        index_elements=[PostDelivery.post_id],
        set_={name: statement.excluded[name] for name in columns},
    )
    await session.execute(statement)


async def finish_move(
    session: AsyncSession, post_ids: list[int], to: str, *, now: datetime, actor: str
) -> list[int]:
    where = [Post.id.in_(post_ids), Post.status == S.PUBLISHING]
    moved = await move_posts(session, where, to, now=now, skip_locked=False) if post_ids else []
    await add_transitions(session, moved, S.PUBLISHING, to, actor=actor, at=now)
    return moved


async def update_deliveries(
    session: AsyncSession,
    post_ids: Iterable[int],
    where: Sequence[ColumnElement[bool]],
    values: dict[str, Any],
) -> list[int]:
    """Conditional update of delivery rows; the post ids it changed."""
    ids = list(post_ids)
    if not ids:
        return []
    statement = (
        update(PostDelivery)
        .where(PostDelivery.post_id.in_(ids), *where)
        .values(**values)
        .returning(PostDelivery.post_id)
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(statement)).scalars())
