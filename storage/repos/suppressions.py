"""Suppressed addresses (unsubscribed): never mailed again by any sequence.

Unsubscribe tokens are found through their SHA-256 on the delivery that carried them
(email_deliveries.unsubscribe_hash); the token itself is never stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mailing import DeliveryStatus as D
from storage.models.deliveries import EmailDelivery, EmailSuppression
from storage.repos.publishing_rows import dialect_insert


async def address_for(session: AsyncSession, token_hash: str) -> str | None:
    found: str | None = await session.scalar(
        select(EmailDelivery.recipient).where(EmailDelivery.unsubscribe_hash == token_hash)
    )
    return found


async def is_suppressed(session: AsyncSession, address: str) -> bool:
    found = await session.scalar(
        select(EmailSuppression.id).where(EmailSuppression.address == address)
    )
    return found is not None


async def suppress(
    session: AsyncSession, address: str, *, reason: str, source: str, now: datetime
) -> bool:
    """Suppress the address (once: a repeat changes nothing); its deliveries not yet begun
    are `suppressed` now. True when it was not suppressed before."""
    row = {"address": address, "reason": reason, "source": source, "at": now}
    statement = dialect_insert(session, EmailSuppression).values(row)
    statement = statement.on_conflict_do_nothing(index_elements=["address"])
    added = (await session.execute(statement.returning(EmailSuppression.id))).first()
    await session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.recipient == address, EmailDelivery.status == D.PENDING)
        .values(
            status=D.SUPPRESSED,
            finished_at=now,
            claimed_by=None,
            lease_until=None,
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return added is not None
