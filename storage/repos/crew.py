"""Crew review rows. Every state change is a conditional UPDATE: the WHERE clause is the lock.

A run is a claim with a lease (`lease_owner`, `lease_until`) renewed at each progress write,
so two replicas never run one review twice and a run a crash cut off is taken over once its
lease lapses. Statuses: domain.crew.ReviewStatus.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from domain.crew import ReviewStatus
from storage.models import CrewReviewRow

S = ReviewStatus
ACTIVE = (S.PENDING, S.RUNNING)


@dataclass(frozen=True)
class NewReview:
    kind: str
    item_id: int
    content_hash: str
    draft: dict[str, Any]
    steps: list[dict[str, Any]]


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


# -- requests and reads ------------------------------------------------------------------


async def add(session: AsyncSession, new: NewReview, *, at: datetime) -> int | None:
    """The new row's id, or None when this content of this item has a row already."""
    values = {
        "kind": new.kind, "item_id": new.item_id, "content_hash": new.content_hash,
        "status": S.PENDING, "draft": new.draft, "steps": new.steps, "cost_microusd": 0,
        "compliance_failed": False, "attempts": 0, "requested_at": at, "created_at": at,
        "updated_at": at,
    }  # fmt: skip
    statement = (
        _insert(session)(CrewReviewRow)
        .values(values)
        .on_conflict_do_nothing(index_elements=["kind", "item_id", "content_hash"])
        .returning(CrewReviewRow.id)
    )
    new_id: int | None = await session.scalar(statement)
    return new_id


async def find(
    session: AsyncSession, kind: str, item_id: int, content_hash: str
) -> CrewReviewRow | None:
    row: CrewReviewRow | None = await session.scalar(
        select(CrewReviewRow).where(
            CrewReviewRow.kind == kind,
            CrewReviewRow.item_id == item_id,
            CrewReviewRow.content_hash == content_hash,
        )
    )
    return row


async def asked_again(session: AsyncSession, review_id: int, *, at: datetime) -> None:
    """The same content asked for again: it is the item's latest review once more."""
    values = {"requested_at": at, "updated_at": at}
    await session.execute(_statement((CrewReviewRow.id == review_id,), values))


async def rerun(
    session: AsyncSession, review_id: int, steps: list[dict[str, Any]], *, at: datetime
) -> bool:
    """A finished review back to pending (a person asked for the crew again)."""
    finished = (CrewReviewRow.id == review_id, CrewReviewRow.status.in_((S.DONE, S.FAILED)))
    values = {
        "status": S.PENDING, "steps": steps, "report": None, "error": None, "attempts": 0,
        "compliance_failed": False, "compliance_confirmed_by": None,
        "compliance_confirmed_at": None, "finished_at": None, "requested_at": at,
        "updated_at": at,
    }  # fmt: skip
    return await _update(session, finished, values)


async def get(session: AsyncSession, review_id: int) -> CrewReviewRow | None:
    return await session.get(CrewReviewRow, review_id, populate_existing=True)


async def latest(session: AsyncSession, kind: str, item_id: int) -> CrewReviewRow | None:
    row: CrewReviewRow | None = await session.scalar(
        select(CrewReviewRow)
        .where(CrewReviewRow.kind == kind, CrewReviewRow.item_id == item_id)
        .order_by(CrewReviewRow.requested_at.desc(), CrewReviewRow.id.desc())
        .limit(1)
    )
    return row


async def latest_of(
    session: AsyncSession, kind: str, item_ids: Iterable[int]
) -> dict[int, CrewReviewRow]:
    """Each item's latest review, for a list of cards in one query."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = await session.scalars(
        select(CrewReviewRow)
        .where(CrewReviewRow.kind == kind, CrewReviewRow.item_id.in_(ids))
        .order_by(CrewReviewRow.requested_at, CrewReviewRow.id)
    )
    return {row.item_id: row for row in rows}  # later rows overwrite earlier ones


# -- the worker's claims -----------------------------------------------------------------


def _free(now: datetime) -> ColumnElement[bool]:
    """Waiting or running, and nobody's lease is live."""
    no_lease = or_(CrewReviewRow.lease_until.is_(None), CrewReviewRow.lease_until < now)
    return and_(CrewReviewRow.status.in_(ACTIVE), no_lease)


