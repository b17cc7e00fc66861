"""/usage's numbers from a real database (SQLite and PostgreSQL): windows cut at UTC
midnights, features and models summed, daily costs for the chart, acceptance from outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.llm.types import BudgetStatus
from core.usage.acceptance import OutcomeAcceptance
from core.usage.features import OTHER, feature_of
from core.usage.service import UsageService
from core.usage.types import Line
from core.usage.windows import MONTH, TODAY, WEEK
from tests.usage.support import FixedClock, add_calls, call, decided

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
MIDNIGHT = datetime(2026, 12, 7, tzinfo=UTC)
HAIKU = "anthropic/claude-haiku"


class FixedBudget:
    async def budget_status(self) -> BudgetStatus:
        return BudgetStatus(Decimal("1.00"), Decimal("0.25"), Decimal("0.05"))


def service(sessions: async_sessionmaker[AsyncSession]) -> UsageService:
    return UsageService(sessions, FixedClock(NOW), FixedBudget(), OutcomeAcceptance(sessions))


async def seed_calls(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await add_calls(
            session,
            call(NOW - timedelta(hours=1), "suggest_post", microusd=1000),
            call(MIDNIGHT, "email_reply_inquiry", model=HAIKU, tokens=(300, 100), microusd=2500),
            call(MIDNIGHT, "email_reply_classify", model=HAIKU, tokens=(50, 10), microusd=500),
            call(MIDNIGHT - timedelta(seconds=1), "crew_brand", microusd=4000),  # yesterday
            call(MIDNIGHT - timedelta(days=6), "crew_compliance", microusd=3000),  # 7 days' first
            call(MIDNIGHT - timedelta(days=6, seconds=1), "suggest_post", microusd=7000),
            call(MIDNIGHT - timedelta(days=29), None, microusd=9000),  # 30 days' first day
            call(MIDNIGHT - timedelta(days=29, seconds=1), "suggest_post", microusd=100_000),
            call(NOW, "suggest_post", microusd=50_000),  # at `now`: after the window's end
            call(
                NOW - timedelta(minutes=5),
                "suggest_post",
                tokens=(0, 0),
                microusd=0,
                outcome="error",
            ),
        )


async def test_windows_start_at_utc_midnights(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_calls(session_factory)
    summary = await service(session_factory).summary()
    today, week, month = summary.windows
    assert [w.window for w in summary.windows] == [TODAY, WEEK, MONTH]
    assert (today.cost_usd, today.tokens, today.calls) == (Decimal("0.004"), 610, 4)
    assert week.cost_usd == Decimal("0.011")
    assert month.cost_usd == Decimal("0.027")
    assert summary.budget.remaining_usd == Decimal("0.70")


async def test_templates_are_summed_into_features_and_models_costliest_first(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_calls(session_factory)
    today, week, month = (await service(session_factory).summary()).windows
    assert today.by_feature == (
        Line("Email replies", 460, Decimal("0.003")),
        Line("Post ideas", 150, Decimal("0.001")),  # with the failed call (no tokens, free)
    )
    assert [line.name for line in week.by_feature] == [
        "Review crew", "Email replies", "Post ideas",
    ]  # fmt: skip
    assert month.by_feature[0].name == "Other"  # a call without template, the costliest
    assert [(line.name, line.cost_usd) for line in today.by_model] == [
        (HAIKU, Decimal("0.003")), ("openai/gpt-4o-mini", Decimal("0.001")),
    ]  # fmt: skip


async def test_daily_costs_put_each_call_on_its_utc_day(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_calls(session_factory)
    data = await service(session_factory).daily_costs()
    assert len(data.days) == 30 and data.days[-1] == NOW.date()
    assert data.by_feature["Email replies"][-1] == Decimal("0.003")
    assert data.by_feature["Review crew"][-2] == Decimal("0.004")  # 23:59:59 yesterday
    assert data.by_feature["Review crew"][-7] == Decimal("0.003")
    assert data.by_feature["Other"][0] == Decimal("0.009")
    assert sum(data.by_feature["Post ideas"]) == Decimal("0.008")  # not the one 30 days back
    assert data.cap_usd == Decimal("1.00")


async def test_acceptance_counts_kept_drafts_and_prices_them_with_the_rejected_ones(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session, session.begin():
        ids = await add_calls(session, *(call(NOW - timedelta(days=2), "suggest_post",
                                              microusd=3000) for _ in range(4)))  # fmt: skip
        (reply_call,) = await add_calls(session, call(NOW, "email_reply_inquiry", microusd=800))
        (flow_call,) = await add_calls(session, call(NOW, "flow_generate", microusd=2000))
        generated, at = NOW - timedelta(days=2), NOW - timedelta(minutes=1)
        await decided(session, "suggestion", 1, ids[0], generated, "approved", at)
        await decided(session, "suggestion", 2, ids[1], generated, "approved", at, edited=True)
        await decided(session, "suggestion", 3, ids[2], generated, "rejected", at)
        await decided(session, "suggestion", 4, ids[3], generated, "regenerated", at)
        await decided(session, "reply", 9, reply_call, generated, "rejected", at)
        await decided(session, "flow", 3, flow_call, generated, "approved", at)
        # Decided 31 days ago: outside the 30 days.
        old = NOW - timedelta(days=31)
        await decided(session, "post", 5, ids[0], old, "approved", old)
    rows = {row.label: row for row in (await service(session_factory).summary()).acceptance}
    assert list(rows) == ["Post ideas", "Posts", "Email replies", "Sequence emails", "SMS flows"]
    ideas = rows["Post ideas"]
    assert (ideas.accepted, ideas.decided, ideas.rate) == (2, 4, 0.5)
    assert ideas.cost_per_accepted_usd == Decimal("0.006")  # $0.012 for 2 kept
    assert (rows["Posts"].decided, rows["Posts"].rate) == (0, None)
    assert rows["Email replies"].cost_per_accepted_usd is None  # nothing kept
    flows = rows["SMS flows"]
    assert (flows.accepted, flows.decided, flows.cost_per_accepted_usd) == (1, 1, Decimal("0.002"))


def test_every_prompt_template_belongs_to_a_named_feature() -> None:
    """A template /usage can't name is counted as "Other": none of ours may be."""
    names = [path.stem for path in PROMPTS.glob("*.yaml")]
    assert names, PROMPTS
    assert {name: feature_of(name) for name in names if feature_of(name) == OTHER} == {}
    assert feature_of("flow_generate") == feature_of("flow_repair") == "SMS flows"
