"""Suppressed addresses (unsubscribed, bounced): never mailed again by any sequence;
and each address's one unsubscribe token (storage.models.deliveries.UnsubscribeToken).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mailing import DeliveryStatus as D
from storage.models.deliveries import EmailDelivery, EmailSuppression, UnsubscribeToken
from storage.repos.publishing_rows import dialect_insert


async def address_for(session: AsyncSession, token: str) -> str | None:
    found: str | None = await session.scalar(
        select(UnsubscribeToken.address).where(UnsubscribeToken.token == token)
    )
    return found


async def tokens_for(
    session: AsyncSession, fresh: Mapping[str, str], *, now: datetime
) -> dict[str, str]:
    """Each address's token: the one it has, else the fresh one offered for it (kept).
    Two replicas offering different tokens at once: the first insert wins, both read it."""
    if not fresh:
        return {}
    rows = [{"address": a, "token": t, "created_at": now} for a, t in fresh.items()]
    statement = dialect_insert(session, UnsubscribeToken).values(rows)
    await session.execute(statement.on_conflict_do_nothing(index_elements=["address"]))
    found = await session.execute(
        select(UnsubscribeToken.address, UnsubscribeToken.token).where(
            UnsubscribeToken.address.in_(list(fresh))
        )
    )
    return {address: token for address, token in found.all()}


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
