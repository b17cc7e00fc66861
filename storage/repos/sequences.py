"""Sequence rows, their recipients and emails.

Status changes are conditional UPDATEs on (status, revision): a row count of zero means
somebody changed the email first. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from domain.sequences import SequenceEmailStatus as E
from domain.sequences import SequenceStatus
from storage.models import EmailSequence, SequenceEmail, SequenceRecipient


async def insert_sequence(session: AsyncSession, values: dict[str, Any]) -> EmailSequence:
    sequence = EmailSequence(**values)
    session.add(sequence)
    await session.flush()
    return sequence


async def insert_recipients(
    session: AsyncSession, sequence_id: int, rows: Sequence[tuple[str, str]], at: datetime
) -> None:
    """(email, consent_source) pairs, already normalised and unique."""
    if rows:
        values = [
            {"sequence_id": sequence_id, "email": email, "consent_source": source,
             "consent_at": at, "added_at": at}
            for email, source in rows
        ]  # fmt: skip
        await session.execute(insert(SequenceRecipient), values)


async def existing_recipients(
    session: AsyncSession, sequence_id: int, emails: Collection[str]
) -> set[str]:
    statement = select(SequenceRecipient.email).where(
        SequenceRecipient.sequence_id == sequence_id, SequenceRecipient.email.in_(list(emails))
    )
    return set((await session.execute(statement)).scalars())


async def insert_emails(
    session: AsyncSession, sequence_id: int, planned: Sequence[tuple[datetime, str]], at: datetime
) -> None:
    """(due_at, structure) per email, numbered from 1 in the order given."""
    values = [
        {"sequence_id": sequence_id, "number": number, "due_at": due, "structure": structure,
         "key_points": [], "status": E.PLANNED, "revision": 0, "write_attempts": 0,
         "created_at": at, "updated_at": at}
        for number, (due, structure) in enumerate(planned, start=1)
    ]  # fmt: skip
    await session.execute(insert(SequenceEmail), values)


async def get(session: AsyncSession, sequence_id: int) -> EmailSequence | None:
    return await session.get(EmailSequence, sequence_id)


async def recent(session: AsyncSession, *, offset: int, limit: int) -> Sequence[EmailSequence]:
    statement = (
        select(EmailSequence)
        .order_by(EmailSequence.created_at.desc(), EmailSequence.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return (await session.execute(statement)).scalars().all()


async def recipients(session: AsyncSession, sequence_id: int) -> Sequence[SequenceRecipient]:
    statement = (
        select(SequenceRecipient)
        .where(SequenceRecipient.sequence_id == sequence_id)
        .order_by(SequenceRecipient.id)
    )
    return (await session.execute(statement)).scalars().all()


async def recipient_counts(session: AsyncSession, ids: Collection[int]) -> dict[int, int]:
    statement = (
        select(SequenceRecipient.sequence_id, func.count())
        .where(SequenceRecipient.sequence_id.in_(list(ids)))
        .group_by(SequenceRecipient.sequence_id)
    )
    return {row[0]: row[1] for row in (await session.execute(statement)).all()}


async def status_counts(session: AsyncSession, ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Emails per status, per sequence."""
    statement = (
        select(SequenceEmail.sequence_id, SequenceEmail.status, func.count())
        .where(SequenceEmail.sequence_id.in_(list(ids)))
        .group_by(SequenceEmail.sequence_id, SequenceEmail.status)
    )
    counts: dict[int, dict[str, int]] = {sequence_id: {} for sequence_id in ids}
    for sequence_id, status, count in (await session.execute(statement)).all():
        counts[sequence_id][status] = count
    return counts


async def emails(session: AsyncSession, sequence_id: int) -> Sequence[SequenceEmail]:
    statement = (
        select(SequenceEmail)
        .where(SequenceEmail.sequence_id == sequence_id)
        .order_by(SequenceEmail.number)
    )
    return (await session.execute(statement)).scalars().all()


async def email(session: AsyncSession, email_id: int) -> SequenceEmail | None:
    return await session.get(SequenceEmail, email_id, populate_existing=True)


