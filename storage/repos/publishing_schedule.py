"""What people do to the publishing plan, what they see of it, and the alert outbox.

Moves are conditional on the status the person saw, like every other post change.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import PostStatus as S
from storage.models import Post, PostDelivery
from storage.repos import publishing_mirrors as mirrors
from storage.repos.publishing_rows import add_transitions, move_posts, upsert_deliveries

# A person's decision clears whatever the dispatcher had pending for the post.
_FRESH = {"claimed_by": None, "lease_until": None, "send_after": None, "send_started_at": None,
          "last_error": None, "alert": None, "alert_lease_until": None}  # fmt: skip


@dataclass(frozen=True)
class PlanRow:
    post_id: int
    title: str
    status: str
    scheduled_at: datetime | None
    approved: bool
    caption: str
    hashtags: tuple[str, ...]
    format: str | None
    target: str | None
    last_error: str | None
    published_at: datetime | None
    alert: str | None


async def schedule(
    session: AsyncSession, post_id: int, *, at: datetime, from_status: str, now: datetime,
    actor: str,
) -> bool:  # fmt: skip
    """(Re)schedule an approved post seen in `from_status` at `at`."""
    where = [Post.id == post_id, Post.status == from_status, Post.approved_at.is_not(None)]
    statement = (
        update(Post)
        .where(*where)
        .values(status=S.SCHEDULED, scheduled_at=at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(statement)).rowcount != 1:  # type: ignore[attr-defined]
        return False
    await upsert_deliveries(session, [{"post_id": post_id, **_FRESH}])
    if from_status != S.SCHEDULED:
        await add_transitions(session, [post_id], from_status, S.SCHEDULED, actor=actor, at=now)
    return True


async def move(
    session: AsyncSession, post_id: int, *, from_status: str, to: str, now: datetime, actor: str,
    mirror_to: str | None = None,
) -> bool:  # fmt: skip
    """`mirror_to`: a post a person says went out to that channel is owed to the webhook."""
    where = [Post.id == post_id, Post.status == from_status]
    if not await move_posts(session, where, to, now=now, skip_locked=False):
        return False
    fresh: dict[str, Any] = {"post_id": post_id, **_FRESH}
    if to == S.PUBLISHED:  # a person says it went out: when the send started is our best guess
        started, sent = (
            await session.execute(
                select(PostDelivery.send_started_at, PostDelivery.external_message_id).where(
                    PostDelivery.post_id == post_id
                )
            )
        ).first() or (None, None)
        fresh["published_at"] = started or now
        if mirror_to is not None:
            await mirrors.enqueue(session, post_id, channel=mirror_to, message_ids=sent, now=now,
                                  published_at=fresh["published_at"])  # fmt: skip
    await upsert_deliveries(session, [fresh])
    await add_transitions(session, [post_id], from_status, to, actor=actor, at=now)
    return True


async def set_target(session: AsyncSession, post_id: int, target: str | None) -> None:
    await upsert_deliveries(session, [{"post_id": post_id, "target": target}])


def _plan() -> Select[Post, PostDelivery]:
    return (
        select(Post, PostDelivery)
        .outerjoin(PostDelivery, PostDelivery.post_id == Post.id)
        .execution_options(populate_existing=True)
    )


def _row(post: Post, delivery: PostDelivery | None) -> PlanRow:
    return PlanRow(
        post.id, post.title, post.status, post.scheduled_at, post.approved_at is not None,
        post.caption, tuple(post.hashtags), post.format,
        delivery.target if delivery else None, delivery.last_error if delivery else None,
        delivery.published_at if delivery else None, delivery.alert if delivery else None,
    )  # fmt: skip


async def _rows(session: AsyncSession, statement: Select[Post, PostDelivery]) -> list[PlanRow]:
    return [_row(post, delivery) for post, delivery in await session.execute(statement)]


async def one(session: AsyncSession, post_id: int) -> PlanRow | None:
    rows = await _rows(session, _plan().where(Post.id == post_id))
    return rows[0] if rows else None


async def between(
    session: AsyncSession, start: datetime, end: datetime, statuses: Collection[str], limit: int
) -> list[PlanRow]:
    """Posts with a time in [start, end), in time order."""
    where = [Post.status.in_(statuses), Post.scheduled_at >= start, Post.scheduled_at < end]
    return await _rows(
        session, _plan().where(*where).order_by(Post.scheduled_at, Post.id).limit(limit)
    )


async def in_status(
    session: AsyncSession, statuses: Collection[str], *, limit: int, approved_only: bool = False
) -> list[PlanRow]:
    where: list[ColumnElement[bool]] = [Post.status.in_(statuses)]
    if approved_only:
        where.append(Post.approved_at.is_not(None))
    statement = _plan().where(*where).order_by(Post.scheduled_at, Post.id).limit(limit)
    return await _rows(session, statement)


async def due_stats(session: AsyncSession, now: datetime) -> tuple[int, datetime | None]:
    """Approved posts due now that nobody has claimed yet, and the oldest due time."""
    where = [Post.status == S.SCHEDULED, Post.approved_at.is_not(None), Post.scheduled_at <= now]
    count, oldest = (
        await session.execute(select(func.count(), func.min(Post.scheduled_at)).where(*where))
    ).one()
    return int(count), oldest


async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
    where = [Post.status == S.SCHEDULED, Post.approved_at.is_not(None), Post.scheduled_at > after]
    value: datetime | None = await session.scalar(select(func.min(Post.scheduled_at)).where(*where))
    return value


async def alerts_due(session: AsyncSession, now: datetime, limit: int) -> list[PlanRow]:
    """Alerts owed and not being sent by another replica right now."""
    free = or_(PostDelivery.alert_lease_until.is_(None), PostDelivery.alert_lease_until < now)
    statement = _plan().where(PostDelivery.alert.is_not(None), free).order_by(Post.id).limit(limit)
    return await _rows(session, statement)


async def take_alert(
    session: AsyncSession, post_id: int, kind: str, *, now: datetime, until: datetime
) -> bool:
    free = or_(PostDelivery.alert_lease_until.is_(None), PostDelivery.alert_lease_until < now)
    return await _update_delivery(session, post_id, [PostDelivery.alert == kind, free],
                                  {"alert_lease_until": until})  # fmt: skip


async def clear_alert(session: AsyncSession, post_id: int, kind: str) -> bool:
    values = {"alert": None, "alert_lease_until": None}
    return await _update_delivery(session, post_id, [PostDelivery.alert == kind], values)


async def _update_delivery(
    session: AsyncSession,
    post_id: int,
    where: Sequence[ColumnElement[bool]],
    values: dict[str, Any],
) -> bool:
    statement = (
        update(PostDelivery)
        .where(PostDelivery.post_id == post_id, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).rowcount == 1  # type: ignore[attr-defined,no-any-return]
