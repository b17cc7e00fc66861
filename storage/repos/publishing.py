"""The dispatcher's claims: due posts claimed with a lease, missed ones, expired claims.

Every change is a conditional UPDATE: the WHERE clause is the lock and a row count of
zero means another replica (or a human) got there first. Candidates are picked with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas take different posts instead of
queueing on the same ones; SQLite ignores the clause and serialises writers instead.
Lock order is always post_deliveries before posts where both change, so no deadlocks.
The caller owns the transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import PostStatus as S
from storage.models import Post, PostDelivery
from storage.repos.publishing_pacing import reserve_rate, reserve_slots
from storage.repos.publishing_rows import (
    add_transitions,
    finish_move,
    move_posts,
    update_deliveries,
    upsert_deliveries,
)


@dataclass(frozen=True)
class Claim:
    post_id: int
    target: str | None  # the post's own target; None: the default one
    send_after: datetime


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [Post.status == S.SCHEDULED, Post.scheduled_at <= now]


async def mark_missed(
    session: AsyncSession,
    *,
    now: datetime,
    oldest: datetime,
    reasons: tuple[str, str],
    actor: str,
    skip_locked: bool,
) -> list[int]:
    """Due posts that must not go out by themselves: too late, or approval withdrawn."""
    late_reason, unapproved_reason = reasons
    late = await move_posts(session, [*_due(now), Post.scheduled_at < oldest], S.MISSED,
                            now=now, skip_locked=skip_locked)  # fmt: skip
    unapproved = await move_posts(session, [*_due(now), Post.approved_at.is_(None)], S.MISSED,
                                  now=now, skip_locked=skip_locked)  # fmt: skip
    rows = [_alert_row(i, S.MISSED, late_reason) for i in late]
    rows += [_alert_row(i, S.MISSED, unapproved_reason) for i in unapproved]
    await upsert_deliveries(session, rows)
    moved = [*late, *unapproved]
    await add_transitions(session, moved, S.SCHEDULED, S.MISSED, actor=actor, at=now)
    return moved


def _alert_row(post_id: int, kind: str, reason: str) -> dict[str, Any]:
    return {"post_id": post_id, "claimed_by": None, "lease_until": None, "send_after": None,
            "send_started_at": None, "last_error": reason, "alert": kind,
            "alert_lease_until": None}  # fmt: skip


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    oldest: datetime,
    limit: int,
    worker: str,
    lease: timedelta,
    interval: timedelta,
    default_key: str,
    skip_locked: bool,
    per_second: float = 30.0,
) -> list[Claim]:
    """Approved posts due within the catch-up window become `publishing`, each with a paced
    send slot (per target, shared by all replicas) and a lease running from that slot."""
    where = [*_due(now), Post.approved_at.is_not(None), Post.scheduled_at >= oldest]
    ids = await move_posts(session, where, S.PUBLISHING, now=now, skip_locked=skip_locked,
                           limit=limit)  # fmt: skip
    if not ids:
        return []
    targets = await _targets(session, ids)
    keys = {i: targets.get(i) or default_key for i in ids}
    slots = await reserve_slots(session, Counter(keys.values()), now=now, interval=interval)
    # In scheduled order, so a target's earlier post gets its earlier slot.
    paced = sorted((slots[keys[i]].pop(0), i) for i in ids)
    at = await reserve_rate(session, [when for when, _ in paced], now=now, per_second=per_second)
    claims = [Claim(i, targets.get(i), when) for when, (_, i) in zip(at, paced, strict=True)]
    await upsert_deliveries(session, [_claim_row(c, worker, lease) for c in claims])
    await add_transitions(session, ids, S.SCHEDULED, S.PUBLISHING, actor=f"dispatcher:{worker}",
                          at=now)  # fmt: skip
    return claims


def _claim_row(claim: Claim, worker: str, lease: timedelta) -> dict[str, Any]:
    return {"post_id": claim.post_id, "claimed_by": worker, "send_after": claim.send_after,
            "lease_until": claim.send_after + lease, "send_started_at": None,
            "last_error": None, "external_message_id": None, "published_at": None,
            "alert": None, "alert_lease_until": None}  # fmt: skip


async def _targets(session: AsyncSession, post_ids: Sequence[int]) -> dict[int, str | None]:
    rows = await session.execute(
        select(PostDelivery.post_id, PostDelivery.target).where(PostDelivery.post_id.in_(post_ids))
    )
    return {post_id: target for post_id, target in rows}


async def recover_expired(
    session: AsyncSession, *, now: datetime, unknown_reason: str, actor: str, skip_locked: bool
) -> tuple[list[int], list[int]]:
    """Claims whose lease ran out: back to scheduled if the send never started, else unknown.

    Returns (rescheduled, unknown). The delivery rows are locked first, and each update
    re-checks the lease, so an owner that is still alive and a recovering replica can
    never both win.
    """
    expired = (
        select(PostDelivery.post_id, PostDelivery.send_started_at)
        .join(Post, Post.id == PostDelivery.post_id)
        .where(Post.status == S.PUBLISHING, PostDelivery.lease_until < now)
        .with_for_update(skip_locked=skip_locked, of=PostDelivery)
    )
    rows = list(await session.execute(expired))
    unsent = [post_id for post_id, started in rows if started is None]
    started = [post_id for post_id, started_at in rows if started_at is not None]
    back = await _release(session, unsent, [PostDelivery.lease_until < now])
    cut_off = [PostDelivery.send_started_at.is_not(None), PostDelivery.lease_until < now]
    values = {"lease_until": None, "alert": S.UNKNOWN, "last_error": unknown_reason}
    lost = await update_deliveries(session, started, cut_off, values)
    back = await finish_move(session, back, S.SCHEDULED, now=now, actor=actor)
    lost = await finish_move(session, lost, S.UNKNOWN, now=now, actor=actor)
    return back, lost


async def extend_leases(
    session: AsyncSession,
    post_ids: Sequence[int],
    *,
    worker: str,
    valid_after: datetime,
    refresh_before: datetime,
    until: datetime,
) -> int:
    """A live replica's heartbeat: push out its unstarted claims' leases that end before
    `refresh_before` (never revive one that ran out: another replica may be recovering it)."""
    where = [
        PostDelivery.claimed_by == worker,
        PostDelivery.send_started_at.is_(None),
        PostDelivery.lease_until > valid_after,
        PostDelivery.lease_until < refresh_before,
    ]
    return len(await update_deliveries(session, post_ids, where, {"lease_until": until}))


async def release_unstarted(
    session: AsyncSession, *, worker: str, now: datetime, actor: str
) -> list[int]:
    """At shutdown: this replica's claims whose send never started go back to scheduled."""
    ids = await session.scalars(
        select(PostDelivery.post_id)
        .join(Post, Post.id == PostDelivery.post_id)
        .where(Post.status == S.PUBLISHING, PostDelivery.claimed_by == worker)
    )
    released = await _release(session, list(ids), [PostDelivery.claimed_by == worker])
    return await finish_move(session, released, S.SCHEDULED, now=now, actor=actor)


async def _release(
    session: AsyncSession, post_ids: list[int], where: list[ColumnElement[bool]]
) -> list[int]:
    values = {"claimed_by": None, "lease_until": None, "send_after": None}
    unsent = [*where, PostDelivery.send_started_at.is_(None)]
    return await update_deliveries(session, post_ids, unsent, values)
