"""The decision points' one-line calls: what became of a generated item.

Each takes the caller's session, so the outcome commits with the state change it
describes (a rolled-back approval records nothing), and each is a no-op for an item the
model did not write (no open generation). See storage.repos.outcomes for the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.crew import ItemKind
from storage.repos import outcomes as repo
from storage.repos.outcomes import Decision


async def generated(
    session: AsyncSession,
    kind: ItemKind,
    item_id: int,
    llm_call_id: int | None,
    at: datetime,
    *,
    share: int = 1,
) -> None:
    """The model wrote (or rewrote) the item's text; a previous open one was regenerated."""
    await repo.open_generation(
        session, kind=kind.value, item_id=item_id, llm_call_id=llm_call_id, at=at, share=share
    )


async def edited(session: AsyncSession, kind: ItemKind, item_id: int) -> None:
    """A person changed the text: an approval from here on is "approved after edit"."""
    await repo.mark_edited(session, kind=kind.value, item_id=item_id)


async def replaced(
    session: AsyncSession, kind: ItemKind, item_id: int, llm_call_id: int | None, at: datetime
) -> None:
    """New text stored through a path shared by both: from the model when it carries the
    call that wrote it, from a person otherwise."""
    if llm_call_id is None:
        await edited(session, kind, item_id)
    else:
        await generated(session, kind, item_id, llm_call_id, at)


async def decided(
    session: AsyncSession,
    kind: ItemKind,
    item_id: int,
    decision: Decision,
    at: datetime,
    user_id: int | None = None,
) -> str | None:
    """The stored outcome (approved as-is or after an edit, …); None when nothing was open."""
    return await repo.close(
        session, kind=kind.value, item_id=item_id, decision=decision, at=at, user_id=user_id
    )


async def generated_together(
    session: AsyncSession,
    kind: ItemKind,
    item_ids: Sequence[int],
    llm_call_id: int | None,
    at: datetime,
) -> None:
    """One call wrote several items (a campaign plan's posts): each gets its share of the
    cost. Nothing is recorded without a call: a plan sent over the API was not written here."""
    if llm_call_id is None:
        return
    for item_id in item_ids:
        await generated(session, kind, item_id, llm_call_id, at, share=len(item_ids))
