"""Post rows and their transition log.

State changes are conditional UPDATEs: the WHERE clause is the lock, and a row count of
zero means somebody else changed the post first. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.statuses import PostStatus as S
from storage.models import ContentPillar, Post, PostTransition


@dataclass(frozen=True)
class PostRow:
    """A post with the name of its content pillar, read in one query."""

    post: Post
    pillar_name: str | None


async def create_draft(
    session: AsyncSession,
    *,
    title: str,
    caption: str,
    hashtags: list[str],
    scheduled_at: datetime | None,
    image_prompt: str | None,
    suggestion_id: int | None,
    actor: str,
    created_by: int | None,
    campaign_id: int | None = None,
    persona_id: int | None = None,
    content_pillar_id: int | None = None,
    description: str | None = None,
    format: str | None = None,
) -> Post:
    post = Post(
        status=S.DRAFT,
        title=title,
        caption=caption,
        hashtags=hashtags,
        scheduled_at=scheduled_at,
        image_prompt=image_prompt,
        suggestion_id=suggestion_id,
        created_by=created_by,
        campaign_id=campaign_id,
        persona_id=persona_id,
        content_pillar_id=content_pillar_id,
        description=description,
        format=format,
    )
    session.add(post)
    await session.flush()
    session.add(PostTransition(post_id=post.id, from_status=None, to_status=S.DRAFT, actor=actor))
    return post


async def insert_drafts(
    session: AsyncSession, rows: Sequence[dict[str, Any]], *, actor: str, at: datetime
) -> list[int]:
    """Many draft posts and their first transitions; ids in input order.

    Every row needs its own suggestion_id: rows are matched back through it, since
    asking the database for input order (sort_by_parameter_order) makes SQLite insert
    row by row.
    """
    values = [{**row, "status": S.DRAFT, "created_at": at, "updated_at": at} for row in rows]
    statement = insert(Post).returning(Post.id, Post.suggestion_id)
    by_suggestion = {s_id: p_id for p_id, s_id in (await session.execute(statement, values))}
    ids = [by_suggestion[row["suggestion_id"]] for row in rows]
    transitions = [
        {"post_id": post_id, "from_status": None, "to_status": S.DRAFT, "actor": actor, "at": at}
        for post_id in ids
    ]
    await session.execute(insert(PostTransition), transitions)
    return ids


async def get(session: AsyncSession, post_id: int) -> PostRow | None:
    row = (await session.execute(_with_pillar().where(Post.id == post_id))).first()
    return PostRow(row[0], row[1]) if row is not None else None


async def status_of(session: AsyncSession, post_id: int) -> str | None:
    return await session.scalar(select(Post.status).where(Post.id == post_id))


async def move(
    session: AsyncSession, post_id: int, *, from_status: str, to_status: str, at: datetime
) -> bool:
    """Change the status only if it is still `from_status`."""
    values = {"status": to_status, "updated_at": at}
    return await _update(session, (Post.id == post_id, Post.status == from_status), values)


async def add_transition(
    session: AsyncSession,
    post_id: int,
    *,
    from_status: str | None,
    to_status: str,
    actor: str,
    at: datetime,
) -> None:
    session.add(
        PostTransition(
            post_id=post_id, from_status=from_status, to_status=to_status, actor=actor, at=at
        )
    )


async def set_approved(
    session: AsyncSession,
    post_id: int,
    *,
    user_id: int,
    at: datetime,
    approvable: Collection[str],
) -> bool:
    """Record the approval once, and only while the post is in an approvable state."""
    where = (Post.id == post_id, Post.approved_at.is_(None), Post.status.in_(approvable))
    return await _update(session, where, {"approved_at": at, "approved_by": user_id})


async def make_text_ready(
    session: AsyncSession, post_id: int, *, at: datetime, text_format: str, convert: bool = False
) -> bool:
    """An approved draft that is a text post (or, with `convert`, becomes one) is ready:
    it needs no image. One round trip; False if the post is not such a draft any more."""
    where = [Post.id == post_id, Post.status == S.DRAFT, Post.approved_at.is_not(None)]
    if not convert:
        where.append(Post.format == text_format)
    values = {"status": S.READY, "format": text_format, "updated_at": at}
    return await _update(session, tuple(where), values)


async def set_planned_time(
    session: AsyncSession, post_id: int, *, at: datetime, from_status: str, now: datetime
) -> bool:
    """A post's planned time while nobody may schedule it yet: its status stays. Only if it
    is still `from_status`, and (a ready post) still unapproved, since an approved ready
    post takes a time through scheduling instead."""
    where = (
        Post.id == post_id,
        Post.status == from_status,
        (Post.status != S.READY) | Post.approved_at.is_(None),
    )
    return await _update(session, where, {"scheduled_at": at, "updated_at": now})


async def set_caption(
    session: AsyncSession,
    post_id: int,
    *,
    caption: str,
    at: datetime,
    editable: Collection[str],
) -> bool:
    """New caption; an approval given to the old text no longer holds."""
    values = {"caption": caption, "approved_at": None, "approved_by": None, "updated_at": at}
    return await _update(session, (Post.id == post_id, Post.status.in_(editable)), values)


@dataclass(frozen=True)
class ShownText:
    """What a reviewer's card showed of a post: a change to any of it makes the card stale."""

    title: str
    caption: str
    hashtags: list[str]
    image_prompt: str | None
    format: str | None


