"""SQL for the LLM call log, the daily budget ledger and the response cache.

Plain async functions over an AsyncSession; the caller owns the transaction and decides
when to commit. Money is integer micro-dollars throughout.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.llm import BudgetDay, LLMCacheEntry, LLMCall


@dataclass(frozen=True)
class CallRecord:
    """One row of the call log, as the gateway describes it."""

    model: str
    messages: list[dict[str, Any]]
    outcome: str
    attempt: int
    template_name: str | None = None
    template_version: int | None = None
    variant: str | None = None
    output: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_microusd: int = 0
    latency_ms: int = 0
    error: str | None = None
    # What semantic memory showed the model (LLMRequest.retrieval); None: nothing.
    retrieval: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class LedgerDay:
    spent_microusd: int
    reserved_microusd: int


@dataclass(frozen=True)
class CachedOutput:
    model: str
    output: str


def _insert(session: AsyncSession) -> Any:
    # ON CONFLICT lives in the dialect-specific insert constructs.
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


# -- call log ------------------------------------------------------------------------


async def add_call(session: AsyncSession, record: CallRecord) -> int:
    row = LLMCall(**asdict(record))
    session.add(row)
    await session.flush()
    return row.id


# -- budget ledger -------------------------------------------------------------------


async def ensure_budget_day(session: AsyncSession, day: date) -> None:
    """Create the day's row if missing; safe when two processes race to create it."""
    stmt = (
        _insert(session)(BudgetDay).values(day=day).on_conflict_do_nothing(index_elements=["day"])
    )
    await session.execute(stmt)


async def try_reserve(session: AsyncSession, day: date, microusd: int, cap_microusd: int) -> bool:
    """Reserve `microusd` unless the day is at its cap, in ONE conditional UPDATE.

    The row lock (PostgreSQL) or the write lock (SQLite) serializes concurrent reservations,
    and the WHERE is re-checked under it, so no two callers can both see the last room.
    """
    await ensure_budget_day(session, day)
    stmt = (
        update(BudgetDay)
        .where(
            BudgetDay.day == day,
            BudgetDay.spent_microusd + BudgetDay.reserved_microusd < cap_microusd,
        )
        .values(reserved_microusd=BudgetDay.reserved_microusd + microusd)
        .returning(BudgetDay.day)
    )
    return (await session.execute(stmt)).first() is not None


async def settle(
    session: AsyncSession, day: date, reserved_microusd: int, spent_microusd: int
) -> LedgerDay:
    """Release a reservation and book what was actually spent, in one UPDATE."""
    released = case(
        (
            BudgetDay.reserved_microusd > reserved_microusd,
            BudgetDay.reserved_microusd - reserved_microusd,
        ),
        else_=0,
    )
    stmt = (
        update(BudgetDay)
        .where(BudgetDay.day == day)
        .values(
            reserved_microusd=released,
            spent_microusd=BudgetDay.spent_microusd + spent_microusd,
        )
        .returning(BudgetDay.spent_microusd, BudgetDay.reserved_microusd)
    )
    row = (await session.execute(stmt)).first()
    return LedgerDay(row[0], row[1]) if row is not None else LedgerDay(spent_microusd, 0)


async def get_budget_day(session: AsyncSession, day: date) -> LedgerDay:
    row = await session.get(BudgetDay, day)
    if row is None:
        return LedgerDay(0, 0)
    return LedgerDay(row.spent_microusd, row.reserved_microusd)


# -- response cache ------------------------------------------------------------------


async def get_cached(session: AsyncSession, key: str, now: datetime) -> CachedOutput | None:
    stmt = select(LLMCacheEntry.model, LLMCacheEntry.output).where(
        LLMCacheEntry.key == key, LLMCacheEntry.expires_at > now
    )
    row = (await session.execute(stmt)).first()
    return CachedOutput(row.model, row.output) if row is not None else None


async def put_cached(
    session: AsyncSession, key: str, model: str, output: str, now: datetime, expires_at: datetime
) -> None:
    """Insert or refresh an entry; two callers that both missed may both store."""
    values = {"model": model, "output": output, "created_at": now, "expires_at": expires_at}
    stmt = (
        _insert(session)(LLMCacheEntry)
        .values(key=key, **values)
        .on_conflict_do_update(index_elements=["key"], set_=values)
    )
    await session.execute(stmt)


async def purge_expired_cache(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(LLMCacheEntry).where(LLMCacheEntry.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
