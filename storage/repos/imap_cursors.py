"""The support inbox's cursor: found or made once, leased by one reader, moved forward only.

Every write is one conditional UPDATE, so two replicas (or a reader whose lease ran out
while it was stuck) can never move a cursor back or read a mailbox together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ImapCursor


async def get_or_create(
    session: AsyncSession, *, host: str, username: str, folder: str, at: datetime
) -> ImapCursor:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(ImapCursor)
        .values(host=host, username=username, folder=folder, last_uid=0, updated_at=at)
        .on_conflict_do_nothing(index_elements=["host", "username", "folder"])
    )
    row = await session.scalar(
        select(ImapCursor)
        .where(
            ImapCursor.host == host, ImapCursor.username == username, ImapCursor.folder == folder
        )
        .execution_options(populate_existing=True)
    )
    assert row is not None, "inserted or already there"
    return row


async def claim(
    session: AsyncSession, cursor_id: int, *, owner: str, at: datetime, until: datetime
) -> bool:
    """Take (or extend) the lease; False while another reader holds it."""
    free = or_(
        ImapCursor.lease_until.is_(None),
        ImapCursor.lease_until <= at,
        ImapCursor.lease_owner == owner,
    )
    result = await session.execute(
        update(ImapCursor)
        .where(ImapCursor.id == cursor_id, free)
        .values(lease_owner=owner, lease_until=until)
    )
    return _changed(result)


async def release(session: AsyncSession, cursor_id: int, *, owner: str) -> None:
    await session.execute(
        update(ImapCursor)
        .where(ImapCursor.id == cursor_id, ImapCursor.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


async def restart(
    session: AsyncSession,
    cursor_id: int,
    *,
    owner: str,
    uidvalidity: int,
    last_uid: int,
    at: datetime,
) -> bool:
    """A first look at the folder, or a new UIDVALIDITY: the old UIDs mean nothing now."""
    result = await session.execute(
        update(ImapCursor)
        .where(ImapCursor.id == cursor_id, ImapCursor.lease_owner == owner)
        .values(uidvalidity=uidvalidity, last_uid=last_uid, updated_at=at)
    )
    return _changed(result)


async def advance(
    session: AsyncSession,
    cursor_id: int,
    *,
    owner: str,
    uidvalidity: int,
    uid: int,
    at: datetime,
    lease_until: datetime,
) -> bool:
    """Past `uid`, which the intake has committed; the lease is extended with it.

    False when the lease was lost or the cursor is already further (nothing changes).
    """
    result = await session.execute(
        update(ImapCursor)
        .where(
            ImapCursor.id == cursor_id,
            ImapCursor.lease_owner == owner,
            ImapCursor.uidvalidity == uidvalidity,
            ImapCursor.last_uid < uid,
        )
        .values(last_uid=uid, updated_at=at, lease_until=lease_until)
    )
    return _changed(result)


async def mark_read(session: AsyncSession, cursor_id: int, *, at: datetime) -> str | None:
    """A poll got through: the problem, if there was one, is over. Returns it."""
    row = await session.get(ImapCursor, cursor_id, populate_existing=True)
    previous = row.problem if row is not None else None
    await session.execute(
        update(ImapCursor)
        .where(ImapCursor.id == cursor_id)
        .values(polled_at=at, problem=None, problem_since=None, updated_at=at)
    )
    return previous


async def note_problem(
    session: AsyncSession, cursor_id: int, *, problem: str, at: datetime
) -> bool:
    """True when this problem is new (none before, or a different one): tell the admins."""
    problem = problem[:500]  # as stored, so the same problem compares equal
    result = await session.execute(
        update(ImapCursor)
        .where(
            ImapCursor.id == cursor_id,
            or_(ImapCursor.problem.is_(None), ImapCursor.problem != problem),
        )
        .values(problem=problem, problem_since=at, updated_at=at)
    )
    return _changed(result)


async def forget_problem(session: AsyncSession, cursor_id: int, *, problem: str) -> None:
    """Nobody could be told: the next poll that meets it tells again."""
    await session.execute(
        update(ImapCursor)
        .where(ImapCursor.id == cursor_id, ImapCursor.problem == problem[:500])
        .values(problem=None, problem_since=None)
    )


def _changed(result: object) -> bool:
    assert isinstance(result, CursorResult)
    return result.rowcount == 1
