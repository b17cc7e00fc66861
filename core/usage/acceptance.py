"""Acceptance per kind of item, read from the experiments' outcome records.

"Accepted" is approved as written or after an edit; "decided" adds regenerated and
rejected (storage/repos/outcomes.py). Items still waiting for a decision are not counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.usage.types import Acceptance
from domain.crew import ItemKind
from storage.repos import outcomes as outcome_repo

# What the shop owner calls each kind, in the order /usage lists them.
KINDS: tuple[tuple[ItemKind, str], ...] = (
    (ItemKind.SUGGESTION, "Post ideas"),
    (ItemKind.POST, "Posts"),
    (ItemKind.REPLY, "Email replies"),
    (ItemKind.SEQUENCE_EMAIL, "Sequence emails"),
    (ItemKind.FLOW, "SMS flows"),
)


class AcceptanceSource(Protocol):
    async def acceptance(self, since: datetime, until: datetime) -> tuple[Acceptance, ...]: ...


class OutcomeAcceptance:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def acceptance(self, since: datetime, until: datetime) -> tuple[Acceptance, ...]:
        """Every kind, with zeros for a kind nothing was decided on (so the table is stable)."""
        async with self._sessions() as session:
            counts = await outcome_repo.counts_by_kind(session, since=since, until=until)
        found = []
        for kind, label in KINDS:
            row = counts.get(kind.value)
            if row is None:
                found.append(Acceptance(label, 0, 0, 0))
            else:
                found.append(Acceptance(label, row.decided, row.accepted, row.cost_microusd))
        return tuple(found)
