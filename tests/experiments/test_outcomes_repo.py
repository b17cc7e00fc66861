"""item_outcomes on SQLite and PostgreSQL: one generation open per item, closed once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import outcomes as repo
from storage.repos.outcomes import OutcomeCounts, VariantKey
from tests.experiments.support import decided_items, decisions, logged_call

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def call_id(session: AsyncSession, variant: str = "a", microusd: int = 3000) -> int:
    call = logged_call("suggest_post", 2, variant, microusd=microusd, at=T0)
    session.add(call)
    await session.flush()
    return call.id


async def test_a_generation_takes_the_call_it_came_from(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        row = await repo.open_generation(
            session, kind="post", item_id=7, llm_call_id=await call_id(session), at=T0, share=3
        )
        assert (row.template_name, row.template_version, row.variant) == ("suggest_post", 2, "a")
        assert row.cost_microusd == 1000  # one of three posts from one plan call
        assert row.outcome is None


async def test_each_decision_becomes_its_outcome(session_factory: Sessions) -> None:
    at = T0 + timedelta(minutes=5)
    async with session_factory.begin() as session:
        for item_id in (1, 2, 3):
            await repo.open_generation(session, kind="reply", item_id=item_id,
                                       llm_call_id=await call_id(session), at=T0)  # fmt: skip
        await repo.mark_edited(session, kind="reply", item_id=2)
        assert await repo.close(session, kind="reply", item_id=1, decision="approved",
                                at=at, user_id=5) == "approved_as_is"  # fmt: skip
        assert await repo.close(session, kind="reply", item_id=2, decision="approved",
                                at=at) == "approved_after_edit"  # fmt: skip
        assert await repo.close(session, kind="reply", item_id=3, decision="rejected",
                                at=at) == "rejected"  # fmt: skip
        first = (await repo.for_item(session, "reply", 1))[0]
    assert first.seconds_to_decision == 300 and first.decided_by == 5 and first.decided_at == at


async def test_a_new_text_closes_the_last_one_as_regenerated(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        first = await call_id(session, "b")
        await repo.open_generation(session, kind="suggestion", item_id=9, llm_call_id=first, at=T0)
        await repo.mark_edited(session, kind="suggestion", item_id=9)
        second = await call_id(session, "b")
        later = T0 + timedelta(seconds=40)
        await repo.open_generation(session, kind="suggestion", item_id=9, llm_call_id=second,
                                   at=later)  # fmt: skip
        await repo.close(session, kind="suggestion", item_id=9, decision="approved",
                         at=later + timedelta(seconds=20))  # fmt: skip
        rows = await repo.for_item(session, "suggestion", 9)
    assert [(r.outcome, r.seconds_to_decision) for r in rows] == [
        ("regenerated", 40.0),
        ("approved_as_is", 20.0),  # the edit was to the text that was replaced
    ]


async def test_an_item_the_model_did_not_write_records_nothing(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        assert not await repo.mark_edited(session, kind="post", item_id=1)
        assert await repo.close(session, kind="post", item_id=1, decision="approved",
                                at=T0) is None  # fmt: skip
        assert await repo.for_item(session, "post", 1) == []


async def test_two_admins_deciding_at_once_record_one_outcome(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        await repo.open_generation(session, kind="sequence_email", item_id=4,
                                   llm_call_id=await call_id(session), at=T0)  # fmt: skip

    async def decide(decision: repo.Decision) -> str | None:
        async with session_factory.begin() as session:
            return await repo.close(session, kind="sequence_email", item_id=4,
                                    decision=decision, at=T0 + timedelta(minutes=1))  # fmt: skip

    results = await asyncio.gather(decide("approved"), decide("rejected"))
    assert sum(result is not None for result in results) == 1, results
    async with session_factory() as session:
        rows = await repo.for_item(session, "sequence_email", 4)
    assert len(rows) == 1 and rows[0].outcome in {"approved_as_is", "rejected"}


async def test_counts_by_kind_variant_and_template(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        await decided_items(session, template="suggest_post", version=1, variant="a",
                            decisions=decisions(approved=2, rejected=2), at=T0,
                            microusd=1000, edited=1)  # fmt: skip
        await decided_items(session, template="suggest_post", version=2, variant="a",
                            decisions=decisions(regenerated=1), at=T0, first_id=50)  # fmt: skip
        await repo.open_generation(session, kind="post", item_id=1, llm_call_id=None, at=T0)
    async with session_factory() as session:
        by_variant = await repo.counts_by_variant(session)
        by_kind = await repo.counts_by_kind(session)
        by_template = await repo.counts_by_template(session)
        later = await repo.counts_by_kind(session, since=T0 + timedelta(hours=1))
    v1 = by_variant[VariantKey("suggest_post", 1, "a")]
    assert (v1.approved_as_is, v1.approved_after_edit, v1.rejected) == (1, 1, 2)
    assert v1.acceptance_rate == 0.5 and v1.cost_per_accepted_microusd == 2000
    assert v1.average_seconds_to_decision == 60
    assert by_variant[VariantKey("suggest_post", 2, "a")].regenerated == 1
    assert by_kind["suggestion"].decided == 5 and by_kind["post"].pending == 1
    assert by_kind["post"].acceptance_rate is None  # nothing decided is no rate, not 0 %
    assert by_template["suggest_post"] == v1 + by_variant[VariantKey("suggest_post", 2, "a")]
    assert later == {}


def test_counts_add_up() -> None:
    one = OutcomeCounts(approved_as_is=1, rejected=1, cost_microusd=10, seconds_to_decision=4)
    total = one + one
    assert (total.decided, total.accepted, total.cost_microusd) == (4, 2, 20)
    assert total.average_cost_microusd == 5 and total.average_seconds_to_decision == 2
