"""Item outcomes: one row per generation of an item, opened when the text is stored and
closed once by a decision; and the promoted prompt variants.

The write functions take the caller's session so an outcome commits (or rolls back)
with the state change it describes. Closing is a conditional UPDATE (`outcome IS NULL`):
a double tap, or two admins at once, records one decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from storage.models import ItemOutcome, LLMCall, PromptPromotion

# What the decision points report; "approved" is stored as one of the two below.
Decision = Literal["approved", "rejected", "regenerated"]
APPROVED_AS_IS = "approved_as_is"
APPROVED_AFTER_EDIT = "approved_after_edit"
REGENERATED = "regenerated"
REJECTED = "rejected"
OUTCOMES = (APPROVED_AS_IS, APPROVED_AFTER_EDIT, REGENERATED, REJECTED)
ACCEPTED = (APPROVED_AS_IS, APPROVED_AFTER_EDIT)


@dataclass(frozen=True)
class OutcomeCounts:
    """Decided generations of one group (a kind, or a template variant)."""

    approved_as_is: int = 0
    approved_after_edit: int = 0
    regenerated: int = 0
    rejected: int = 0
    # Still waiting for a decision (not part of any rate).
    pending: int = 0
    # The model's cost of the decided generations (micro-dollars).
    cost_microusd: int = 0
    # Sum over the decided generations, for the average time to decision.
    seconds_to_decision: float = 0.0

    def __add__(self, other: OutcomeCounts) -> OutcomeCounts:
        return OutcomeCounts(
            approved_as_is=self.approved_as_is + other.approved_as_is,
            approved_after_edit=self.approved_after_edit + other.approved_after_edit,
            regenerated=self.regenerated + other.regenerated,
            rejected=self.rejected + other.rejected,
            pending=self.pending + other.pending,
            cost_microusd=self.cost_microusd + other.cost_microusd,
            seconds_to_decision=self.seconds_to_decision + other.seconds_to_decision,
        )

    @property
    def decided(self) -> int:
        return self.approved_as_is + self.approved_after_edit + self.regenerated + self.rejected

    @property
    def accepted(self) -> int:
        return self.approved_as_is + self.approved_after_edit

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.decided if self.decided else None

    @property
    def average_cost_microusd(self) -> float | None:
        return self.cost_microusd / self.decided if self.decided else None

    @property
    def cost_per_accepted_microusd(self) -> float | None:
        """Everything spent on decided generations, rejected ones included, per accepted item."""
        return self.cost_microusd / self.accepted if self.accepted else None

    @property
    def average_seconds_to_decision(self) -> float | None:
        return self.seconds_to_decision / self.decided if self.decided else None


@dataclass(frozen=True)
class VariantKey:
    template_name: str
    template_version: int
    variant: str


async def open_generation(
    session: AsyncSession,
    *,
    kind: str,
    item_id: int,
    llm_call_id: int | None,
    at: datetime,
    share: int = 1,
) -> ItemOutcome:
    """A new text for the item from the model: the open one (if any) closes as regenerated.

    The template, version, variant and cost come from the logged call; `share` splits the
    call's cost when one call wrote several items (a campaign plan's posts).
    """
    await close(session, kind=kind, item_id=item_id, decision="regenerated", at=at)
    call = await session.get(LLMCall, llm_call_id) if llm_call_id is not None else None
    row = ItemOutcome(
        item_kind=kind,
        item_id=item_id,
        llm_call_id=call.id if call is not None else None,
        template_name=call.template_name if call is not None else None,
        template_version=call.template_version if call is not None else None,
        variant=call.variant if call is not None else None,
        cost_microusd=call.cost_microusd // max(share, 1) if call is not None else 0,
        generated_at=at,
        edited=False,
    )
    session.add(row)
    await session.flush()
    return row


async def mark_edited(session: AsyncSession, *, kind: str, item_id: int) -> bool:
    """A person changed the model's text; False when nothing is open for the item."""
    result = await session.execute(
        update(ItemOutcome).where(*_open(kind, item_id)).values(edited=True)
    )
    return cast(CursorResult[object], result).rowcount > 0


async def close(
    session: AsyncSession,
    *,
    kind: str,
    item_id: int,
    decision: Decision,
    at: datetime,
    user_id: int | None = None,
) -> str | None:
    """Record the decision on the item's open generation; the stored outcome, or None when
    nothing was open (an item the model did not write, or one decided already)."""
    row = await session.scalar(
        select(ItemOutcome).where(*_open(kind, item_id)).order_by(ItemOutcome.id.desc()).limit(1)
    )
    if row is None:
        return None
    outcome = _outcome(decision, edited=row.edited)
    seconds = max(0.0, (at - row.generated_at).total_seconds())
    result = await session.execute(
        update(ItemOutcome)
        .where(ItemOutcome.id == row.id, ItemOutcome.outcome.is_(None))
        .values(outcome=outcome, decided_at=at, seconds_to_decision=seconds, decided_by=user_id)
        .execution_options(synchronize_session=False)
    )
    return outcome if cast(CursorResult[object], result).rowcount == 1 else None


