"""/report's facts come from the database (both dialects), and the model's answer may cite
only those facts, with exactly three recommendations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.prompting.registry import PromptRegistry
from core.report.answer import answer_schema
from core.report.facts import bounds, collect, duration
from core.report.service import ReportService
from domain.timegrammar import DateRange
from tests.doubles.fake_llm import FakeLLM
from tests.usage.support import (
    PROMPTS_DIR,
    FixedClock,
    add_calls,
    call,
    decided,
    published_post,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOVEMBER = DateRange(date(2026, 11, 1), date(2026, 11, 30))
# 1 Nov 00:00 in Berlin is 31 Oct 23:00 UTC; 30 Nov ends at 23:00 UTC.
START, END = datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 30, 23, tzinfo=UTC)


def test_the_period_is_its_local_days_in_utc() -> None:
    assert bounds(NOVEMBER, BERLIN) == (START, END)


async def seed(session: AsyncSession) -> None:
    inside = START + timedelta(days=3)
    await published_post(session, inside, inside + timedelta(hours=2), "published", inside)
    await published_post(
        session, inside, inside + timedelta(hours=4), "published", END - timedelta(seconds=1)
    )
    await published_post(session, inside, inside + timedelta(hours=9), "failed", inside)
    await published_post(session, inside, END, "published", END)  # 1 Dec in Berlin: not in it
    ids = await add_calls(
        session,
        call(inside, "suggest_post", microusd=20_000),
        call(inside, "suggest_post", microusd=20_000),
        call(inside, "email_reply_inquiry", microusd=5_000),
        call(inside, "email_reply_inquiry", microusd=0, outcome="timeout"),
        call(inside, "crew_brand", microusd=0, outcome="budget"),
        call(START - timedelta(seconds=1), "crew_brand", microusd=99_000),  # 31 Oct, Berlin
    )
    half_hour = inside + timedelta(minutes=30)
    await decided(session, "suggestion", 1, ids[0], inside, "approved", half_hour, edited=True)
    await decided(session, "suggestion", 2, ids[1], inside, "rejected", half_hour)


async def test_facts_are_numbered_and_computed_from_the_period_only(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session, session.begin():
        await seed(session)
    async with session_factory() as session:
        sheet = await collect(session, NOVEMBER, BERLIN)
    assert [fact.id for fact in sheet.facts] == [f"F{n}" for n in range(1, len(sheet.facts) + 1)]
    assert [fact.text for fact in sheet.facts] == [
        "Posts published: 2",
        "Posts that failed to publish: 1",
        "Posts approved: 3; typical time from draft to approval (median): 4.0 h",
        "Post ideas: 1 of 2 kept (50 %), 1 of them after an edit, 0 regenerated, 1 rejected",
        "Post ideas: average time to a decision 30 min",
        "Post ideas: model cost per kept item $0.04",
        "Model cost: $0.04 for 5 calls",
        "Costliest feature: Post ideas, $0.04 (88 %)",
        "Model calls that failed: 1 of 5",
        "Model calls refused because the daily budget was used up: 1",
    ]
    assert sheet.ids == frozenset(f"F{n}" for n in range(1, 11))


async def test_an_empty_period_still_has_facts_to_stand_on(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        sheet = await collect(session, NOVEMBER, BERLIN)
    assert [fact.text for fact in sheet.facts] == [
        "Posts published: 0",
        "Posts that failed to publish: 0",
        "Posts approved: 0",
        "No generated drafts were decided on in this period",
        "Model cost: $0.00 for 0 calls",
    ]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(20, "1 min"), (1800, "30 min"), (3 * 3600, "3.0 h"), (3 * 86400, "3.0 days")],
)
def test_durations_read_in_one_unit(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def answer(
    recommendation_ids: list[list[str]], insight_ids: list[str] | None = None
) -> dict[str, object]:
    return {
        "insights": [{"text": "Half the post ideas were kept.", "fact_ids": insight_ids or ["F1"]}],
        "recommendations": [
            {"text": f"Do thing {n}.", "fact_ids": ids} for n, ids in enumerate(recommendation_ids)
        ],
    }


def test_an_answer_citing_known_facts_validates() -> None:
    schema = answer_schema(frozenset({"F1", "F2", "F3"}))
    parsed = schema.model_validate(answer([["F1"], ["F2", "F3"], ["F3"]]))
    assert [r.fact_ids for r in parsed.recommendations] == [["F1"], ["F2", "F3"], ["F3"]]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (answer([["F1"], ["F9"], ["F3"]]), "cites F9, which is not among the facts"),
        (answer([["F1"], ["F2"], ["F3"]], ["F7", "F8"]), "cites F7, F8, which are not"),
        (answer([["F1"], ["F2"]]), "at least 3 items"),
        (answer([["F1"], ["F2"], ["F3"], ["F1"]]), "at most 3 items"),
        (answer([["F1"], [], ["F3"]]), "at least 1 item"),
    ],
)
def test_an_answer_citing_unknown_facts_or_not_three_things_is_refused(
    body: dict[str, object], says: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        answer_schema(frozenset({"F1", "F2", "F3"})).model_validate(body)
    assert says in str(refused.value)
    if "cites" in says:
        assert "cite only these ids: F1, F2, F3" in str(refused.value)


async def test_analyze_performance_is_the_designs_one_call(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    registry = await PromptRegistry.load(PROMPTS_DIR)
    await registry.sync(session_factory)
    llm = FakeLLM()
    llm.queue(answer([["F1"], ["F2"], ["F5"]]))
    clock = FixedClock(datetime(2026, 12, 7, 9, tzinfo=UTC))
    reports = ReportService(session_factory, clock, registry, llm, BERLIN)
    # An end after today is cut at today; the design passes a plain (start, end) tuple.
    result = await reports.analyze_performance((date(2026, 11, 1), date(2026, 12, 31)))
    assert result["period"] == {"start": "2026-11-01", "end": "2026-12-07"}
    assert [fact["id"] for fact in result["facts"]] == ["F1", "F2", "F3", "F4", "F5"]
    assert [r["fact_ids"] for r in result["recommendations"]] == [["F1"], ["F2"], ["F5"]]
    assert result["insights"][0]["text"] == "Half the post ideas were kept."
    assert result["cost_usd"] == "0.001"
    (request,) = llm.requests
    assert request.prompt is not None and request.prompt.name == "report"
    assert "- F5: Model cost: $0.00 for 0 calls" in request.messages[-1].content
