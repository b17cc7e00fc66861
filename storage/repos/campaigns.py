"""Campaign rows and the suggestion rows that record each planned post."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, Post, Suggestion
from storage.repos.suggestions import CAMPAIGN_SOURCE

PENDING = "pending"


async def insert_campaign(session: AsyncSession, values: dict[str, Any]) -> Campaign:
    campaign = Campaign(**values)
    session.add(campaign)
    await session.flush()
    return campaign


async def insert_suggestions(
    session: AsyncSession,
    payloads: Sequence[dict[str, Any]],
    *,
    status: str,
    user_id: int | None,
    at: datetime,
) -> list[int]:
    """One suggestion per planned post, in one statement; ids in input order."""
    decided = status != PENDING
    rows = [
        {
            "source": CAMPAIGN_SOURCE,
            "status": status,
            "payload": payload,
            "revision": 1,
            "created_by": user_id,
            "created_at": at,
            "updated_at": at,
            "decided_at": at if decided else None,
            "decided_by": user_id if decided else None,
        }
        for payload in payloads
    ]
    # Without sort_by_parameter_order: on SQLite that would mean one INSERT per row. The
    # rows are matched back by payload instead; identical payloads are interchangeable.
    statement = insert(Suggestion).returning(Suggestion.id, Suggestion.payload)
    returned = (await session.execute(statement, rows)).all()
    ids_by_payload: dict[str, list[int]] = defaultdict(list)
    for suggestion_id, payload in sorted(returned, key=lambda row: row[0]):
        ids_by_payload[_canonical(payload)].append(suggestion_id)
    return [ids_by_payload[_canonical(payload)].pop(0) for payload in payloads]


# Built once: approving or rejecting a post (a button tap) runs it in that transaction.
_SUGGESTIONS = cast(Table, Suggestion.__table__)  # a mapped class's table is always a Table
_POSTS = cast(Table, Post.__table__)
_SUGGESTION_OF_POST = (
    select(_POSTS.c.suggestion_id).where(_POSTS.c.id == bindparam("post_id")).scalar_subquery()
)
_FOLLOW = (
    update(_SUGGESTIONS)
    .where(
        _SUGGESTIONS.c.id == _SUGGESTION_OF_POST,
        _SUGGESTIONS.c.source == CAMPAIGN_SOURCE,
        _SUGGESTIONS.c.status != bindparam("new_status"),
    )
    .values(
        status=bindparam("new_status"), decided_at=bindparam("at"), decided_by=bindparam("by"),
        updated_at=bindparam("at"),
    )
)  # fmt: skip


async def follow_review(
    session: AsyncSession, post_id: int, *, status: str, user_id: int | None, at: datetime
) -> None:
    """The campaign suggestion behind the post takes the outcome of the post's review.

    ("accepted" when the post is approved, "rejected" when it is.) Posts from /suggest
    are left alone: their suggestion was decided on its own card before the post existed.
    """
    parameters = {"post_id": post_id, "new_status": status, "at": at, "by": user_id}
    await session.execute(_FOLLOW, parameters)


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, default=str)


async def get(session: AsyncSession, campaign_id: int) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def recent(session: AsyncSession, *, offset: int, limit: int) -> list[Campaign]:
    rows = await session.scalars(
        select(Campaign)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows)


async def post_counts(session: AsyncSession, campaign_ids: Sequence[int]) -> dict[int, int]:
    if not campaign_ids:
        return {}
    rows = await session.execute(
        select(Post.campaign_id, func.count())
        .where(Post.campaign_id.in_(campaign_ids))
        .group_by(Post.campaign_id)
    )
    return {int(campaign_id): int(count) for campaign_id, count in rows if campaign_id}
