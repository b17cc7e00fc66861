"""Periodic clean-up jobs. APScheduler only wakes them; the database holds the state."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services import Services
from storage.repos import api as api_repo
from storage.repos import inbox

# How soon a ⭐ Promote made on one replica reaches the others.
PROMPT_REFRESH_S = 60


def schedule_housekeeping(scheduler: AsyncIOScheduler, services: Services) -> None:
    async def prune_inbox() -> None:
        cutoff = services.clock.now() - timedelta(days=2)
        async with services.sessions.begin() as session:
            await inbox.prune_processed(session, before=cutoff)

    async def purge_idempotency_keys() -> None:
        ttl = timedelta(hours=services.api_settings.idempotency_ttl_hours)
        async with services.sessions.begin() as session:
            await api_repo.purge_keys_before(session, services.clock.now() - ttl)

    async def refresh_prompts() -> None:
        # A promotion made on another replica (or a file that ended one) is rendered here
        # within a minute; this replica's own promotions apply at once.
        await services.prompts.refresh(services.sessions)

    scheduler.add_job(prune_inbox, "interval", hours=1, id="prune-inbox", coalesce=True)
    scheduler.add_job(
        services.review_cards.prune, "interval", hours=6, id="prune-review-cards", coalesce=True
    )
    scheduler.add_job(
        refresh_prompts, "interval", seconds=PROMPT_REFRESH_S, id="refresh-prompts", coalesce=True
    )
    scheduler.add_job(
        purge_idempotency_keys, "interval", hours=1, id="purge-idempotency", coalesce=True
    )
