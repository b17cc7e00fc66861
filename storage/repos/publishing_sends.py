"""The send itself: start it under a live claim, then record how it ended.

Every write is conditional on this replica still holding the claim (`claimed_by`), so a
replica that lost its claim can neither send nor overwrite what another one recorded.
The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import PostStatus as S
from storage.models import Post, PostDelivery
from storage.repos import pipeline
from storage.repos import publishing_mirrors as mirrors
from storage.repos.publishing_rows import (
    add_transitions,
    finish_move,
    move_posts,
    update_deliveries,
)


@dataclass(frozen=True)
class SendRow:
    """The post as it is when the send starts: this, not an older copy, goes out."""

    post_id: int
    title: str
    caption: str
    hashtags: tuple[str, ...]
    format: str | None
    scheduled_at: datetime | None
    target: str | None
    image_file_id: str | None
    image_path: str | None


async def begin_send(
    session: AsyncSession,
    post_id: int,
    *,
    worker: str,
    now: datetime,
    valid_after: datetime,
    lease_until: datetime,
    resume: bool,
) -> SendRow | None:
    """Mark the send as started, if this replica still holds a live claim, and read the post.

    None: the claim was lost, or the post is no longer publishing and approved. Nothing
    may be sent then.
    """
    where = [PostDelivery.claimed_by == worker, PostDelivery.lease_until > valid_after]
    if not resume:
        where.append(PostDelivery.send_started_at.is_(None))
    values = {"lease_until": lease_until} if resume else {"lease_until": lease_until,
                                                          "send_started_at": now}  # fmt: skip
    if not await update_deliveries(session, [post_id], where, values):
        return None
    row = await _sendable(session, post_id)
    if row is None and not resume:
        await update_deliveries(session, [post_id], [], {"send_started_at": None})
    return row


async def _sendable(session: AsyncSession, post_id: int) -> SendRow | None:
    found = (
        await session.execute(
            select(Post, PostDelivery.target)
            .join(PostDelivery, PostDelivery.post_id == Post.id)
            .where(Post.id == post_id, Post.status == S.PUBLISHING, Post.approved_at.is_not(None))
            .execution_options(populate_existing=True)
        )
    ).first()
    if found is None:
        return None
    post, target = found
    image = await pipeline.picked_image_of_post(session, post_id)
    return SendRow(
        post.id, post.title, post.caption, tuple(post.hashtags), post.format, post.scheduled_at,
        target, image.file_id if image else None, image.path if image else None,
    )  # fmt: skip


async def retry_later(
    session: AsyncSession,
    post_id: int,
    *,
    worker: str,
    lease_until: datetime,
    error: str,
    sent_ids: Sequence[str],
) -> bool:
    """A definite failure: keep the claim for the next attempt. With parts already out the
    send stays started, so a crash from here is `unknown`, never a blind resend."""
    values: dict[str, Any] = {"lease_until": lease_until, "last_error": error,
                              "attempts": PostDelivery.attempts + 1,
                              "external_message_id": ",".join(sent_ids) or None}  # fmt: skip
    if not sent_ids:
        values["send_started_at"] = None
    return bool(
        await update_deliveries(session, [post_id], [PostDelivery.claimed_by == worker], values)
    )


async def complete(
    session: AsyncSession,
    post_id: int,
    *,
    worker: str,
    now: datetime,
    sent_ids: Sequence[str],
    actor: str,
    mirror_to: str | None = None,
) -> bool:
    """Published: record what came back. Also settles a post a recovery called unknown.

    `mirror_to` (the channel it went to) also owes the webhook a copy, in this transaction.
    """
    received = ",".join(sent_ids)[:500]
    values = {"lease_until": None, "external_message_id": received,
              "published_at": now, "last_error": None, "alert": None,
              "attempts": PostDelivery.attempts + 1}  # fmt: skip
    if not await update_deliveries(session, [post_id], [PostDelivery.claimed_by == worker], values):
        return False
    for status in (S.PUBLISHING, S.UNKNOWN):
        if await move_posts(session, [Post.id == post_id, Post.status == status], S.PUBLISHED,
                            now=now, skip_locked=False):  # fmt: skip
            await add_transitions(session, [post_id], status, S.PUBLISHED, actor=actor, at=now)
            if mirror_to is not None:
                await mirrors.enqueue(session, post_id, channel=mirror_to,
                                      message_ids=received or None, now=now)  # fmt: skip
            return True
    return False


async def give_up(
    session: AsyncSession,
    post_id: int,
    *,
    worker: str,
    now: datetime,
    to: str,
    error: str,
    sent_ids: Sequence[str],
    actor: str,
) -> bool:
    """`failed` or `unknown`, with the reason, and an alert owed to the admins."""
    values = {"lease_until": None, "last_error": error, "alert": to, "alert_lease_until": None,
              "external_message_id": ",".join(sent_ids) or None,
              "attempts": PostDelivery.attempts + 1}  # fmt: skip
    if not await update_deliveries(session, [post_id], [PostDelivery.claimed_by == worker], values):
        return False
    return bool(await finish_move(session, [post_id], to, now=now, actor=actor))
