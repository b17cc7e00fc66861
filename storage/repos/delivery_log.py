"""Reading the send log of a sequence: deliveries counted per recipient, and the ones
that went wrong (bounced, failed, unknown outcome, suppressed; a sent one a delivery
report called delayed), newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mailing import DeliveryStatus as D
from storage.models import EmailDelivery, SequenceEmail

TROUBLE = (D.BOUNCED, D.FAILED, D.UNKNOWN, D.SUPPRESSED)
DELAYED = "delayed"  # shown for a sent delivery a report said is still being tried


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
    when = func.coalesce(EmailDelivery.bounced_at, EmailDelivery.finished_at,
                         EmailDelivery.created_at)  # fmt: skip
    delayed = (EmailDelivery.status == D.SENT) & EmailDelivery.bounce_status.is_not(None)
    status = case((delayed, literal(DELAYED)), else_=EmailDelivery.status)
    statement = (
        select(EmailDelivery.recipient, SequenceEmail.number, status, EmailDelivery.error, when)
        .join(SequenceEmail, SequenceEmail.id == EmailDelivery.sequence_email_id)
        .where(EmailDelivery.sequence_id == sequence_id,
               or_(EmailDelivery.status.in_(TROUBLE), delayed))
        .order_by(when.desc(), EmailDelivery.id.desc())
        .limit(limit)
    )  # fmt: skip
    return [
        (str(recipient), int(number), str(status), error, at)
        for recipient, number, status, error, at in (await session.execute(statement)).all()
    ]


async def per_email(session: AsyncSession, sequence_id: int) -> dict[int, dict[str, int]]:
    """Sequence email id -> delivery status -> count, for one sequence."""
    statement = (
        select(EmailDelivery.sequence_email_id, EmailDelivery.status, func.count())
        .where(EmailDelivery.sequence_id == sequence_id)
        .group_by(EmailDelivery.sequence_email_id, EmailDelivery.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for email_id, status, count in (await session.execute(statement)).all():
        counts.setdefault(email_id, {})[status] = count
    return counts


async def totals(session: AsyncSession, sequence_id: int) -> dict[str, int]:
    """Delivery status -> count over all of one sequence's emails."""
    statement = (
        select(EmailDelivery.status, func.count())
        .where(EmailDelivery.sequence_id == sequence_id)
        .group_by(EmailDelivery.status)
    )
    return {status: count for status, count in (await session.execute(statement)).all()}


async def recipient_log(
    session: AsyncSession, sequence_id: int, address: str
) -> Sequence[tuple[int, str | None, str, int, str | None, datetime | None]]:
    """(email number, subject, status, attempts, error, when) of every delivery one
    recipient had from one sequence, in email order."""
    when = func.coalesce(EmailDelivery.sent_at, EmailDelivery.finished_at)
    statement = (
        select(SequenceEmail.number, SequenceEmail.subject, EmailDelivery.status,
               EmailDelivery.attempts, EmailDelivery.error, when)
        .join(SequenceEmail, SequenceEmail.id == EmailDelivery.sequence_email_id)
        .where(EmailDelivery.sequence_id == sequence_id, EmailDelivery.recipient == address)
        .order_by(SequenceEmail.number)
    )  # fmt: skip
    rows = (await session.execute(statement)).all()
    return [(n, subject, status, tries, error, at) for n, subject, status, tries, error, at in rows]
