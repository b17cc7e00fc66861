"""The review crew's background work, started and stopped with the bot.

Requests made in this process run at once (`CrewService.start`); the periodic sweep picks
up what it could not see: requests another replica stored (its crew may be busy or gone)
and runs a crash or a stop cut off. `max_instances=1`: a sweep still starting runs is not
started twice; the claims in core/crew make replicas running it at once safe.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
CREW_JOB = "crew-sweep"
SWEEP_EVERY_S = 10


def start_crew(scheduler: AsyncIOScheduler, services: Services) -> None:
    """Nothing at all when the crew is off (CREW_ENABLED=false or no LLM_MODEL)."""
    crew = services.crew
    if not crew.enabled:
        return
    crew.start()

    async def sweep() -> None:
        try:
            await crew.sweep()
        except Exception:
            log.exception("crew sweep failed")

    scheduler.add_job(
        sweep, "interval", seconds=SWEEP_EVERY_S, id=CREW_JOB, coalesce=True, max_instances=1,
        next_run_time=datetime.now(UTC),  # at once: what waited while the bot was down
    )  # fmt: skip


async def stop_crew(services: Services) -> None:
    """Runs in flight are cut off and handed back: the next start (or a replica) redoes them."""
    if services.crew.enabled:
        await services.crew.stop()
