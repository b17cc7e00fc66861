"""Semantic memory's background work: the embedding job, started with the bot.

`remember()` only writes rows; this job gives them their vectors every few seconds, in a
worker thread (the bundled model) or through litellm. `max_instances=1`: a slow batch is
not started twice here; two replicas embedding the same row write the same vector.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
MEMORY_JOB = "memory-embed"
EMBED_EVERY_S = 10


async def start_memory(scheduler: AsyncIOScheduler, services: Services) -> None:
    """Says at start-up whether memory is on (and which search) or why not; never fails."""
    memory = services.memory
    if not memory.enabled:
        log.info("semantic memory off: %s", memory.reason_off)
        return
    try:
        log.info("semantic memory on: %s search", await memory.backend())
    except Exception:  # the database answers later: the job's searches choose then
        log.exception("semantic memory: could not look for pgvector")

    async def embed() -> None:
        try:
            await memory.embed_pending()
        except Exception:
            log.exception("memory embedding job failed")

    scheduler.add_job(
        embed, "interval", seconds=EMBED_EVERY_S, id=MEMORY_JOB, coalesce=True, max_instances=1,
        next_run_time=datetime.now(UTC),  # at once: what was approved while the bot was down
    )  # fmt: skip
