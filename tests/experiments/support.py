"""Logged calls and decided items for the experiment tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LLMCall
from storage.repos import outcomes as repo
from storage.repos.outcomes import Decision


def decisions(*, approved: int = 0, rejected: int = 0, regenerated: int = 0) -> list[Decision]:
    made: list[Decision] = []
    made += ["approved"] * approved
    made += ["rejected"] * rejected
    made += ["regenerated"] * regenerated
    return made


def logged_call(
    template: str, version: int, variant: str, *, microusd: int = 1000, at: datetime
) -> LLMCall:
    return LLMCall(
        created_at=at, template_name=template, template_version=version, variant=variant,
        model="openai/test-model", messages=[], output="{}", input_tokens=100,
        output_tokens=50, cost_microusd=microusd, outcome="ok", attempt=1,
    )  # fmt: skip


async def decided_items(
    session: AsyncSession,
    *,
    template: str,
    version: int,
    variant: str,
    decisions: list[Decision],
    at: datetime,
    first_id: int = 1,
    edited: int = 0,
    microusd: int = 1000,
) -> None:
    """One suggestion per decision, written by `variant` and decided a minute later; the
    first `edited` of them were edited before their decision."""
    for offset, decision in enumerate(decisions):
        call = logged_call(template, version, variant, microusd=microusd, at=at)
        session.add(call)
        await session.flush()
        item_id = first_id + offset
        await repo.open_generation(
            session, kind="suggestion", item_id=item_id, llm_call_id=call.id, at=at
        )
        if offset < edited:
            await repo.mark_edited(session, kind="suggestion", item_id=item_id)
        await repo.close(
            session, kind="suggestion", item_id=item_id, decision=decision,
            at=at + timedelta(minutes=1), user_id=1,
        )  # fmt: skip
