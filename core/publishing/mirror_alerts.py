"""Alerts about webhook mirrors that failed, from an outbox column like the posts' alerts.

The flag is set in the transaction that marks the mirror failed; a sweep sends it under
a short lease (so two replicas don't both send it) and clears it once an admin was told.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.publishing.alerts import Alert, Outbox
from storage.repos import publishing_mirrors as repo
from storage.repos.publishing_mirrors import MirrorRow

KIND = repo.ALERT  # "mirror_failed"
ALERT_LEASE = timedelta(seconds=60)


def mirror_alert(row: MirrorRow) -> Alert:
    reason = row.last_error or "The webhook did not take it."
    return Alert(row.post_id, KIND, row.title, reason, row.scheduled_at, "webhook", True)


class MirrorAlertOutbox(Outbox[MirrorRow]):
    """Alerts about webhook mirrors that failed (the channel post is out)."""

    async def _due(self, session: AsyncSession, now: datetime, limit: int) -> Sequence[MirrorRow]:
        return await repo.alerts_due(session, now, limit)

    async def _deliver(self, row: MirrorRow) -> int:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            if not await repo.take_alert(session, row.post_id, now=now, until=now + ALERT_LEASE):
                return 0  # another replica has it, or a person retried meanwhile
        if not await self._told(mirror_alert(row)):
            return 0
        async with self._sessions.begin() as session:
            await repo.clear_alert(session, row.post_id)
        return 1
