"""Reply draft rows. Every state change is a conditional UPDATE: the WHERE clause is the lock.

Drafting and sending are claims with a lease (`lease_owner`, `lease_until`), so two
replicas never draft one email twice or send one reply twice, and a process that died
mid-claim leaves something the next sweep can recognise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from domain.email_replies import ReplyStatus
from domain.emaildesk import InboundStatus
from storage.models import InboundEmail, Order, ReplyCard, ReplyDraft

R = ReplyStatus


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


# -- drafting ---------------------------------------------------------------------------


async def emails_without_reply(session: AsyncSession, *, limit: int = 100) -> list[int]:
    """Readable customer emails that have no reply row yet, oldest first."""
    has_reply = exists().where(ReplyDraft.email_id == InboundEmail.id)
    rows = await session.scalars(
        select(InboundEmail.id)
        .where(InboundEmail.status == InboundStatus.RECEIVED, ~has_reply)
        .order_by(InboundEmail.id)
        .limit(limit)
    )
    return list(rows)


async def claim_new(
    session: AsyncSession, email_id: int, *, owner: str, until: datetime, at: datetime
) -> int | None:
    """The new reply's id, or None when the email has one (drafted or being drafted)."""
    statement = (
        _insert(session)(ReplyDraft)
        .values(_new_row(email_id, owner=owner, until=until, at=at))
        .on_conflict_do_nothing(index_elements=["email_id"])
        .returning(ReplyDraft.id)
    )
    new_id: int | None = await session.scalar(statement)
    return new_id


def _new_row(email_id: int, *, owner: str, until: datetime, at: datetime) -> dict[str, Any]:
    return {
        "email_id": email_id, "status": R.DRAFTING, "revision": 1, "needs_review": True,
        "suggested_actions": [], "facts": [], "warnings": [], "edited": False, "attempts": 0,
        "lease_owner": owner, "lease_until": until, "created_at": at, "updated_at": at,
    }  # fmt: skip


def _free(now: datetime) -> ColumnElement[bool]:
    """No live lease, and its retry time (if any) has come."""
    no_lease = or_(ReplyDraft.lease_until.is_(None), ReplyDraft.lease_until < now)
    due = or_(ReplyDraft.next_attempt_at.is_(None), ReplyDraft.next_attempt_at <= now)
    return and_(no_lease, due)


async def drafting_due(session: AsyncSession, now: datetime) -> list[int]:
    """Drafting rows nobody holds: a crash cut them off, or a failed attempt's time came."""
    return await _free_ids(session, R.DRAFTING, now)


async def _free_ids(session: AsyncSession, status: ReplyStatus, now: datetime) -> list[int]:
    rows = await session.scalars(
        select(ReplyDraft.id).where(ReplyDraft.status == status, _free(now)).order_by(ReplyDraft.id)
    )
    return list(rows)


async def reclaim_drafting(
    session: AsyncSession, reply_id: int, *, owner: str, until: datetime, now: datetime
) -> bool:
    return await _update(
        session,
        (ReplyDraft.id == reply_id, ReplyDraft.status == R.DRAFTING, _free(now)),
        {"lease_owner": owner, "lease_until": until},
    )


async def drafted(session: AsyncSession, reply_id: int, owner: str, values: dict[str, Any]) -> bool:
    """Store the model's draft: drafting → pending, if this worker still holds the claim."""
    held = (ReplyDraft.id == reply_id, ReplyDraft.status == R.DRAFTING,
            ReplyDraft.lease_owner == owner)  # fmt: skip
    # The revision moves on: a card drawn before this draft can't act on it.
    done = {"status": R.PENDING, "lease_owner": None, "lease_until": None, "error": None,
            "next_attempt_at": None, "attempts": 0,
            "revision": ReplyDraft.revision + 1}  # fmt: skip
    return await _update(session, held, {**values, **done})


async def drafting_failed(
    session: AsyncSession, reply_id: int, owner: str, *, error: str, retry_at: datetime
) -> bool:
    held = (ReplyDraft.id == reply_id, ReplyDraft.status == R.DRAFTING,
            ReplyDraft.lease_owner == owner)  # fmt: skip
    values = {"lease_owner": None, "lease_until": None, "error": error,
              "next_attempt_at": retry_at, "attempts": ReplyDraft.attempts + 1}  # fmt: skip
    return await _update(session, held, values)


async def release_drafting(session: AsyncSession, owner: str) -> None:
    """A stopping worker hands its drafting claims back: the next start takes them at once."""
    held = (ReplyDraft.status == R.DRAFTING, ReplyDraft.lease_owner == owner)
    await _update(session, held, {"lease_owner": None, "lease_until": None})


# -- a person's decisions -------------------------------------------------------------


async def rewrite(
    session: AsyncSession, reply_id: int, revision: int, values: dict[str, Any]
) -> bool:
    """New text (edit, regenerate, tone) on a pending draft at the revision the person saw."""
    seen = (ReplyDraft.id == reply_id, ReplyDraft.status == R.PENDING,
            ReplyDraft.revision == revision)  # fmt: skip
    return await _update(session, seen, {**values, "revision": ReplyDraft.revision + 1})


