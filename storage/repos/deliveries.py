"""Sequence email deliveries: created once per recipient, claimed under a lease, sent once.

Every move is a conditional UPDATE on the claim (`claimed_by`, status, lease), so two
replicas never both send a row; picks skip rows another replica holds locked
(`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers). The caller owns the
transaction. Sending a chunk at once: storage.repos.delivery_chunks; the send log for
people: storage.repos.delivery_log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mailing import DeliveryStatus as D
from domain.sequences import SequenceEmailStatus as E
from domain.sequences import SequenceStatus
from storage.models import EmailSequence, SequenceEmail, SequenceRecipient
from storage.models.deliveries import EmailDelivery, EmailSuppression
from storage.repos.publishing_rows import dialect_insert, locked_pick


@dataclass(frozen=True)
class EmailContent:
    """What every recipient of one sequence email gets (a `sending` email can't change)."""

    email_id: int
    sequence_id: int
    sequence_name: str
    number: int
    subject: str
    body_text: str
    body_html: str | None


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    email_id: int
    recipient: str
    attempts: int


def suppressed(address: SQLColumnExpression[str]) -> ColumnElement[bool]:
    return exists().where(EmailSuppression.address == address)


def _active_sequence() -> ColumnElement[bool]:
    return exists().where(
        EmailSequence.id == SequenceEmail.sequence_id, EmailSequence.status == SequenceStatus.ACTIVE
    )


async def start_due_emails(
    session: AsyncSession, *, now: datetime, limit: int, skip_locked: bool
) -> list[int]:
    """Approved emails of active sequences whose time came become `sending`, each with one
    delivery per recipient (suppressed addresses as `suppressed`). The conditional update
    lets one replica win; the unique (email, recipient) pair makes a repeat a no-op."""
    due = [SequenceEmail.status == E.APPROVED, SequenceEmail.due_at <= now, _active_sequence()]
    pick = select(SequenceEmail.id).where(*due).order_by(SequenceEmail.due_at).limit(limit)
    picked = await locked_pick(session, pick, skip_locked=skip_locked)
    statement = (
        update(SequenceEmail)
        .where(SequenceEmail.id.in_(picked), *due)
        .values(status=E.SENDING, revision=SequenceEmail.revision + 1, updated_at=now)
        .returning(SequenceEmail.id, SequenceEmail.sequence_id)
        .execution_options(synchronize_session=False)
    )
    started = list(await session.execute(statement))
    for email_id, sequence_id in started:
        await _create_deliveries(session, email_id, sequence_id, now)
    return sorted(email_id for email_id, _ in started)


async def _create_deliveries(
    session: AsyncSession, email_id: int, sequence_id: int, now: datetime
) -> None:
    address = SequenceRecipient.email
    status = case((suppressed(address), literal(D.SUPPRESSED)), else_=literal(D.PENDING))
    rows = select(
        literal(email_id), literal(sequence_id), address, status, literal(0), literal(now),
        literal(now),
    ).where(SequenceRecipient.sequence_id == sequence_id)  # fmt: skip
    columns = ["sequence_email_id", "sequence_id", "recipient", "status", "attempts",
               "next_attempt_at", "created_at"]  # fmt: skip
    statement = dialect_insert(session, EmailDelivery).from_select(columns, rows)
    await session.execute(
        statement.on_conflict_do_nothing(index_elements=["sequence_email_id", "recipient"])
    )


def _due(now: datetime) -> list[ColumnElement[bool]]:
    free = or_(EmailDelivery.lease_until.is_(None), EmailDelivery.lease_until < now)
    sending = exists().where(
        SequenceEmail.id == EmailDelivery.sequence_email_id,
        SequenceEmail.status == E.SENDING,
        _active_sequence(),
    )
    return [EmailDelivery.status == D.PENDING, EmailDelivery.next_attempt_at <= now, free, sending]


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    worker: str,
    lease_until: datetime,
    limit: int,
    skip_locked: bool,
) -> list[Claimed]:
    """Due pending deliveries nobody holds become this replica's until `lease_until`."""
    if limit <= 0:
        return []
    pick = select(EmailDelivery.id).where(*_due(now))
    pick = pick.order_by(EmailDelivery.next_attempt_at, EmailDelivery.id).limit(limit)
    picked = await locked_pick(session, pick, skip_locked=skip_locked)
    statement = (
        update(EmailDelivery)
        .where(EmailDelivery.id.in_(picked), *_due(now))
        .values(claimed_by=worker, lease_until=lease_until)
        .returning(
            EmailDelivery.id,
            EmailDelivery.sequence_email_id,
            EmailDelivery.recipient,
            EmailDelivery.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    rows = [Claimed(*row) for row in await session.execute(statement)]
    return sorted(rows, key=lambda claimed: claimed.delivery_id)


async def content(session: AsyncSession, email_id: int) -> EmailContent | None:
    found = (
        await session.execute(
            select(SequenceEmail, EmailSequence.name)
            .join(EmailSequence, EmailSequence.id == SequenceEmail.sequence_id)
            .where(SequenceEmail.id == email_id)
        )
    ).first()
    if found is None:
        return None
    email, name = found
    return EmailContent(
        email.id, email.sequence_id, name, email.number, email.subject or "",
        email.body_text or "", email.body_html,
    )  # fmt: skip


async def begin_send(
    session: AsyncSession,
    delivery_id: int,
    *,
    worker: str,
    valid_after: datetime,
    lease_until: datetime,
    message_id: str,
) -> bool:
    """Mark it `sending` right before the message leaves, if this replica still holds a
    live claim and the address is not suppressed (checked here, at send time, too)."""
    held = [
        EmailDelivery.id == delivery_id, EmailDelivery.claimed_by == worker,
        EmailDelivery.status == D.PENDING, EmailDelivery.lease_until > valid_after,
        ~suppressed(EmailDelivery.recipient),
    ]  # fmt: skip
    values = {"status": D.SENDING, "attempts": EmailDelivery.attempts + 1,
              "lease_until": lease_until, "message_id": message_id}  # fmt: skip
    return bool(await update_where(session, held, values))


async def finish(
    session: AsyncSession,
    delivery_id: int,
    *,
    worker: str,
    to: D,
    now: datetime,
    error: str | None = None,
    code: int | None = None,
) -> bool:
    """sending → sent | failed | unknown (or a claimed pending row → failed/suppressed)."""
    held = [EmailDelivery.id == delivery_id, EmailDelivery.claimed_by == worker,
            EmailDelivery.status.in_((D.SENDING, D.PENDING))]  # fmt: skip
    values: dict[str, Any] = {"status": to, "error": error, "smtp_code": code,
                              "finished_at": now, "claimed_by": None, "lease_until": None,
                              "next_attempt_at": None}  # fmt: skip
    if to == D.SENT:
        values["sent_at"] = now
    return bool(await update_where(session, held, values))


async def mark_sent(
    session: AsyncSession, delivery_ids: Sequence[int], *, worker: str, now: datetime
) -> list[int]:
    """sending → sent for the messages the server accepted (recorded in bulk)."""
    if not delivery_ids:
        return []
    held = [EmailDelivery.id.in_(delivery_ids), EmailDelivery.claimed_by == worker,
            EmailDelivery.status == D.SENDING]  # fmt: skip
    values = {"status": D.SENT, "sent_at": now, "finished_at": now, "error": None,
              "smtp_code": None, "claimed_by": None, "lease_until": None,
              "next_attempt_at": None}  # fmt: skip
    return await update_where(session, held, values)


async def retry_at(
    session: AsyncSession, delivery_id: int, *, worker: str, at: datetime, error: str,
    code: int | None,
) -> bool:  # fmt: skip
    """Nothing was accepted (a 4xx, no connection): pending again, due at `at`."""
    held = [EmailDelivery.id == delivery_id, EmailDelivery.claimed_by == worker,
            EmailDelivery.status.in_((D.SENDING, D.PENDING))]  # fmt: skip
    values = {"status": D.PENDING, "next_attempt_at": at, "error": error, "smtp_code": code,
              "claimed_by": None, "lease_until": None}  # fmt: skip
    return bool(await update_where(session, held, values))


async def release(
    session: AsyncSession, delivery_ids: Sequence[int], *, worker: str, at: datetime | None = None
) -> list[int]:
    """Claims not started go back (at shutdown, or after the server could not be reached)."""
    if not delivery_ids:
        return []
    held = [EmailDelivery.id.in_(delivery_ids), EmailDelivery.claimed_by == worker,
            EmailDelivery.status == D.PENDING]  # fmt: skip
    values: dict[str, Any] = {"claimed_by": None, "lease_until": None}
    if at is not None:
        values["next_attempt_at"] = at
    return await update_where(session, held, values)


async def recover_expired(session: AsyncSession, *, now: datetime, reason: str) -> list[int]:
    """A replica died mid-send: its `sending` rows may have gone out, so they are unknown."""
    lost = [EmailDelivery.status == D.SENDING, EmailDelivery.lease_until < now]
    values = {"status": D.UNKNOWN, "error": reason, "finished_at": now, "claimed_by": None,
              "lease_until": None}  # fmt: skip
    return await update_where(session, lost, values)


async def finish_emails(session: AsyncSession, *, now: datetime) -> list[int]:
    """Sending emails with no delivery left open are `sent` (whatever each outcome was)."""
    still_open = exists().where(
        EmailDelivery.sequence_email_id == SequenceEmail.id, EmailDelivery.status.in_(_OPEN)
    )
    statement = (
        update(SequenceEmail)
        .where(SequenceEmail.status == E.SENDING, ~still_open)
        .values(status=E.SENT, revision=SequenceEmail.revision + 1, updated_at=now)
        .returning(SequenceEmail.id)
        .execution_options(synchronize_session=False)
    )
    return sorted((await session.execute(statement)).scalars())


_OPEN = (D.PENDING, D.SENDING)


async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
    """When the next delivery waiting out a backoff, or the next approved email, is due."""
    retry: datetime | None = await session.scalar(
        select(func.min(EmailDelivery.next_attempt_at)).where(
            EmailDelivery.status == D.PENDING, EmailDelivery.next_attempt_at > after
        )
    )
    email: datetime | None = await session.scalar(
        select(func.min(SequenceEmail.due_at)).where(
            SequenceEmail.status == E.APPROVED, SequenceEmail.due_at > after
        )
    )
    return min((at for at in (retry, email) if at is not None), default=None)


async def resolve_unknown(
    session: AsyncSession, delivery_id: int, *, sent: bool, now: datetime
) -> bool:
    """A person decided an `unknown` delivery: it went out (sent), or send it again."""
    where = [EmailDelivery.id == delivery_id, EmailDelivery.status == D.UNKNOWN]
    if sent:
        values: dict[str, Any] = {"status": D.SENT, "sent_at": now, "error": None}
        return bool(await update_where(session, where, values))
    values = {"status": D.PENDING, "next_attempt_at": now, "finished_at": None, "error": None}
    if not await update_where(session, where, values):
        return False
    # Its email is owed again: back to sending so the sweep picks the row up.
    await session.execute(
        update(SequenceEmail)
        .where(
            SequenceEmail.status == E.SENT,
            SequenceEmail.id
            == select(EmailDelivery.sequence_email_id)
            .where(EmailDelivery.id == delivery_id)
            .scalar_subquery(),
        )
        .values(status=E.SENDING, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return True


async def update_where(
    session: AsyncSession, where: Sequence[ColumnElement[bool]], values: dict[str, Any]
) -> list[int]:
    statement = (
        update(EmailDelivery)
        .where(and_(*where))
        .values(**values)
        .returning(EmailDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(statement)).scalars())
