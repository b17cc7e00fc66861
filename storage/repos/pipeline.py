"""Image runs, the posts waiting on them, their candidates, and received callbacks.

Every state change is a conditional UPDATE whose WHERE clause is the lock: a row count of
zero means somebody else got there first. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import PostStatus as S
from storage.models import ImageRun, ImageRunPost, PipelineWebhook, Post, RunImage

# A completed run still waits for a human until somebody picks, replaces or cancels it.
_WAITING_FOR_PICK = (
    ImageRun.status == "completed",
    ImageRun.picked_position.is_(None),
    ImageRun.replaced_by_id.is_(None),
)


async def insert_run(session: AsyncSession, **values: Any) -> ImageRun:
    run = ImageRun(**values)
    session.add(run)
    await session.flush()
    return run


async def link_posts(session: AsyncSession, run_id: int, previous: Mapping[int, str]) -> None:
    """`previous`: post id -> the status it had before it started waiting."""
    rows = [
        {"run_id": run_id, "post_id": post_id, "previous_status": status}
        for post_id, status in previous.items()
    ]
    if rows:
        await session.execute(insert(ImageRunPost), rows)


async def get_run(session: AsyncSession, run_id: int) -> ImageRun | None:
    statement = select(ImageRun).where(ImageRun.id == run_id)
    return await session.scalar(statement.execution_options(populate_existing=True))


async def move_run(
    session: AsyncSession,
    run_id: int,
    *,
    from_statuses: Collection[str],
    to_status: str,
    at: datetime,
    **values: Any,
) -> bool:
    """Change the status only while it is one of `from_statuses` (and nobody replaced it)."""
    where = (
        ImageRun.id == run_id,
        ImageRun.status.in_(from_statuses),
        ImageRun.replaced_by_id.is_(None),
        ImageRun.picked_position.is_(None),
    )
    return await _update_run(session, where, {"status": to_status, "updated_at": at, **values})


async def claim_replacement(
    session: AsyncSession,
    run_id: int,
    new_run_id: int,
    *,
    statuses: Collection[str],
    **values: Any,
) -> bool:
    """Mark the run as replaced by a newer one, once: the second Regenerate tap loses."""
    where = (
        ImageRun.id == run_id,
        ImageRun.status.in_(statuses),
        ImageRun.replaced_by_id.is_(None),
        ImageRun.picked_position.is_(None),
    )
    return await _update_run(session, where, {"replaced_by_id": new_run_id, **values})


async def set_pick(
    session: AsyncSession, run_id: int, *, position: int, user_id: int, at: datetime
) -> bool:
    """Record the winner once; a second pick, by anyone, changes nothing."""
    values = {"picked_position": position, "picked_by": user_id, "picked_at": at}
    if not await _update_run(session, (*_WAITING_FOR_PICK, ImageRun.id == run_id), values):
        return False
    await session.execute(
        update(RunImage)
        .where(RunImage.run_id == run_id, RunImage.position == position)
        .values(picked=True)
    )
    return True


async def set_messages(session: AsyncSession, run_id: int, **message_ids: int | None) -> None:
    """status_message_id / pick_message_id: where the run shows in its chat."""
    await _update_run(session, (ImageRun.id == run_id,), message_ids)


async def add_images(session: AsyncSession, run_id: int, images: Sequence[dict[str, Any]]) -> None:
    if images:
        await session.execute(insert(RunImage), [{**image, "run_id": run_id} for image in images])


async def images_of(session: AsyncSession, run_id: int) -> list[RunImage]:
    statement = select(RunImage).where(RunImage.run_id == run_id).order_by(RunImage.position)
    return list(await session.scalars(statement.execution_options(populate_existing=True)))


async def image_at(session: AsyncSession, run_id: int, position: int) -> RunImage | None:
    statement = select(RunImage).where(RunImage.run_id == run_id, RunImage.position == position)
    return await session.scalar(statement)


async def set_file_ids(session: AsyncSession, run_id: int, file_ids: Mapping[int, str]) -> None:
    for position, file_id in file_ids.items():
        await session.execute(
            update(RunImage)
            .where(RunImage.run_id == run_id, RunImage.position == position)
            .values(file_id=file_id)
        )


async def links_of(session: AsyncSession, run_id: int) -> list[tuple[ImageRunPost, Post]]:
    statement = (
        select(ImageRunPost, Post)
        .join(Post, Post.id == ImageRunPost.post_id)
        .where(ImageRunPost.run_id == run_id)
        .order_by(ImageRunPost.post_id)
    )
    rows = await session.execute(statement.execution_options(populate_existing=True))
    return [(row[0], row[1]) for row in rows]


async def copy_links(session: AsyncSession, from_run: int, to_run: int) -> None:
    links = await session.scalars(select(ImageRunPost).where(ImageRunPost.run_id == from_run))
    await link_posts(session, to_run, {link.post_id: link.previous_status for link in links})


async def active_runs_of(session: AsyncSession, post_ids: Iterable[int]) -> dict[int, int]:
    """Post id -> the run it waits on now (queued, rendering, or waiting for a pick)."""
    ids = list(post_ids)
    if not ids:
        return {}
    in_flight = ImageRun.status.in_(("pending", "running")) & ImageRun.replaced_by_id.is_(None)
    waiting = (
        (ImageRun.status == "completed")
        & ImageRun.picked_position.is_(None)
        & ImageRun.replaced_by_id.is_(None)
    )
    statement = (
        select(ImageRunPost.post_id, ImageRun.id)
        .join(ImageRun, ImageRun.id == ImageRunPost.run_id)
        .where(ImageRunPost.post_id.in_(ids), in_flight | waiting)
    )
    return {post_id: run_id for post_id, run_id in await session.execute(statement)}


async def last_previous_status(session: AsyncSession, post_id: int) -> str | None:
    statement = (
        select(ImageRunPost.previous_status)
        .where(ImageRunPost.post_id == post_id)
        .order_by(ImageRunPost.run_id.desc())
        .limit(1)
    )
    return await session.scalar(statement)


async def runs_in(session: AsyncSession, statuses: Collection[str]) -> list[ImageRun]:
    statement = select(ImageRun).where(
        ImageRun.status.in_(statuses), ImageRun.replaced_by_id.is_(None)
    )
    return list(await session.scalars(statement.order_by(ImageRun.id)))


async def waiting_for_pick(
    session: AsyncSession, *, limit: int, unannounced_only: bool = False
) -> tuple[list[ImageRun], int]:
    """Completed runs nobody picked from yet, oldest first, and how many there are."""
    where: list[ColumnElement[bool]] = list(_WAITING_FOR_PICK)
    if unannounced_only:
        where.append(ImageRun.pick_message_id.is_(None))
    total = await session.scalar(select(func.count()).select_from(ImageRun).where(*where))
    rows = await session.scalars(select(ImageRun).where(*where).order_by(ImageRun.id).limit(limit))
    return list(rows), int(total or 0)


async def picked_with_waiting_posts(session: AsyncSession) -> list[int]:
    """Runs with a winner whose posts still wait: a crash came between pick and linking."""
    statement = (
        select(ImageRun.id)
        .join(ImageRunPost, ImageRunPost.run_id == ImageRun.id)
        .join(Post, Post.id == ImageRunPost.post_id)
        .where(ImageRun.picked_position.is_not(None), Post.status == S.AWAITING_IMAGE)
        .distinct()
    )
    return list(await session.scalars(statement))


async def picked_image_of_post(session: AsyncSession, post_id: int) -> RunImage | None:
    """The winner of the post's most recently picked run."""
    statement = (
        select(RunImage)
        .join(ImageRun, ImageRun.id == RunImage.run_id)
        .join(ImageRunPost, ImageRunPost.run_id == ImageRun.id)
        .where(ImageRunPost.post_id == post_id, RunImage.picked.is_(True))
        .order_by(ImageRun.picked_at.desc(), ImageRun.id.desc())
        .limit(1)
    )
    return await session.scalar(statement)