async def move(
    session: AsyncSession,
    reply_id: int,
    revision: int,
    *,
    from_: Iterable[ReplyStatus],
    to: ReplyStatus,
    values: dict[str, Any] | None = None,
) -> bool:
    """One transition a person asked for, from one of `from_`, at the revision they saw.

    The revision moves on too, so every other copy of the card goes stale."""
    seen = (ReplyDraft.id == reply_id, ReplyDraft.status.in_(list(from_)),
            ReplyDraft.revision == revision)  # fmt: skip
    changes = {**(values or {}), "status": to, "revision": ReplyDraft.revision + 1}
    return await _update(session, seen, changes)


# -- sending --------------------------------------------------------------------------


async def sends_due(session: AsyncSession, now: datetime) -> list[int]:
    """Approved replies nobody is sending whose (retry) time has come."""
    return await _free_ids(session, R.APPROVED, now)


async def claim_send(
    session: AsyncSession,
    reply_id: int,
    *,
    owner: str,
    until: datetime,
    now: datetime,
    message_id: str,
) -> bool:
    """approved → sending. The Message-ID is set by the first attempt and kept after."""
    values = {
        "status": R.SENDING, "lease_owner": owner, "lease_until": until,
        "attempts": ReplyDraft.attempts + 1,
        "message_id": func.coalesce(ReplyDraft.message_id, message_id),
    }  # fmt: skip
    return await _update(
        session, (ReplyDraft.id == reply_id, ReplyDraft.status == R.APPROVED, _free(now)), values
    )


async def finish_send(
    session: AsyncSession, reply_id: int, owner: str, *, to: ReplyStatus, values: dict[str, Any]
) -> bool:
    """sending → sent | failed | unknown | approved (a 4xx: again later), if still held."""
    held = (ReplyDraft.id == reply_id, ReplyDraft.status == R.SENDING,
            ReplyDraft.lease_owner == owner)  # fmt: skip
    changes = {**values, "status": to, "lease_owner": None, "lease_until": None,
               "revision": ReplyDraft.revision + 1}  # fmt: skip
    return await _update(session, held, changes)


async def abandoned_sends(session: AsyncSession, now: datetime, error: str) -> list[int]:
    """Sends whose worker died mid-send: unknown (it may have gone out), never resent."""
    stale = (ReplyDraft.status == R.SENDING, ReplyDraft.lease_until < now)
    ids = list(await session.scalars(select(ReplyDraft.id).where(*stale)))
    if ids:
        changes = {"status": R.UNKNOWN, "lease_owner": None, "lease_until": None,
                   "error": error, "revision": ReplyDraft.revision + 1}  # fmt: skip
        await _update(session, (*stale, ReplyDraft.id.in_(ids)), changes)
    return ids


# -- reading --------------------------------------------------------------------------


async def get(session: AsyncSession, reply_id: int) -> ReplyDraft | None:
    return await session.get(ReplyDraft, reply_id, populate_existing=True)


async def for_email(session: AsyncSession, email_id: int) -> ReplyDraft | None:
    return await session.scalar(select(ReplyDraft).where(ReplyDraft.email_id == email_id))


async def email(session: AsyncSession, email_id: int) -> InboundEmail | None:
    return await session.get(InboundEmail, email_id, populate_existing=True)


async def order(session: AsyncSession, number: str | None) -> Order | None:
    if not number:
        return None
    return await session.scalar(select(Order).where(Order.order_number == number))


async def waiting(
    session: AsyncSession, statuses: Sequence[ReplyStatus], *, offset: int, limit: int
) -> tuple[list[ReplyDraft], int]:
    where = ReplyDraft.status.in_(list(statuses))
    total = (await session.execute(select(func.count()).where(where))).scalar_one()
    rows = await session.scalars(
        select(ReplyDraft).where(where).order_by(ReplyDraft.id).offset(offset).limit(limit)
    )
    return list(rows), total


# -- cards ----------------------------------------------------------------------------


async def add_card(session: AsyncSession, reply_id: int, chat_id: int, message_id: int) -> None:
    """Where a draft is shown in a chat; a newer card in the same chat replaces the older."""
    statement = _insert(session)(ReplyCard).values(
        reply_id=reply_id, chat_id=chat_id, message_id=message_id
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["reply_id", "chat_id"], set_={"message_id": message_id}
        )
    )


async def cards(session: AsyncSession, reply_id: int) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(ReplyCard.chat_id, ReplyCard.message_id)
        .where(ReplyCard.reply_id == reply_id)
        .order_by(ReplyCard.id)
    )
    return [(int(chat_id), int(message_id)) for chat_id, message_id in rows]


async def _update(
    session: AsyncSession, where: Iterable[ColumnElement[bool]], values: dict[str, Any]
) -> bool:
    statement = (
        update(ReplyDraft)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return result.rowcount >= 1
