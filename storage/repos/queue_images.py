"""Candidate images of posts waiting for review (the Mini App's queue shows them)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ImageRun, ImageRunPost, RunImage


async def of_posts(session: AsyncSession, post_ids: Collection[int]) -> list[tuple[int, RunImage]]:
    """(post id, image) for each post's newest run that is not replaced, by position."""
    if not post_ids:
        return []
    newest = (
        select(ImageRunPost.post_id, ImageRun.id.label("run_id"))
        .join(ImageRun, ImageRun.id == ImageRunPost.run_id)
        .where(ImageRunPost.post_id.in_(post_ids), ImageRun.replaced_by_id.is_(None))
        .subquery()
    )
    statement = (
        select(newest.c.post_id, RunImage)
        .join(RunImage, RunImage.run_id == newest.c.run_id)
        .order_by(newest.c.post_id, RunImage.run_id.desc(), RunImage.position)
    )
    rows = [(post_id, image) for post_id, image in await session.execute(statement)]
    newest_run: dict[int, int] = {}
    for post_id, image in rows:
        newest_run.setdefault(post_id, image.run_id)
    return [(post_id, image) for post_id, image in rows if image.run_id == newest_run[post_id]]


async def get(session: AsyncSession, image_id: int) -> RunImage | None:
    return await session.get(RunImage, image_id)
