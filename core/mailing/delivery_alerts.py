"""The admins are told when a sequence email's deliveries failed or ended unknown.

One alert per sequence email, when it is done sending (every delivery final), with the
counts and the addresses that need a look — never one per recipient. Each pass of the
sending sweep tells what is owed: taken under a lease, marked told only after the
message went out (storage.repos.delivery_alerts), so a crash repeats an alert and never
loses one. For unknown outcomes a person decides: "It was sent", or "Send again".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.errors import AlreadyDecided
from domain.mailing import DeliveryStatus as D
from storage.repos import delivery_alerts as repo

log = logging.getLogger(__name__)

ALERT_LEASE = timedelta(seconds=60)
BATCH = 20


@dataclass(frozen=True)
class DeliveryAlert:
    email_id: int
    sequence_id: int
    sequence_name: str
    number: int
    subject: str | None
    revision: int  # the buttons carry it: a decision on a moved-on email is refused
    counts: Mapping[str, int]  # delivery status -> count, for this email
    unknown: tuple[str, ...]  # the first few addresses
    failed: tuple[tuple[str, str | None], ...]  # (address, the server's words)

    @property
    def unknown_count(self) -> int:
        return self.counts.get(D.UNKNOWN, 0)

    @property
    def failed_count(self) -> int:
        return self.counts.get(D.FAILED, 0)


class DeliveryAlerter(Protocol):
    async def deliveries(self, alert: DeliveryAlert) -> None:
        """Tell the admins; raise if none of them could be reached (it is tried again)."""
        ...


class DeliveryAlerts:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        alerter: DeliveryAlerter | None = None,
    ) -> None:
        self._sessions, self._clock, self._alerter = sessions, clock, alerter

    async def flush(self) -> int:
        """Tell every alert owed now; how many went out. Without an alerter: none."""
        if self._alerter is None:
            return 0
        async with self._sessions() as session:
            owed = await repo.owed(session, now=self._clock.now(), limit=BATCH)
        return sum([await self._tell(self._alerter, email_id) for email_id in owed])

    async def decide_unknown(self, email_id: int, revision: int, *, sent: bool) -> int:
        """Settle every unknown delivery of the email; how many. AlreadyDecided when the
        email moved on since the alert (another admin decided, or it is sending again)."""
        async with self._sessions.begin() as session:
            ids = await repo.decide_unknown(
                session, email_id, revision=revision, sent=sent, now=self._clock.now()
            )
        if ids is None:
            raise AlreadyDecided("Somebody already decided this, or the email moved on.")
        extra = {"email_id": email_id, "sent": sent, "ids": ids}
        log.info("unknown sequence deliveries decided", extra=extra)
        return len(ids)

    async def _tell(self, alerter: DeliveryAlerter, email_id: int) -> int:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            taken = await repo.take(session, email_id, now=now, until=now + ALERT_LEASE)
            facts = await repo.facts(session, email_id) if taken else None
        if facts is None:
            return 0
        try:
            await alerter.deliveries(DeliveryAlert(**vars(facts)))
        except Exception:
            log.exception("could not tell the admins about sequence email #%s", email_id)
            async with self._sessions.begin() as session:
                await repo.release(session, taken)  # a later sweep tries again
            return 0
        async with self._sessions.begin() as session:
            await repo.told(session, taken, now=self._clock.now())
        return 1
