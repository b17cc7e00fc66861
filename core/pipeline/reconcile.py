"""At start-up, pick up what the previous process left half done.

- pending: submitted again (harmless if ComfyUI has it: the client asks first);
- running: watched again; finished meanwhile → applied from /history; still rendering →
  followed; forgotten by a restarted ComfyUI (ComfyRunLost) → failed, with Retry;
- completed but never shown (the bot stopped while sending): shown now;
- picked but posts still waiting (the bot stopped while linking): linked now.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.pipeline.executor import RunExecutor
from core.pipeline.linking import PostLinker
from core.pipeline.models import RunStatus
from core.pipeline.queries import run_view
from storage.repos import pipeline as repo

log = logging.getLogger(__name__)
ANNOUNCE_AT_MOST = 20


async def reconcile(
    executor: RunExecutor, linker: PostLinker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        # Running first: they hold ComfyUI's attention already, so they get the slots first.
        unfinished = await repo.runs_in(session, [RunStatus.RUNNING])
        unfinished += await repo.runs_in(session, [RunStatus.PENDING])
        unannounced, _ = await repo.waiting_for_pick(
            session, limit=ANNOUNCE_AT_MOST, unannounced_only=True
        )
        half_linked = await repo.picked_with_waiting_posts(session)
    if unfinished or unannounced or half_linked:
        log.info(
            "reconciling image runs: %d unfinished, %d to show, %d to link",
            len(unfinished), len(unannounced), len(half_linked),
        )  # fmt: skip
    for run in unfinished:
        executor.schedule(run.id)
    for run in unannounced:
        await executor.announce(run.id)
    for run_id in half_linked:
        async with sessions() as session:
            view = await run_view(session, run_id)
        await linker.link(view, actor="image-pipeline")