async def replace_text(
    session: AsyncSession,
    post_id: int,
    *,
    seen: ShownText,
    caption: str,
    hashtags: list[str],
    at: datetime,
    editable: Collection[str],
) -> bool:
    """New caption and hashtags, only while the post is editable and still shows `seen`.

    An approval given to the old text no longer holds.
    """
    where = (Post.id == post_id, Post.status.in_(editable), *_still_shows(seen))
    values = {
        "caption": caption, "hashtags": hashtags, "approved_at": None, "approved_by": None,
        "updated_at": at,
    }  # fmt: skip
    return await _update(session, where, values)


async def set_image_prompt(
    session: AsyncSession,
    post_id: int,
    *,
    seen: ShownText,
    image_prompt: str,
    at: datetime,
    editable: Collection[str],
) -> bool:
    """A new image prompt, only while the post is editable and still shows `seen`.

    Like a caption edit, an approval given to what the card showed no longer holds.
    """
    where = (Post.id == post_id, Post.status.in_(editable), *_still_shows(seen))
    values = {
        "image_prompt": image_prompt, "approved_at": None, "approved_by": None, "updated_at": at,
    }  # fmt: skip
    return await _update(session, where, values)


def _still_shows(seen: ShownText) -> tuple[ColumnElement[bool], ...]:
    return (
        Post.title == seen.title,
        Post.caption == seen.caption,
        Post.hashtags == seen.hashtags,
        _same(Post.image_prompt, seen.image_prompt),
        _same(Post.format, seen.format),
    )


def _same(column: InstrumentedAttribute[str | None], value: str | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


async def mark_seen(session: AsyncSession, post_ids: Iterable[int], *, at: datetime) -> int:
    """Stamp the first time each post was shown; later showings keep the first time."""
    ids = list(post_ids)
    if not ids:
        return 0
    statement = (
        update(Post)
        .where(Post.id.in_(ids), Post.seen_at.is_(None))
        .values(seen_at=at)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount


async def unapproved(
    session: AsyncSession,
    *,
    statuses: Collection[str],
    offset: int,
    limit: int,
    campaign_id: int | None = None,
) -> tuple[list[PostRow], int]:
    """Posts waiting for a human, oldest first, and how many there are in all."""
    where: list[ColumnElement[bool]] = [Post.approved_at.is_(None), Post.status.in_(statuses)]
    if campaign_id is not None:
        where.append(Post.campaign_id == campaign_id)
    total = await session.scalar(select(func.count()).select_from(Post).where(*where))
    page = _with_pillar().where(*where).order_by(Post.created_at, Post.id)
    rows = await session.execute(page.offset(offset).limit(limit))
    return [PostRow(r[0], r[1]) for r in rows], int(total or 0)


async def for_campaign(session: AsyncSession, campaign_id: int) -> list[PostRow]:
    statement = (
        _with_pillar().where(Post.campaign_id == campaign_id).order_by(Post.scheduled_at, Post.id)
    )
    return [PostRow(r[0], r[1]) for r in await session.execute(statement)]


async def transitions(session: AsyncSession, post_id: int) -> list[PostTransition]:
    rows = await session.scalars(
        select(PostTransition)
        .where(PostTransition.post_id == post_id)
        .order_by(PostTransition.at, PostTransition.id)
    )
    return list(rows)


async def recent(session: AsyncSession, *, limit: int) -> list[Post]:
    rows = await session.execute(
        select(Post)
        .where(Post.status.in_((S.PUBLISHED,)))
        .order_by(Post.updated_at.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def queued(session: AsyncSession, *, after: datetime, limit: int) -> list[Post]:
    """Posts that are planned but not out yet, soonest first."""
    rows = await session.execute(
        select(Post)
        .where(
            Post.status.in_((S.DRAFT, S.AWAITING_IMAGE, S.READY, S.SCHEDULED)),
            (Post.scheduled_at.is_(None)) | (Post.scheduled_at >= after),
        )
        .order_by(Post.scheduled_at, Post.id)
        .limit(limit)
    )
    return list(rows.scalars())


def _with_pillar() -> Select[Post, str]:
    # populate_existing: a conditional UPDATE earlier in the session must show in the read.
    return (
        select(Post, ContentPillar.name)
        .outerjoin(ContentPillar, ContentPillar.id == Post.content_pillar_id)
        .execution_options(populate_existing=True)
    )


async def _update(
    session: AsyncSession, where: Iterable[ColumnElement[bool]], values: dict[str, Any]
) -> bool:
    statement = (
        update(Post).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount == 1
