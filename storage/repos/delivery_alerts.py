"""Alerts about sequence deliveries that failed or ended unknown: owed, taken, told.

One alert per sequence email, once it is done sending, covers all its failed and unknown
rows not told yet. Telling is taken under a short lease on those rows (a conditional
UPDATE, so two replicas never both take them) and marked told only after the message
went out: a crash in between means the alert is sent again, never lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mailing import DeliveryStatus as D
from domain.sequences import SequenceEmailStatus as E
from storage.models import SequenceEmail
from storage.models.deliveries import EmailDelivery
from storage.repos import sequences as sequence_repo
from storage.repos.deliveries import update_where

TOLD_OF = (D.FAILED, D.UNKNOWN)
SHOWN = 10  # addresses named in one alert; the rest are counted


@dataclass(frozen=True)
class AlertFacts:
    email_id: int
    sequence_id: int
    sequence_name: str
    number: int
    subject: str | None
    revision: int
    counts: dict[str, int]
    unknown: tuple[str, ...]  # the first SHOWN addresses
    failed: tuple[tuple[str, str | None], ...]  # (address, the server's words)


def _untold(now: datetime) -> list[ColumnElement[bool]]:
    free = or_(EmailDelivery.alert_until.is_(None), EmailDelivery.alert_until < now)
    return [EmailDelivery.status.in_(TOLD_OF), EmailDelivery.alerted_at.is_(None), free]


async def owed(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Sequence emails done sending with failed/unknown deliveries nobody was told of."""
    rows = exists().where(EmailDelivery.sequence_email_id == SequenceEmail.id, *_untold(now))
    statement = (
        select(SequenceEmail.id)
        .where(SequenceEmail.status == E.SENT, rows)
        .order_by(SequenceEmail.id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def take(
    session: AsyncSession, email_id: int, *, now: datetime, until: datetime
) -> list[int]:
    """This replica tells about these rows until `until`; [] when another one is."""
    where = [EmailDelivery.sequence_email_id == email_id, *_untold(now)]
    return await update_where(session, where, {"alert_until": until})


async def told(session: AsyncSession, delivery_ids: Sequence[int], *, now: datetime) -> None:
    await update_where(
        session, [EmailDelivery.id.in_(delivery_ids)], {"alerted_at": now, "alert_until": None}
    )


async def release(session: AsyncSession, delivery_ids: Sequence[int]) -> None:
    await update_where(session, [EmailDelivery.id.in_(delivery_ids)], {"alert_until": None})


async def facts(session: AsyncSession, email_id: int) -> AlertFacts | None:
    """What the alert says: the email, its counts, the addresses that need a look."""
    found = await sequence_repo.email_with_name(session, email_id)
    if found is None:
        return None
    email, name = found
    counts = await session.execute(
        select(EmailDelivery.status, func.count())
        .where(EmailDelivery.sequence_email_id == email_id)
        .group_by(EmailDelivery.status)
    )
    return AlertFacts(
        email.id, email.sequence_id, name, email.number, email.subject, email.revision,
        {status: n for status, n in counts.all()},
        tuple(a for a, _ in await _rows(session, email_id, D.UNKNOWN)),
        tuple(await _rows(session, email_id, D.FAILED)),
    )  # fmt: skip


async def _rows(session: AsyncSession, email_id: int, status: D) -> list[tuple[str, str | None]]:
    statement = (
        select(EmailDelivery.recipient, EmailDelivery.error)
        .where(EmailDelivery.sequence_email_id == email_id, EmailDelivery.status == status)
        .order_by(EmailDelivery.id)
        .limit(SHOWN)
    )
    return [(recipient, error) for recipient, error in (await session.execute(statement)).all()]


async def decide_unknown(
    session: AsyncSession, email_id: int, *, revision: int, sent: bool, now: datetime
) -> list[int] | None:
    """A person decided every unknown delivery of a sent email: they went out (`sent`), or
    send them again (pending, the email back to sending). None when the email is not at
    `revision` any more (somebody decided already, or it changed); the revision moves on."""
    where_email = [SequenceEmail.id == email_id, SequenceEmail.revision == revision,
                   SequenceEmail.status == E.SENT]  # fmt: skip
    moved = await session.execute(
        update(SequenceEmail)
        .where(*where_email)
        .values(revision=SequenceEmail.revision + 1, updated_at=now,
                status=E.SENT if sent else E.SENDING)
        .returning(SequenceEmail.id)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if moved.first() is None:
        return None
    where = [EmailDelivery.sequence_email_id == email_id, EmailDelivery.status == D.UNKNOWN]
    if sent:
        values: dict[str, Any] = {"status": D.SENT, "sent_at": now, "error": None}
    else:  # told again if it fails again
        values = {"status": D.PENDING, "next_attempt_at": now, "finished_at": None,
                  "error": None, "alerted_at": None}  # fmt: skip
    return await update_where(session, where, values)