async def due(session: AsyncSession, now: datetime, *, limit: int) -> list[int]:
    """Reviews nobody runs: new ones, and those a crash or a stop cut off; oldest first."""
    rows = await session.scalars(
        select(CrewReviewRow.id)
        .where(_free(now))
        .order_by(CrewReviewRow.requested_at, CrewReviewRow.id)
        .limit(limit)
    )
    return list(rows)


async def claim(
    session: AsyncSession, review_id: int, *, owner: str, until: datetime, now: datetime
) -> bool:
    values = {
        "status": S.RUNNING, "lease_owner": owner, "lease_until": until,
        "attempts": CrewReviewRow.attempts + 1, "updated_at": now,
    }  # fmt: skip
    return await _update(session, (CrewReviewRow.id == review_id, _free(now)), values)


def _held(review_id: int, owner: str) -> tuple[ColumnElement[bool], ...]:
    return (
        CrewReviewRow.id == review_id,
        CrewReviewRow.status == S.RUNNING,
        CrewReviewRow.lease_owner == owner,
    )


async def progress(
    session: AsyncSession,
    review_id: int,
    owner: str,
    steps: list[dict[str, Any]],
    *,
    until: datetime,
    now: datetime,
) -> bool:
    """The steps' states so far; renews the lease (the run is alive)."""
    values = {"steps": steps, "lease_until": until, "updated_at": now}
    return await _update(session, _held(review_id, owner), values)


async def finish(
    session: AsyncSession,
    review_id: int,
    owner: str,
    report: dict[str, Any],
    *,
    compliance_failed: bool,
    now: datetime,
) -> bool:
    values = {
        "status": S.DONE, "report": report, "steps": report["steps"],
        "cost_microusd": report["cost_microusd"], "compliance_failed": compliance_failed,
        "error": None, "lease_owner": None, "lease_until": None, "finished_at": now,
        "updated_at": now,
    }  # fmt: skip
    return await _update(session, _held(review_id, owner), values)


async def fail(
    session: AsyncSession,
    review_id: int,
    owner: str,
    *,
    error: str,
    steps: list[dict[str, Any]] | None,
    now: datetime,
) -> bool:
    values: dict[str, Any] = {
        "status": S.FAILED, "error": error, "lease_owner": None, "lease_until": None,
        "finished_at": now, "updated_at": now,
    }  # fmt: skip
    if steps is not None:
        values["steps"] = steps
    return await _update(session, _held(review_id, owner), values)


async def give_up(session: AsyncSession, *, max_attempts: int, error: str, now: datetime) -> int:
    """Reviews whose runs kept dying (a crash each time) fail instead of looping for ever."""
    stuck = (_free(now), CrewReviewRow.attempts >= max_attempts)
    values = {"status": S.FAILED, "error": error, "lease_owner": None, "lease_until": None,
              "finished_at": now, "updated_at": now}  # fmt: skip
    result: CursorResult[Any] = await session.execute(_statement(stuck, values))  # type: ignore[assignment]
    return result.rowcount


async def release(session: AsyncSession, owner: str, *, now: datetime) -> None:
    """A stopping worker hands its runs back: the next start (or a replica) takes them at once."""
    held = (CrewReviewRow.status == S.RUNNING, CrewReviewRow.lease_owner == owner)
    values = {"lease_owner": None, "lease_until": None, "updated_at": now,
              "attempts": CrewReviewRow.attempts - 1}  # fmt: skip
    await _update(session, held, values)


# -- a person's confirmation -------------------------------------------------------------


async def confirm_compliance(
    session: AsyncSession, review_id: int, *, admin_id: int, at: datetime
) -> bool:
    """Record who checked a compliance failure; only the first of two taps wins."""
    open_failure = (
        CrewReviewRow.id == review_id,
        CrewReviewRow.status == S.DONE,
        CrewReviewRow.compliance_failed.is_(True),
        CrewReviewRow.compliance_confirmed_by.is_(None),
    )
    values = {"compliance_confirmed_by": admin_id, "compliance_confirmed_at": at, "updated_at": at}
    return await _update(session, open_failure, values)


async def _update(
    session: AsyncSession, where: Iterable[ColumnElement[bool]], values: dict[str, Any]
) -> bool:
    result: CursorResult[Any] = await session.execute(_statement(where, values))  # type: ignore[assignment]
    return result.rowcount >= 1


def _statement(where: Iterable[ColumnElement[bool]], values: dict[str, Any]) -> Any:
    # No session sync: these rows are read fresh (populate_existing) after every change.
    return (
        update(CrewReviewRow)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
