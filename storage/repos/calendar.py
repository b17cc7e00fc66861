"""The Mini App calendar's rows: posts and sequence emails with a time in a range.

Plain columns, not ORM objects: a month of 500 posts is read and shown in a few ms.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import EmailSequence, Post, SequenceEmail


@dataclass(frozen=True)
class PostSlot:
    post_id: int
    title: str
    status: str
    scheduled_at: datetime
    approved: bool


@dataclass(frozen=True)
class EmailSlot:
    email_id: int
    sequence_name: str
    number: int
    subject: str | None
    status: str
    due_at: datetime


async def posts_between(
    session: AsyncSession, start: datetime, end: datetime, *, leave_out: Collection[str], limit: int
) -> list[PostSlot]:
    """Posts with a time in [start, end), in time order, except those in `leave_out`."""
    statement = (
        select(Post.id, Post.title, Post.status, Post.scheduled_at, Post.approved_at)
        .where(Post.scheduled_at >= start, Post.scheduled_at < end)
        .where(Post.status.not_in(leave_out))
        .order_by(Post.scheduled_at, Post.id)
        .limit(limit)
    )
    return [
        PostSlot(post_id, title, status, at, approved is not None)
        for post_id, title, status, at, approved in await session.execute(statement)
        if at is not None  # the range already excludes posts without a time
    ]


async def emails_between(
    session: AsyncSession, start: datetime, end: datetime, *, leave_out: Collection[str], limit: int
) -> list[EmailSlot]:
    """Sequence emails due in [start, end), in time order, except those in `leave_out`."""
    statement = (
        select(
            SequenceEmail.id, EmailSequence.name, SequenceEmail.number, SequenceEmail.subject,
            SequenceEmail.status, SequenceEmail.due_at,
        )
        .join(EmailSequence, EmailSequence.id == SequenceEmail.sequence_id)
        .where(SequenceEmail.due_at >= start, SequenceEmail.due_at < end)
        .where(SequenceEmail.status.not_in(leave_out))
        .order_by(SequenceEmail.due_at, SequenceEmail.id)
        .limit(limit)
    )  # fmt: skip
    return [EmailSlot(*row) for row in await session.execute(statement)]
