"""A sequence's send log for people: how each recipient fared, and what went wrong.

Implements core.sequences.ports.DeliveryStats (the sequence views' counts per recipient
and per email), lists the failures, unknown outcomes and unsubscribes for /sequence's
view, and one recipient's log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import delivery_log as repo


@dataclass(frozen=True)
class DeliveryProblem:
    recipient: str
    email_number: int
    # bounced | failed | unknown | suppressed (domain.mailing.DeliveryStatus), or
    # "delayed": sent, and a delivery report said the receiving side still tries
    status: str
    error: str | None
    at: datetime | None


@dataclass(frozen=True)
class RecipientSend:
    """One sequence email as it went (or not) to one recipient."""

    email_number: int
    subject: str | None
    status: str  # domain.mailing.DeliveryStatus
    attempts: int
    error: str | None
    at: datetime | None  # sent, or reached its final status


class DeliveryLog:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def per_recipient(self, sequence_id: int) -> Mapping[str, Mapping[str, int]]:
        async with self._sessions() as session:
            return await repo.per_recipient(session, sequence_id)

    async def problems(self, sequence_id: int, *, limit: int = 10) -> tuple[DeliveryProblem, ...]:
        """The latest deliveries that bounced, failed, ended unknown, were suppressed, or
        were reported delayed."""
        async with self._sessions() as session:
            rows = await repo.trouble(session, sequence_id, limit=limit)
        return tuple(DeliveryProblem(*row) for row in rows)

    async def per_email(self, sequence_id: int) -> Mapping[int, Mapping[str, int]]:
        async with self._sessions() as session:
            return await repo.per_email(session, sequence_id)

    async def totals(self, sequence_id: int) -> Mapping[str, int]:
        """Delivery status -> count over the whole sequence."""
        async with self._sessions() as session:
            return await repo.totals(session, sequence_id)

    async def recipient_log(self, sequence_id: int, address: str) -> tuple[RecipientSend, ...]:
        """Every email of the sequence this address had a delivery for, in order."""
        async with self._sessions() as session:
            rows = await repo.recipient_log(session, sequence_id, address.strip().lower())
        return tuple(RecipientSend(*row) for row in rows)
