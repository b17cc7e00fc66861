"""Sending a chunk of claimed deliveries: begun in one UPDATE, their outcomes in one commit.

Every statement is conditional on this replica's claim (`claimed_by`) and the status it
expects, like the single-row moves in storage.repos.deliveries, so a row another replica
recovered meanwhile (lease ran out → `unknown`) is left as it is. The caller owns the
transaction (core.mailing.chunk explains why chunks, and what a crash costs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mailing import DeliveryStatus as D
from storage.models.deliveries import EmailDelivery
from storage.repos.deliveries import finish, mark_sent, retry_at, suppressed, update_where


@dataclass(frozen=True)
class Begin:
    """One delivery about to leave, with what its message carries."""

    delivery_id: int
    message_id: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    status: D  # failed | unknown
    error: str
    code: int | None = None


@dataclass(frozen=True)
class Retry:
    delivery_id: int
    at: datetime
    error: str
    code: int | None


async def begin_chunk(
    session: AsyncSession,
    begins: Sequence[Begin],
    *,
    worker: str,
    valid_after: datetime,
    lease_until: datetime,
) -> list[int]:
    """Mark the chunk `sending` (attempts + 1) where this replica still holds a live claim
    and the address is not suppressed — the send-time suppression check, one query for
    the chunk. Returns the ids begun; only those may be sent."""
    if not begins:
        return []
    held = [
        EmailDelivery.id.in_([b.delivery_id for b in begins]),
        EmailDelivery.claimed_by == worker, EmailDelivery.status == D.PENDING,
        EmailDelivery.lease_until > valid_after, ~suppressed(EmailDelivery.recipient),
    ]  # fmt: skip
    values = {"status": D.SENDING, "attempts": EmailDelivery.attempts + 1,
              "lease_until": lease_until}  # fmt: skip
    begun = set(await update_where(session, held, values))
    rows = [
        {"id": b.delivery_id, "message_id": b.message_id} for b in begins if b.delivery_id in begun
    ]
    if rows:  # per-row values: one executemany, in the same transaction
        await session.execute(update(EmailDelivery), rows)
    return sorted(begun)


async def unbegin(
    session: AsyncSession, delivery_ids: Sequence[int], *, worker: str, at: datetime
) -> list[int]:
    """`sending` rows that never reached the server (the chunk stopped first) are pending
    again, due at `at`, their attempt not counted."""
    if not delivery_ids:
        return []
    held = [EmailDelivery.id.in_(delivery_ids), EmailDelivery.claimed_by == worker,
            EmailDelivery.status == D.SENDING]  # fmt: skip
    values: dict[str, Any] = {"status": D.PENDING, "attempts": EmailDelivery.attempts - 1,
                              "claimed_by": None, "lease_until": None,
                              "next_attempt_at": at}  # fmt: skip
    return await update_where(session, held, values)


async def record_chunk(
    session: AsyncSession,
    *,
    worker: str,
    now: datetime,
    sent: Sequence[int],
    final: Sequence[Outcome],
    retries: Sequence[Retry],
    unsent: Sequence[int],
    unsent_at: datetime,
) -> None:
    """Everything a chunk's sending decided. Sent rows go in one UPDATE; failures,
    unknowns and retries are few, one UPDATE each."""
    await mark_sent(session, sent, worker=worker, now=now)
    for outcome in final:
        await finish(
            session, outcome.delivery_id, worker=worker, to=outcome.status, now=now,
            error=outcome.error, code=outcome.code,
        )  # fmt: skip
    for retry in retries:
        await retry_at(
            session, retry.delivery_id, worker=worker, at=retry.at, error=retry.error,
            code=retry.code,
        )  # fmt: skip
    await unbegin(session, unsent, worker=worker, at=unsent_at)