async def posts_with_picked_image(session: AsyncSession, post_ids: Collection[int]) -> set[int]:
    """Those of the posts that have a picked image (the design's `has_photo`)."""
    if not post_ids:
        return set()
    statement = (
        select(ImageRunPost.post_id)
        .join(RunImage, RunImage.run_id == ImageRunPost.run_id)
        .where(ImageRunPost.post_id.in_(post_ids), RunImage.picked.is_(True))
        .distinct()
    )
    return set(await session.scalars(statement))


async def runs_by_prompt_ids(
    session: AsyncSession, prompt_ids: Collection[str]
) -> dict[str, tuple[int, str]]:
    """prompt_id -> (run id, status) for the known ones."""
    if not prompt_ids:
        return {}
    statement = select(ImageRun.prompt_id, ImageRun.id, ImageRun.status).where(
        ImageRun.prompt_id.in_(prompt_ids)
    )
    return {
        prompt_id: (run_id, status)
        for prompt_id, run_id, status in await session.execute(statement)
    }


async def record_webhooks(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Insert delivery ids not seen before; returns those that were new.

    One constant statement with many parameter sets: compiled once, sent as one batch.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert_into = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert_into(PipelineWebhook)
        .on_conflict_do_nothing(index_elements=["webhook_id"])
        .returning(PipelineWebhook.webhook_id)
    )
    return list(await session.scalars(statement, list(rows)))


async def prune_webhooks(session: AsyncSession, *, before: datetime) -> None:
    await session.execute(delete(PipelineWebhook).where(PipelineWebhook.received_at < before))


async def _update_run(
    session: AsyncSession, where: Iterable[ColumnElement[bool]], values: Mapping[str, Any]
) -> bool:
    statement = (
        update(ImageRun).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount == 1
