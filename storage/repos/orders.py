"""The shop's orders: upserted by order number, looked up by number or customer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Order

# The columns an import writes; the rest (id, created_at) stay as first stored.
IMPORTED = ("status", "items", "customer_email")


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def by_numbers(session: AsyncSession, numbers: Sequence[str]) -> dict[str, Order]:
    if not numbers:
        return {}
    rows = await session.scalars(
        select(Order)
        .where(Order.order_number.in_(list(numbers)))
        .execution_options(populate_existing=True)
    )
    return {row.order_number: row for row in rows}


async def get(session: AsyncSession, number: str) -> Order | None:
    return (await by_numbers(session, [number])).get(number)


async def upsert(session: AsyncSession, rows: Sequence[dict[str, Any]], at: datetime) -> None:
    """Insert new orders and overwrite the imported columns of known ones, in one statement
    per chunk, so an import racing another import of the same order never fails."""
    for start in range(0, len(rows), 500):
        chunk = [{**row, "created_at": at, "updated_at": at} for row in rows[start : start + 500]]
        statement = _insert(session)(Order).values(chunk)
        changes = {name: statement.excluded[name] for name in (*IMPORTED, "updated_at")}
        await session.execute(
            statement.on_conflict_do_update(index_elements=["order_number"], set_=changes)
        )


async def recent(session: AsyncSession, *, limit: int) -> list[Order]:
    rows = await session.scalars(
        select(Order).order_by(Order.updated_at.desc(), Order.id.desc()).limit(limit)
    )
    return list(rows)


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


async def latest_for_customer(session: AsyncSession, address: str) -> Order | None:
    return await session.scalar(
        select(Order)
        .where(func.lower(Order.customer_email) == address.lower())
        .order_by(Order.updated_at.desc(), Order.id.desc())
        .limit(1)
    )
