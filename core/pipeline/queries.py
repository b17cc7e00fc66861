"""Reads shared by the pipeline's parts: a run as a view, its candidates, refusals."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import AlreadyDecided, CopilotError, InvalidTransition, NotFound
from core.pipeline.models import ImageView, RunStatus, RunView
from storage.repos import pipeline as repo


async def run_view(session: AsyncSession, run_id: int) -> RunView:
    run = await repo.get_run(session, run_id)
    if run is None:
        raise NotFound(f"Image run #{run_id} does not exist.")
    return RunView.from_rows(run, await repo.links_of(session, run_id))


async def image_views(session: AsyncSession, run_id: int, data_dir: Path) -> tuple[ImageView, ...]:
    return tuple(ImageView.from_row(row, data_dir) for row in await repo.images_of(session, run_id))


def refusal(run: RunView) -> CopilotError:
    """Why a button on this run no longer does anything, in words for the person who tapped."""
    head = f"Image run #{run.id}"
    if run.picked_position is not None:
        return AlreadyDecided(f"{head}: image {run.picked_position} was already picked.")
    if run.replaced_by_id is not None:
        return AlreadyDecided(f"{head} was already replaced by run #{run.replaced_by_id}.")
    if run.status == RunStatus.CANCELLED:
        return AlreadyDecided(f"{head} was already cancelled.")
    if run.status in {RunStatus.PENDING, RunStatus.RUNNING}:
        return InvalidTransition(f"{head} is still {run.status}; wait for its images.")
    return InvalidTransition(f"{head} is {run.status}; that can't be done any more.")
