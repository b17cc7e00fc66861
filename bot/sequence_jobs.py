"""The email sequences' periodic jobs: write what is due soon, hold what is due unapproved.

Two jobs, so a slow model call never delays holding an email whose time has come.
`max_instances=1`: a sweep still running when the next is due is not started twice
(replicas may run them at once; the claims in core/sequences make that safe).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.errors import FeatureOff

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
WRITE_JOB = "sequence-write"
HOLD_JOB = "sequence-hold"


def schedule_sequences(scheduler: AsyncIOScheduler, services: Services) -> None:
    every = services.sequence_settings.sweep_interval_s

    async def write() -> None:
        if services.settings.llm.model is None:
            return  # AI writing is off; emails wait as planned (and are held at their time)
        try:
            await services.sequence_writer.write_due()
        except FeatureOff:
            return
        except Exception:
            log.exception("sequence write sweep failed")

    async def hold() -> None:
        try:
            await services.held_sweep.sweep()
        except Exception:
            log.exception("sequence hold sweep failed")

    for job, job_id in ((write, WRITE_JOB), (hold, HOLD_JOB)):
        scheduler.add_job(job, "interval", seconds=every, id=job_id, coalesce=True, max_instances=1)
