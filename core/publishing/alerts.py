"""Alerts to the admins, sent from an outbox in the database so none is ever lost.

A failed, unknown or missed post gets its alert flag in the same transaction as the
status change. Sweeps send what is owed (a short lease keeps two replicas from sending
the same one) and clear the flag only once the message went out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from domain.statuses import PostStatus as S
from storage.repos import publishing_schedule as repo
from storage.repos.publishing_schedule import PlanRow

log = logging.getLogger(__name__)
R = TypeVar("R")

ALERT_LEASE = timedelta(seconds=60)
DEFAULT_REASONS: dict[str, str] = {
    S.FAILED: "It could not be sent.",
    S.UNKNOWN: "Nobody knows whether it went out.",
    S.MISSED: "It was not sent at its time.",
}


@dataclass(frozen=True)
class Alert:
    post_id: int
    kind: str  # failed | unknown | missed
    title: str
    reason: str
    scheduled_at: datetime | None
    target: str | None
    approved: bool

    @classmethod
    def from_row(cls, row: PlanRow, kind: str) -> Alert:
        reason = row.last_error or DEFAULT_REASONS.get(kind, "")
        return cls(row.post_id, kind, row.title, reason, row.scheduled_at, row.target, row.approved)


class Alerter(Protocol):
    async def send(self, alert: Alert) -> None:
        """Tell the admins; raise if none of them could be reached (it is tried again)."""
        ...


class Outbox(Generic[R]):
    """Sends the alerts owed now, one at a time; subclasses say which rows and how."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        alerter: Alerter,
        *,
        batch: int = 20,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._alerter = alerter
        self._batch = batch

    async def flush(self) -> int:
        """Send every alert owed now; returns how many went out."""
        async with self._sessions() as session:
            rows = await self._due(session, self._clock.now(), self._batch)
        return sum([await self._deliver(row) for row in rows])

    async def _due(self, session: AsyncSession, now: datetime, limit: int) -> Sequence[R]:
        raise NotImplementedError

    async def _deliver(self, row: R) -> int:
        raise NotImplementedError

    async def _told(self, alert: Alert) -> bool:
        try:
            await self._alerter.send(alert)
        except Exception:
            log.exception("could not alert the admins", extra={"post_id": alert.post_id})
            return False  # the lease runs out and a later sweep tries again
        return True


class AlertOutbox(Outbox[PlanRow]):
    """Alerts about posts: failed, unknown, missed."""

    async def _due(self, session: AsyncSession, now: datetime, limit: int) -> Sequence[PlanRow]:
        return await repo.alerts_due(session, now, limit)

    async def _deliver(self, row: PlanRow) -> int:
        kind = row.alert or ""
        if row.status != kind:  # settled meanwhile (retried, rescheduled, confirmed)
            await self._clear(row.post_id, kind)
            return 0
        if not await self._take(row.post_id, kind):
            return 0
        if not await self._told(Alert.from_row(row, kind)):
            return 0
        await self._clear(row.post_id, kind)
        return 1

    async def _take(self, post_id: int, kind: str) -> bool:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            return await repo.take_alert(session, post_id, kind, now=now, until=now + ALERT_LEASE)

    async def _clear(self, post_id: int, kind: str) -> None:
        async with self._sessions.begin() as session:
            await repo.clear_alert(session, post_id, kind)
