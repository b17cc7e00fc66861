"""Reading the send log of a sequence: deliveries counted per recipient, and the ones
that went wrong (failed, unknown outcome, suppressed), newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mailing import DeliveryStatus as D
from storage.models import EmailDelivery, SequenceEmail

TROUBLE = (D.FAILED, D.UNKNOWN, D.SUPPRESSED)


async def per_recipient(session: AsyncSession, sequence_id: int) -> dict[str, dict[str, int]]:
    statement = (
        select(EmailDelivery.recipient, EmailDelivery.status, func.count())
        .where(EmailDelivery.sequence_id == sequence_id)
        .group_by(EmailDelivery.recipient, EmailDelivery.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for recipient, status, count in (await session.execute(statement)).all():
        counts.setdefault(recipient, {})[status] = count
    return counts


async def trouble(
    session: AsyncSession, sequence_id: int, *, limit: int
) -> Sequence[tuple[str, int, str, str | None, datetime | None]]:
    """(recipient, email number, status, error, when) of deliveries that went wrong."""
    when = func.coalesce(EmailDelivery.finished_at, EmailDelivery.created_at)
    statement = (
        select(EmailDelivery.recipient, SequenceEmail.number, EmailDelivery.status,
               EmailDelivery.error, when)
        .join(SequenceEmail, SequenceEmail.id == EmailDelivery.sequence_email_id)
        .where(EmailDelivery.sequence_id == sequence_id, EmailDelivery.status.in_(TROUBLE))
        .order_by(when.desc(), EmailDelivery.id.desc())
        .limit(limit)
    )  # fmt: skip
    return [
        (str(recipient), int(number), str(status), error, at)
        for recipient, number, status, error, at in (await session.execute(statement)).all()
    ]
