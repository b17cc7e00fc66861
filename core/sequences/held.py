"""Held emails: not approved by their time, so not sent, and the admins are told once.

Each sweep first holds every unapproved email whose time has come (one UPDATE), then
tells the admins about each held email nobody was told about yet. Telling is claimed
before the message goes (held_notified_at, a conditional UPDATE), so two replicas never
both send it; a failed send releases the claim and a later sweep tries again. If a
process dies between the claim and the send, that alert is lost, but the email stays
held and waits in /approve: nothing is ever sent unapproved either way.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.sequences.ports import HeldAlerter
from core.sequences.views import SequenceEmailView
from storage.repos import sequences as repo

log = logging.getLogger(__name__)
_BATCH = 20


class HeldSweep:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        alerter: HeldAlerter | None = None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._alerter = alerter

    async def sweep(self) -> int:
        """Hold what is due and unapproved; tell the admins. Returns how many were held now."""
        async with self._sessions.begin() as session:
            held = await repo.hold_due(session, now=self._clock.now())
        if held:
            log.info("%d sequence email(s) held: not approved by their time", held)
        if self._alerter is not None:
            await self._tell(self._alerter)
        return held

    async def _tell(self, alerter: HeldAlerter) -> None:
        async with self._sessions() as session:
            ids = await repo.held_untold(session, limit=_BATCH)
        for email_id in ids:
            view = await self._claim(email_id)
            if view is None:
                continue
            try:
                await alerter.held(view)
            except Exception:
                log.exception("Could not tell the admins sequence email #%s is held", email_id)
                async with self._sessions.begin() as session:
                    await repo.set_told(session, email_id, None)

    async def _claim(self, email_id: int) -> SequenceEmailView | None:
        async with self._sessions.begin() as session:
            if not await repo.set_told(session, email_id, self._clock.now()):
                return None
            row = await repo.email(session, email_id)
            sequence = await repo.get(session, row.sequence_id) if row else None
        if row is None or sequence is None:
            return None
        return SequenceEmailView.from_row(row, sequence.name)
