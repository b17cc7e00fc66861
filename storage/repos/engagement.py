"""Engagement rows: which published post a channel message is, its latest reaction counts,
and the figure semantic memory ranks by. Plain values in and out; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MemoryItem, Post, PostDelivery
from storage.models.publishing import PostReaction


@dataclass(frozen=True)
class Sent:
    """A published post one of whose messages has this id (in some chat)."""

    post_id: int
    target: str | None  # PostDelivery.target: None is the default target


@dataclass(frozen=True)
class Reactions:
    post_id: int
    message_id: int
    chat_id: int
    counts: Mapping[str, int]
    reported_at: datetime


@dataclass(frozen=True)
class TopPost:
    post_id: int
    title: str
    reactions: int


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def sent_as(session: AsyncSession, message_id: int) -> list[Sent]:
    """Published posts with `message_id` among their comma-separated message ids; message
    ids are per chat, so the caller picks by target."""
    ids = PostDelivery.external_message_id
    mid = str(message_id)
    statement = select(PostDelivery.post_id, PostDelivery.target).where(
        PostDelivery.published_at.is_not(None),
        or_(ids == mid, ids.like(f"{mid},%"), ids.like(f"%,{mid}"), ids.like(f"%,{mid},%")),
    )
    return [Sent(post_id, target) for post_id, target in (await session.execute(statement)).all()]


async def save(session: AsyncSession, reactions: Reactions, *, now: datetime) -> bool:
    """Store the message's counts unless a newer report is stored (a late, reordered
    update must not bring back old totals); whether they were stored."""
    values = {
        "post_id": reactions.post_id, "message_id": reactions.message_id,
        "chat_id": reactions.chat_id, "counts": dict(reactions.counts),
        "total": sum(reactions.counts.values()), "reported_at": reactions.reported_at,
        "updated_at": now,
    }  # fmt: skip
    insert = _insert(session)(PostReaction).values(values)
    changed = {key: insert.excluded[key] for key in ("chat_id", "counts", "total", "reported_at")}
    statement = insert.on_conflict_do_update(
        index_elements=["post_id", "message_id"],
        set_={**changed, "updated_at": now},
        where=PostReaction.reported_at <= insert.excluded.reported_at,
    ).returning(PostReaction.post_id)
    return await session.scalar(statement) is not None


async def post_reactions(session: AsyncSession, post_id: int) -> int:
    """The post's reactions over all its messages (a long text goes out as several)."""
    statement = select(func.coalesce(func.sum(PostReaction.total), 0)).where(
        PostReaction.post_id == post_id
    )
    return int((await session.execute(statement)).scalar_one())


async def set_memory_engagement(
    session: AsyncSession, kind: str, item_id: int, engagement: dict[str, float]
) -> bool:
    """Set the memory item's engagement alone: its outcome, time and events stay as they
    are (a reaction is not a decision); False when the item is not remembered."""
    statement = (
        update(MemoryItem)
        .where(MemoryItem.kind == kind, MemoryItem.item_id == item_id)
        .values(engagement=engagement)
        .returning(MemoryItem.id)
    )
    return await session.scalar(statement) is not None


async def top_posts(
    session: AsyncSession, since: datetime, until: datetime, *, limit: int = 3
) -> list[TopPost]:
    """The posts published in the window with the most reactions (none without any)."""
    total = func.sum(PostReaction.total).label("total")
    statement = (
        select(Post.id, Post.title, total)
        .join(PostReaction, PostReaction.post_id == Post.id)
        .join(PostDelivery, PostDelivery.post_id == Post.id)
        .where(PostDelivery.published_at >= since, PostDelivery.published_at < until)
        .group_by(Post.id, Post.title)
        .having(total > 0)
        .order_by(total.desc(), Post.id.desc())
        .limit(limit)
    )
    rows = (await session.execute(statement)).all()
    return [TopPost(post_id, title, int(reactions)) for post_id, title, reactions in rows]
