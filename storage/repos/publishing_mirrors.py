"""Webhook mirrors: posts published to a channel, owed to the outgoing webhook too.

An outbox: `enqueue` runs in the transaction that marks the post published. A sweep
claims due rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas take
different rows), and every outcome is conditional on still holding the claim. A claim
whose lease ran out (its replica died mid-send) is simply claimed again: delivery is at
least once, and receivers deduplicate on the webhook-id. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Post
from storage.models.publishing import WebhookMirror
from storage.repos import pipeline
from storage.repos.publishing_rows import dialect_insert, locked_pick

ALERT = "mirror_failed"


@dataclass(frozen=True)
class MirrorRow:
    """What went out to the channel, read at delivery (a published post can't be edited)."""

    post_id: int
    title: str
    caption: str
    hashtags: tuple[str, ...]
    format: str | None
    scheduled_at: datetime | None
    channel: str
    message_ids: tuple[str, ...]
    published_at: datetime
    attempts: int
    last_error: str | None
    image_file_id: str | None = None
    image_path: str | None = None


async def enqueue(
    session: AsyncSession, post_id: int, *, channel: str, message_ids: str | None, now: datetime,
    published_at: datetime | None = None,
) -> None:  # fmt: skip
    """Owe the webhook this post, due now (once per post: a second call changes nothing)."""
    row = {"post_id": post_id, "status": "pending", "channel": channel, "attempts": 0,
           "message_ids": message_ids, "published_at": published_at or now,
           "next_attempt_at": now, "created_at": now}  # fmt: skip
    statement = dialect_insert(session, WebhookMirror).values(row)
    await session.execute(statement.on_conflict_do_nothing(index_elements=["post_id"]))


def _due(now: datetime) -> list[ColumnElement[bool]]:
    free = or_(WebhookMirror.lease_until.is_(None), WebhookMirror.lease_until < now)
    return [WebhookMirror.status == "pending", WebhookMirror.next_attempt_at <= now, free]


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    worker: str,
    lease_until: datetime,
    limit: int,
    skip_locked: bool,
    busy: Collection[int] = (),
) -> list[int]:
    """Due mirrors nobody holds become this replica's until `lease_until`; each claim is
    an attempt. Conditions are checked to pick (skipping locked rows) and in the UPDATE.
    `busy`: posts this replica is still sending (a lease ran out under a slow send)."""
    if limit <= 0:
        return []
    pick = select(WebhookMirror.post_id).where(*_due(now), WebhookMirror.post_id.not_in(busy))
    pick = pick.order_by(WebhookMirror.next_attempt_at, WebhookMirror.post_id).limit(limit)
    picked = await locked_pick(session, pick, skip_locked=skip_locked)
    values = {"claimed_by": worker, "lease_until": lease_until,
              "attempts": WebhookMirror.attempts + 1}  # fmt: skip
    statement = (
        update(WebhookMirror)
        .where(WebhookMirror.post_id.in_(picked), *_due(now))
        .values(**values)
        .returning(WebhookMirror.post_id)
        .execution_options(synchronize_session=False)
    )
    return sorted((await session.execute(statement)).scalars())