async def for_item(session: AsyncSession, kind: str, item_id: int) -> list[ItemOutcome]:
    """Every generation of one item, oldest first."""
    rows = await session.scalars(
        select(ItemOutcome)
        .where(ItemOutcome.item_kind == kind, ItemOutcome.item_id == item_id)
        .order_by(ItemOutcome.id)
    )
    return list(rows)


async def counts_by_kind(
    session: AsyncSession, *, since: datetime | None = None, until: datetime | None = None
) -> dict[str, OutcomeCounts]:
    """Item kind → counts of the generations decided in [since, until) (pending: generated)."""
    grouped = await _grouped(session, ("item_kind",), since=since, until=until)
    return {str(key): counts for (key,), counts in grouped.items()}


async def counts_by_template(
    session: AsyncSession, *, since: datetime | None = None, until: datetime | None = None
) -> dict[str, OutcomeCounts]:
    """Template name → counts, all versions and variants together."""
    grouped = await _grouped(session, ("template_name",), since=since, until=until)
    return {str(key): counts for (key,), counts in grouped.items() if key is not None}


async def counts_by_variant(
    session: AsyncSession, *, since: datetime | None = None, until: datetime | None = None
) -> dict[VariantKey, OutcomeCounts]:
    """(template, version, variant) → counts; generations without a template are left out."""
    columns = ("template_name", "template_version", "variant")
    grouped = await _grouped(session, columns, since=since, until=until)
    return {
        VariantKey(str(name), int(str(version)), str(variant)): counts
        for (name, version, variant), counts in grouped.items()
        if name is not None and version is not None and variant is not None
    }


async def add_promotion(
    session: AsyncSession,
    *,
    name: str,
    source_hash: str,
    variant: str,
    version: int,
    user_id: int | None,
    at: datetime,
) -> PromptPromotion:
    row = PromptPromotion(
        name=name,
        source_hash=source_hash,
        variant=variant,
        version=version,
        promoted_by=user_id,
        promoted_at=at,
    )
    session.add(row)
    await session.flush()
    return row


async def latest_promotions(session: AsyncSession) -> dict[str, PromptPromotion]:
    """Template name → its newest promotion (whatever file content it was made for)."""
    rows = await session.scalars(select(PromptPromotion).order_by(PromptPromotion.id))
    latest: dict[str, PromptPromotion] = {}
    for row in rows:
        latest[row.name] = row
    return latest


def _open(kind: str, item_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        ItemOutcome.item_kind == kind,
        ItemOutcome.item_id == item_id,
        ItemOutcome.outcome.is_(None),
    )


def _outcome(decision: Decision, *, edited: bool) -> str:
    if decision == "approved":
        return APPROVED_AFTER_EDIT if edited else APPROVED_AS_IS
    return REGENERATED if decision == "regenerated" else REJECTED


async def _grouped(
    session: AsyncSession,
    columns: Sequence[str],
    *,
    since: datetime | None,
    until: datetime | None,
) -> dict[tuple[object, ...], OutcomeCounts]:
    table = cast(Table, ItemOutcome.__table__)
    keys = [table.c[column] for column in columns]
    decided = select(
        *keys,
        table.c.outcome,
        func.count(),
        func.coalesce(func.sum(table.c.cost_microusd), 0),
        func.coalesce(func.sum(table.c.seconds_to_decision), 0.0),
    ).where(table.c.outcome.is_not(None))
    pending = select(*keys, func.count()).where(table.c.outcome.is_(None))
    if since is not None:
        decided = decided.where(table.c.decided_at >= since)
        pending = pending.where(table.c.generated_at >= since)
    if until is not None:
        decided = decided.where(table.c.decided_at < until)
        pending = pending.where(table.c.generated_at < until)
    totals: dict[tuple[object, ...], dict[str, float]] = {}
    width = len(keys)
    for row in await session.execute(decided.group_by(*keys, table.c.outcome)):
        entry = totals.setdefault(tuple(row[:width]), {})
        outcome, count, cost, seconds = row[width:]
        entry[str(outcome)] = entry.get(str(outcome), 0) + count
        entry["cost"] = entry.get("cost", 0) + int(cost)
        entry["seconds"] = entry.get("seconds", 0.0) + float(seconds)
    for row in await session.execute(pending.group_by(*keys)):
        totals.setdefault(tuple(row[:width]), {})["pending"] = row[width]
    return {key: _counts(entry) for key, entry in totals.items()}


def _counts(entry: dict[str, float]) -> OutcomeCounts:
    return OutcomeCounts(
        approved_as_is=int(entry.get(APPROVED_AS_IS, 0)),
        approved_after_edit=int(entry.get(APPROVED_AFTER_EDIT, 0)),
        regenerated=int(entry.get(REGENERATED, 0)),
        rejected=int(entry.get(REJECTED, 0)),
        pending=int(entry.get("pending", 0)),
        cost_microusd=int(entry.get("cost", 0)),
        seconds_to_decision=float(entry.get("seconds", 0.0)),
    )
