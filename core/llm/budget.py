"""The daily spending cap, kept in the database so it survives restarts and replicas.

Each provider call first reserves its estimated cost; the reservation is refused once
spent + reserved reaches the cap, so concurrent calls can overshoot by at most one call.
After the call the reservation is released and the actual cost booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.errors import BudgetExceeded
from core.llm.types import BudgetStatus
from storage.repos import llm as repo

_MICRO = Decimal(1_000_000)


def to_micro(usd: Decimal) -> int:
    return int(usd * _MICRO)


def from_micro(microusd: int) -> Decimal:
    return Decimal(microusd) / _MICRO


def format_usd(usd: Decimal) -> str:
    # Cents for real budgets; all digits for the tiny caps of tests and trials.
    return f"{usd:.2f}" if usd == 0 or usd >= Decimal("0.01") else f"{usd.normalize():f}"


@dataclass(frozen=True)
class Reservation:
    """Booked against the day it was made, even if the call ends after midnight."""

    day: date
    microusd: int


class BudgetLedger:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock, cap_usd: Decimal
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._cap_usd = cap_usd

    def today(self) -> date:
        return self._clock.now().astimezone(UTC).date()

    async def reserve(self, microusd: int) -> Reservation:
        day = self.today()
        async with self._sessions() as session, session.begin():
            admitted = await repo.try_reserve(session, day, microusd, to_micro(self._cap_usd))
        if not admitted:
            raise BudgetExceeded(
                f"Today's LLM budget of ${format_usd(self._cap_usd)} is used up; "
                "it resets at 00:00 UTC."
            )
        return Reservation(day, microusd)

    async def settle(
        self, session: AsyncSession, reservation: Reservation, spent_microusd: int
    ) -> BudgetStatus:
        """Book inside the caller's transaction, so the cost and its log row commit together."""
        day = await repo.settle(session, reservation.day, reservation.microusd, spent_microusd)
        return self._status(day)

    async def release(self, reservation: Reservation) -> None:
        async with self._sessions() as session, session.begin():
            await repo.settle(session, reservation.day, reservation.microusd, 0)

    async def status(self) -> BudgetStatus:
        async with self._sessions() as session:
            day = await repo.get_budget_day(session, self.today())
        return self._status(day)

    def _status(self, day: repo.LedgerDay) -> BudgetStatus:
        return BudgetStatus(
            cap_usd=self._cap_usd,
            spent_usd=from_micro(day.spent_microusd),
            reserved_usd=from_micro(day.reserved_microusd),
        )