async def earlier_emails(session: AsyncSession, row: SequenceEmail) -> Sequence[SequenceEmail]:
    """The written emails before `row` in its sequence, for the prompt's "don't repeat"."""
    statement = (
        select(SequenceEmail)
        .where(
            SequenceEmail.sequence_id == row.sequence_id,
            SequenceEmail.number < row.number,
            SequenceEmail.subject.is_not(None),
            SequenceEmail.status != E.REJECTED,
        )
        .order_by(SequenceEmail.number)
    )
    return (await session.execute(statement)).scalars().all()


async def change(
    session: AsyncSession,
    email_id: int,
    *,
    expected: Iterable[str],
    revision: int | None,
    values: dict[str, Any],
) -> bool:
    """Move one email if it is in one of `expected` (at `revision`, when given); bumps the
    revision. False when somebody changed it first."""
    conditions = [SequenceEmail.id == email_id, SequenceEmail.status.in_(list(expected))]
    if revision is not None:
        conditions.append(SequenceEmail.revision == revision)
    statement = (
        update(SequenceEmail)
        .where(*conditions)
        .values(**values, revision=SequenceEmail.revision + 1)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount == 1


async def due_to_write(
    session: AsyncSession, *, before: datetime, stale_since: datetime, limit: int
) -> list[int]:
    """Emails of active sequences due before `before` that need writing: planned, or
    claimed by a writer that has not finished since `stale_since` (it crashed)."""
    statement = (
        select(SequenceEmail.id)
        .join(EmailSequence, EmailSequence.id == SequenceEmail.sequence_id)
        .where(
            EmailSequence.status == SequenceStatus.ACTIVE,
            SequenceEmail.due_at < before,
            or_(
                SequenceEmail.status == E.PLANNED,
                (SequenceEmail.status == E.WRITING) & (SequenceEmail.writing_since < stale_since),
            ),
        )
        .order_by(SequenceEmail.due_at, SequenceEmail.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def hold_due(session: AsyncSession, *, now: datetime) -> int:
    """Every unapproved email whose time has come becomes held, in one statement."""
    statement = (
        update(SequenceEmail)
        .where(
            SequenceEmail.due_at <= now,
            SequenceEmail.status.in_([E.PLANNED, E.WRITING, E.PENDING]),
        )
        .values(status=E.HELD, held_at=now, updated_at=now, revision=SequenceEmail.revision + 1)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount


async def held_untold(session: AsyncSession, *, limit: int) -> list[int]:
    statement = (
        select(SequenceEmail.id)
        .where(SequenceEmail.status == E.HELD, SequenceEmail.held_notified_at.is_(None))
        .order_by(SequenceEmail.due_at, SequenceEmail.id)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def set_told(session: AsyncSession, email_id: int, at: datetime | None) -> bool:
    """Claim (at) or release (None) the one alert about a held email."""
    expected = SequenceEmail.held_notified_at.is_(None) if at else SequenceEmail.id.is_not(None)
    statement = (
        update(SequenceEmail)
        .where(SequenceEmail.id == email_id, expected)
        .values(held_notified_at=at)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount == 1


async def waiting(
    session: AsyncSession, statuses: Collection[str], *, limit: int
) -> Sequence[tuple[SequenceEmail, str]]:
    """Emails in `statuses` with their sequence's name, the soonest due first."""
    statement = (
        _with_name()
        .where(SequenceEmail.status.in_(list(statuses)))
        .order_by(SequenceEmail.due_at, SequenceEmail.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def email_with_name(session: AsyncSession, email_id: int) -> tuple[SequenceEmail, str] | None:
    """One email and its sequence's name, or None when there is no such email."""
    row = (await session.execute(_with_name().where(SequenceEmail.id == email_id))).first()
    return None if row is None else (row[0], row[1])


def _with_name() -> Select[SequenceEmail, str]:
    return select(SequenceEmail, EmailSequence.name).join(
        EmailSequence, EmailSequence.id == SequenceEmail.sequence_id
    )


async def mark_seen(session: AsyncSession, email_ids: Collection[int], at: datetime) -> int:
    statement = (
        update(SequenceEmail)
        .where(SequenceEmail.id.in_(list(email_ids)), SequenceEmail.seen_at.is_(None))
        .values(seen_at=at)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount


async def set_sequence_status(
    session: AsyncSession, sequence_id: int, *, expected: str, status: str
) -> bool:
    statement = (
        update(EmailSequence)
        .where(EmailSequence.id == sequence_id, EmailSequence.status == expected)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount == 1
