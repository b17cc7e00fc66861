"""Read-only SQL for /usage and /report: the LLM call log and the post history, summed.

Every function takes a half-open UTC window [since, until) and returns plain numbers;
sums happen in the database, so a month of calls is one row per group, not a row per call.
Money stays integer micro-dollars, as in the call log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import ColumnElement, Date, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import PostStatus
from storage.models.llm import LLMCall
from storage.models.posts import Post, PostTransition

GroupBy = Literal["template", "model"]
# The gateway's outcomes for a call that gave nothing usable (see storage.models.llm).
FAILED_OUTCOMES = ("invalid", "error", "timeout")


@dataclass(frozen=True)
class Spend:
    """Tokens and cost of a group of logged calls (every attempt counts: each was paid)."""

    key: str | None
    calls: int
    input_tokens: int
    output_tokens: int
    cost_microusd: int

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class DaySpend:
    day: date
    template: str | None
    cost_microusd: int


@dataclass(frozen=True)
class CallHealth:
    total: int
    failed: int
    over_budget: int


def _in(since: datetime, until: datetime) -> ColumnElement[bool]:
    return (LLMCall.created_at >= since) & (LLMCall.created_at < until)


async def spend_by(
    session: AsyncSession, group: GroupBy, since: datetime, until: datetime
) -> list[Spend]:
    """One row per template (or model) that was called in the window, costliest first."""
    column = LLMCall.template_name if group == "template" else LLMCall.model
    cost = func.coalesce(func.sum(LLMCall.cost_microusd), 0)
    stmt = (
        select(
            column,
            func.count(),
            func.coalesce(func.sum(LLMCall.input_tokens), 0),
            func.coalesce(func.sum(LLMCall.output_tokens), 0),
            cost,
        )
        .where(_in(since, until))
        .group_by(column)
        .order_by(cost.desc(), column)
    )
    rows = (await session.execute(stmt)).all()
    return [Spend(row[0], int(row[1]), int(row[2]), int(row[3]), int(row[4])) for row in rows]


def _utc_day(session: AsyncSession) -> ColumnElement[date]:
    """The call's UTC day (the budget's day). SQLite stores UTC text, PostgreSQL a
    timestamptz whose date would otherwise follow the session's time zone."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", LLMCall.created_at), Date)
    return func.date(LLMCall.created_at)


async def daily_spend(session: AsyncSession, since: datetime, until: datetime) -> list[DaySpend]:
    """Cost per UTC day and template, for the chart."""
    day = _utc_day(session)
    stmt = (
        select(day, LLMCall.template_name, func.coalesce(func.sum(LLMCall.cost_microusd), 0))
        .where(_in(since, until))
        .group_by(day, LLMCall.template_name)
        .order_by(day)
    )
    rows = (await session.execute(stmt)).all()
    return [DaySpend(_as_date(row[0]), row[1], int(row[2])) for row in rows]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def call_health(session: AsyncSession, since: datetime, until: datetime) -> CallHealth:
    """How many calls were made and how many gave nothing (failed, or refused by the cap)."""
    failed = func.sum(_flag(LLMCall.outcome.in_(FAILED_OUTCOMES)))
    budget = func.sum(_flag(LLMCall.outcome == "budget"))
    stmt = select(func.count(), failed, budget).where(_in(since, until))
    row = (await session.execute(stmt)).one()
    return CallHealth(int(row[0]), int(row[1] or 0), int(row[2] or 0))


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


# -- posts ---------------------------------------------------------------------------


async def post_transitions(
    session: AsyncSession, to_status: PostStatus, since: datetime, until: datetime
) -> int:
    """Posts that reached `to_status` in the window (published, failed, ...), each once."""
    stmt = select(func.count(func.distinct(PostTransition.post_id))).where(
        PostTransition.to_status == to_status.value,
        PostTransition.at >= since,
        PostTransition.at < until,
    )
    return int((await session.execute(stmt)).scalar_one())


async def approval_waits(session: AsyncSession, since: datetime, until: datetime) -> list[float]:
    """Seconds from draft to approval of each post approved in the window."""
    stmt = select(Post.created_at, Post.approved_at).where(
        Post.approved_at >= since, Post.approved_at < until
    )
    rows = (await session.execute(stmt)).all()
    return [(approved - created).total_seconds() for created, approved in rows if approved]
