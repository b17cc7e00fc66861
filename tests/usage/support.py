"""Rows for /usage and /report tests: logged calls, posts with their history, outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LLMCall, Post, PostTransition
from storage.repos import outcomes as outcome_repo

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


@dataclass
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


def call(
    at: datetime,
    template: str | None,
    *,
    model: str = "openai/gpt-4o-mini",
    tokens: tuple[int, int] = (100, 50),
    microusd: int = 1000,
    outcome: str = "ok",
) -> LLMCall:
    return LLMCall(
        created_at=at, template_name=template, template_version=1 if template else None,
        variant="base" if template else None, model=model, messages=[], output="{}",
        input_tokens=tokens[0], output_tokens=tokens[1], cost_microusd=microusd,
        outcome=outcome, attempt=1,
    )  # fmt: skip


async def add_calls(session: AsyncSession, *calls: LLMCall) -> list[int]:
    session.add_all(calls)
    await session.flush()
    return [row.id for row in calls]


async def published_post(
    session: AsyncSession, created: datetime, approved: datetime, last: str, at: datetime
) -> Post:
    """A post drafted, approved, and then moved to `last` (published, failed) at `at`."""
    post = Post(title="Socks", caption="Warm", created_at=created, approved_at=approved,
                status=last)  # fmt: skip
    session.add(post)
    await session.flush()
    session.add(PostTransition(post_id=post.id, from_status="publishing", to_status=last,
                               actor="publisher", at=at))  # fmt: skip
    await session.flush()
    return post


async def decided(
    session: AsyncSession,
    kind: str,
    item_id: int,
    call_id: int,
    generated: datetime,
    decision: outcome_repo.Decision,
    at: datetime,
    *,
    edited: bool = False,
) -> None:
    await outcome_repo.open_generation(
        session, kind=kind, item_id=item_id, llm_call_id=call_id, at=generated
    )
    if edited:
        await outcome_repo.mark_edited(session, kind=kind, item_id=item_id)
    await outcome_repo.close(session, kind=kind, item_id=item_id, decision=decision, at=at)