async def read(session: AsyncSession, post_id: int) -> MirrorRow | None:
    found = (
        await session.execute(
            select(WebhookMirror, Post)
            .join(Post, Post.id == WebhookMirror.post_id)
            .where(WebhookMirror.post_id == post_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if found is None:
        return None
    mirror, post = found
    image = await pipeline.picked_image_of_post(session, post_id)
    ids = tuple(i for i in (mirror.message_ids or "").split(",") if i)
    return MirrorRow(
        post.id, post.title, post.caption, tuple(post.hashtags), post.format, post.scheduled_at,
        mirror.channel, ids, mirror.published_at, mirror.attempts, mirror.last_error,
        image.file_id if image else None, image.path if image else None,
    )  # fmt: skip


async def mark_sent(
    session: AsyncSession, post_id: int, *, worker: str, now: datetime, receipt: str
) -> bool:
    values = {"status": "sent", "sent_at": now, "receipt": receipt[:100], "last_error": None,
              "claimed_by": None, "lease_until": None, "next_attempt_at": None}  # fmt: skip
    return await _held(session, post_id, worker, values)


async def retry_at(
    session: AsyncSession, post_id: int, *, worker: str, at: datetime, error: str
) -> bool:
    """A transient failure: due again at `at` (the backoff, or the receiver's Retry-After)."""
    values = {"next_attempt_at": at, "last_error": error, "claimed_by": None, "lease_until": None}
    return await _held(session, post_id, worker, values)


async def mark_failed(session: AsyncSession, post_id: int, *, worker: str, error: str) -> bool:
    """Given up: failed, with the reason and an alert owed to the admins."""
    values = {"status": "failed", "last_error": error, "claimed_by": None, "lease_until": None,
              "next_attempt_at": None, "alert": ALERT, "alert_lease_until": None}  # fmt: skip
    return await _held(session, post_id, worker, values)


async def _held(session: AsyncSession, post_id: int, worker: str, values: dict[str, Any]) -> bool:
    where = [WebhookMirror.claimed_by == worker, WebhookMirror.status == "pending"]
    return await _update(session, [post_id], where, values) == [post_id]


async def retry_failed(session: AsyncSession, post_id: int, *, now: datetime) -> bool:
    """A person's Retry: a failed mirror is due now, with a fresh count of attempts."""
    values = {"status": "pending", "attempts": 0, "next_attempt_at": now, "last_error": None,
              "alert": None, "alert_lease_until": None}  # fmt: skip
    return bool(await _update(session, [post_id], [WebhookMirror.status == "failed"], values))


async def release(session: AsyncSession, post_ids: Sequence[int], *, worker: str) -> list[int]:
    """At shutdown: this replica's claims are free again at once (nothing waits a lease)."""
    where = [WebhookMirror.claimed_by == worker, WebhookMirror.status == "pending"]
    return await _update(session, post_ids, where, {"claimed_by": None, "lease_until": None})


async def _update(
    session: AsyncSession,
    post_ids: Sequence[int],
    where: Sequence[ColumnElement[bool]],
    values: dict[str, Any],
) -> list[int]:
    if not post_ids:
        return []
    statement = (
        update(WebhookMirror)
        .where(WebhookMirror.post_id.in_(post_ids), *where)
        .values(**values)
        .returning(WebhookMirror.post_id)
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(statement)).scalars())


async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
    pending = [WebhookMirror.status == "pending", WebhookMirror.next_attempt_at > after]
    found: datetime | None = await session.scalar(
        select(func.min(WebhookMirror.next_attempt_at)).where(*pending)
    )
    return found


async def counts(session: AsyncSession) -> dict[str, int]:
    """How many mirrors are pending and failed (sent ones are not counted)."""
    rows = await session.execute(
        select(WebhookMirror.status, func.count())
        .where(WebhookMirror.status.in_(("pending", "failed")))
        .group_by(WebhookMirror.status)
    )
    found = {str(status): int(n) for status, n in rows}
    return {"pending": found.get("pending", 0), "failed": found.get("failed", 0)}


async def alerts_due(session: AsyncSession, now: datetime, limit: int) -> list[MirrorRow]:
    """Failed mirrors whose alert is owed and not being sent by another replica now."""
    free = or_(WebhookMirror.alert_lease_until.is_(None), WebhookMirror.alert_lease_until < now)
    ids = await session.scalars(
        select(WebhookMirror.post_id)
        .where(WebhookMirror.alert == ALERT, free)
        .order_by(WebhookMirror.post_id)
        .limit(limit)
    )
    rows = [await read(session, post_id) for post_id in ids]
    return [row for row in rows if row is not None]


async def take_alert(
    session: AsyncSession, post_id: int, *, now: datetime, until: datetime
) -> bool:
    free = or_(WebhookMirror.alert_lease_until.is_(None), WebhookMirror.alert_lease_until < now)
    where = [WebhookMirror.alert == ALERT, WebhookMirror.status == "failed", free]
    return bool(await _update(session, [post_id], where, {"alert_lease_until": until}))


async def clear_alert(session: AsyncSession, post_id: int) -> bool:
    values = {"alert": None, "alert_lease_until": None}
    return bool(await _update(session, [post_id], [WebhookMirror.alert == ALERT], values))
