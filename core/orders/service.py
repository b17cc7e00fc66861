"""Orders: imported (created or updated by order number) and read back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.orders.importing import parse_json_orders, parse_orders
from core.orders.numbers import normalise
from core.orders.rows import OrderRow
from core.orders.views import OrderView
from storage.repos import orders as repo


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_json(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


class OrderService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def import_text(self, text: str) -> ImportResult:
        """A CSV or JSON file's text; ValidationFailed (nothing imported) names each problem."""
        return await self._store(parse_orders(text))

    async def import_json(self, data: Any) -> ImportResult:
        """The API's body: a JSON list of orders (or {"orders": [...]})."""
        return await self._store(parse_json_orders(data))

    async def get(self, number: str) -> OrderView | None:
        async with self._sessions() as session:
            row = await repo.get(session, normalise(number))
            return OrderView.from_row(row) if row is not None else None

    async def recent(self, *, limit: int = 10) -> tuple[tuple[OrderView, ...], int]:
        """The latest updated orders, and how many there are in all."""
        async with self._sessions() as session:
            rows = await repo.recent(session, limit=limit)
            return tuple(OrderView.from_row(row) for row in rows), await repo.count(session)

    async def _store(self, rows: list[OrderRow]) -> ImportResult:
        async with self._sessions.begin() as session:
            known = await repo.by_numbers(session, [row.order_number for row in rows])
            changed = [row for row in rows if _differs(row, known.get(row.order_number))]
            await repo.upsert(session, [row.values() for row in changed], self._clock.now())
        created = sum(1 for row in changed if row.order_number not in known)
        return ImportResult(created, len(changed) - created, len(rows) - len(changed))


def _differs(row: OrderRow, stored: Any) -> bool:
    if stored is None:
        return True
    values = row.values()
    return any(getattr(stored, name) != values[name] for name in repo.IMPORTED)
