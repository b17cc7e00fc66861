"""Alerts about webhook mirrors that failed, from an outbox column like the posts' alerts.

The flag is set in the transaction that marks the mirror failed; a sweep sends it under
a short lease (so two replicas don't both send it) and clears it once an admin was told.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.publishing.alerts import Alert, Alerter
from storage.repos import publishing_mirrors as repo
from storage.repos.publishing_mirrors import MirrorRow

log = logging.getLogger(__name__)

KIND = repo.ALERT  # "mirror_failed"
ALERT_LEASE = timedelta(seconds=60)


def mirror_alert(row: MirrorRow) -> Alert:
    reason = row.last_error or "The webhook did not take it."
    return Alert(row.post_id, KIND, row.title, reason, row.scheduled_at, "webhook", True)


class MirrorAlertOutbox:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        alerter: Alerter,
        *,
        batch: int = 20,
    ) -> None:
        self._sessions, self._clock = sessions, clock
        self._alerter = alerter
        self._batch = batch

    async def flush(self) -> int:
        """Send every mirror alert owed now; returns how many went out."""
        async with self._sessions() as session:
            rows = await repo.alerts_due(session, self._clock.now(), self._batch)
        sent = 0
        for row in rows:
            sent += await self._deliver(row)
        return sent

    async def _deliver(self, row: MirrorRow) -> int:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            if not await repo.take_alert(session, row.post_id, now=now, until=now + ALERT_LEASE):
                return 0  # another replica has it, or a person retried meanwhile
        try:
            await self._alerter.send(mirror_alert(row))
        except Exception:
            log.exception("could not alert the admins", extra={"post_id": row.post_id})
            return 0  # the lease runs out and a later sweep tries again
        async with self._sessions.begin() as session:
            await repo.clear_alert(session, row.post_id)
        return 1
