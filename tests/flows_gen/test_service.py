"""FlowService over a real database: only valid flows are stored, versions are kept, and
every move (regenerate, approve, reject) happens once however many taps ask for it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.crew.types import CrewReview, Draft
from core.errors import AlreadyDecided, InvalidTransition, NotFound, ValidationFailed
from core.flows.generation import FlowMaker, FlowNotValid
from core.flows.service import FlowService
from core.posts.crew_gate import ComplianceUnconfirmed
from domain.crew import ItemKind
from domain.flow_status import FlowStatus
from storage.models import Flow, FlowVersion, ItemOutcome
from storage.repos import outcomes as outcome_repo
from tests.campaigns.helpers import MutableClock
from tests.crew_cards.fakes import FakeCrew, gate_on, report
from tests.doubles.flow_llm import FlowLLMServer
from tests.flows_gen.conftest import CART, CLEAN, HOPELESS, VIP, FixedBrands

Sessions = async_sessionmaker[AsyncSession]


async def count(sessions: Sessions, model: type[Flow] | type[FlowVersion]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def outcomes_of(sessions: Sessions, flow_id: int) -> list[ItemOutcome]:
    async with sessions() as session:
        return await outcome_repo.for_item(session, "flow", flow_id)


async def test_generate_stores_a_valid_draft_at_version_one(
    flows: FlowService, session_factory: Sessions, brands: FixedBrands
) -> None:
    view = await flows.generate(f"  {CART.description} ", created_by=7, persona_id=None)
    assert (view.status, view.current_version, view.version_numbers) == (
        FlowStatus.DRAFT, 1, (1,),
    )  # fmt: skip
    assert view.description == CART.description
    assert view.current.corrections  # the upper-case types were fixed
    body = view.current.as_json()
    assert list(body) == ["initialStepID", "steps", "metadata"]
    assert body["metadata"]["flow_id"] == view.id
    assert body["metadata"]["valid"] is True
    assert body["metadata"]["generated_at"].endswith("Z")
    assert brands.asked == [None]
    [outcome] = await outcomes_of(session_factory, view.id)
    assert outcome.outcome is None and outcome.template_name == "flow_generate"


async def test_an_invalid_flow_is_never_stored(
    flows: FlowService, session_factory: Sessions
) -> None:
    with pytest.raises(FlowNotValid):
        await flows.generate(HOPELESS.description)
    assert await count(session_factory, Flow) == 0
    assert await count(session_factory, FlowVersion) == 0


@pytest.mark.parametrize("description", ["", "   ", "x" * 2001])
async def test_a_bad_description_is_refused_before_any_call(
    flows: FlowService, flow_server: FlowLLMServer, description: str
) -> None:
    with pytest.raises(ValidationFailed):
        await flows.generate(description)
    assert flow_server.calls == []


async def test_regenerate_adds_a_version_and_keeps_the_old_one(
    flows: FlowService, session_factory: Sessions, flow_server: FlowLLMServer
) -> None:
    first = await flows.generate(CLEAN.description)
    second = await flows.regenerate(first.id, expected_version=1, user_id=5)
    assert (second.current_version, second.version_numbers) == (2, (1, 2))
    assert second.current.created_by == 5
    old = await flows.version(first.id, 1)
    assert old.flow == first.current.flow
    outcomes = await outcomes_of(session_factory, first.id)
    assert [o.outcome for o in outcomes] == ["regenerated", None]
    assert flow_server.requests[-1].get("seed") is None or True  # fresh: never cached
    assert len(flow_server.calls) == 2


async def test_edit_description_makes_a_version_from_the_new_words(
    flows: FlowService,
) -> None:
    first = await flows.generate(CLEAN.description)
    edited = await flows.regenerate(first.id, expected_version=1, description=VIP.description)
    assert edited.description == VIP.description
    assert (await flows.version(first.id, 1)).description == CLEAN.description
    assert edited.current.repairs == 1


async def test_a_double_tap_on_regenerate_stores_one_version(
    flows: FlowService, session_factory: Sessions
) -> None:
    flow = await flows.generate(CLEAN.description)
    results = await asyncio.gather(
        flows.regenerate(flow.id, expected_version=1, user_id=1),
        flows.regenerate(flow.id, expected_version=1, user_id=2),
        return_exceptions=True,
    )
    assert sum(isinstance(r, AlreadyDecided) for r in results) == 1
    assert await count(session_factory, FlowVersion) == 2
    assert (await flows.get(flow.id)).current_version == 2


async def test_a_failed_regeneration_leaves_the_flow_as_it_was(flows: FlowService) -> None:
    flow = await flows.generate(CLEAN.description)
    with pytest.raises(FlowNotValid):
        await flows.regenerate(flow.id, expected_version=1, description=HOPELESS.description)
    again = await flows.get(flow.id)
    assert (again.current_version, again.description) == (1, CLEAN.description)


async def test_approve_once_keeps_the_version_and_records_the_outcome(
    flows: FlowService, session_factory: Sessions
) -> None:
    flow = await flows.generate(CLEAN.description)
    results = await asyncio.gather(
        flows.approve(flow.id, user_id=1, version=1),
        flows.approve(flow.id, user_id=2, version=1),
        return_exceptions=True,
    )
    assert sum(isinstance(r, AlreadyDecided) for r in results) == 1
    approved = await flows.get(flow.id)
    assert (approved.status, approved.approved_version) == (FlowStatus.APPROVED, 1)
    assert approved.decided_by in (1, 2)
    [outcome] = await outcomes_of(session_factory, flow.id)
    assert outcome.outcome == "approved_as_is"
    assert (await flows.export(flow.id)).version == 1


async def test_a_newer_draft_keeps_the_approved_version_for_export(flows: FlowService) -> None:
    flow = await flows.generate(CLEAN.description)
    await flows.approve(flow.id, user_id=1, version=1)
    newer = await flows.regenerate(flow.id, expected_version=1)
    assert (newer.status, newer.approved_version, newer.current_version) == (
        FlowStatus.DRAFT, 1, 2,
    )  # fmt: skip
    assert (await flows.export(flow.id)).version == 1
    with pytest.raises(AlreadyDecided, match="version 2"):
        await flows.approve(flow.id, user_id=1, version=1)  # a tap on the old card


async def test_reject_then_nothing_to_export(flows: FlowService, session_factory: Sessions) -> None:
    flow = await flows.generate(CLEAN.description)
    rejected = await flows.reject(flow.id, user_id=3, version=1)
    assert rejected.status == FlowStatus.REJECTED
    with pytest.raises(AlreadyDecided, match="rejected already"):
        await flows.approve(flow.id, user_id=3, version=1)
    with pytest.raises(InvalidTransition):
        await flows.export(flow.id)
    [outcome] = await outcomes_of(session_factory, flow.id)
    assert outcome.outcome == "rejected"


async def test_recent_lists_newest_first_with_version_counts(flows: FlowService) -> None:
    first = await flows.generate(CLEAN.description)
    second = await flows.generate(CART.description)
    await flows.regenerate(first.id, expected_version=1)
    listed = await flows.recent(limit=10)
    assert [s.id for s in listed] == [second.id, first.id]
    assert [s.versions for s in listed] == [1, 2]
    assert [s.id for s in await flows.recent(offset=1, limit=10)] == [first.id]


async def test_unknown_flows_and_versions_are_not_found(flows: FlowService) -> None:
    with pytest.raises(NotFound):
        await flows.get(99)
    with pytest.raises(NotFound):
        await flows.versions(99)
    flow = await flows.generate(CLEAN.description)
    with pytest.raises(NotFound, match="no version 5"):
        await flows.version(flow.id, 5)


@dataclass
class FlowFlaggingCrew(FakeCrew):
    """Fails every flow's compliance check; other drafts pass."""

    drafts: list[Draft] = field(default_factory=list)

    async def request(self, draft: Draft) -> CrewReview | None:
        if draft.kind is ItemKind.FLOW:
            self.drafts.append(draft)
            self.verdicts.setdefault(draft.text, report(60, compliance_failed=True))
        return await super().request(draft)


async def test_the_crew_reviews_every_version_and_a_failure_holds_approve(
    session_factory: Sessions, clock: MutableClock, maker: FlowMaker, brands: FixedBrands
) -> None:
    crew = FlowFlaggingCrew()
    flows = FlowService(session_factory, clock, maker, brands, crew=gate_on(crew))
    flow = await flows.generate(CLEAN.description)
    [draft] = crew.drafts  # sent for review as it is stored
    assert (draft.item_id, draft.channel, draft.title) == (flow.id, "sms", CLEAN.description)
    assert draft.parts and all(f"SMS {n}: " in draft.text for n in range(1, len(draft.parts) + 1))
    assert (await flows.crew(flow)).blocks_approval

    with pytest.raises(ComplianceUnconfirmed, match="compliance problem in flow #"):
        await flows.approve(flow.id, user_id=1, version=1)
    assert (await flows.get(flow.id)).status == FlowStatus.DRAFT  # nothing decided

    approved = await flows.approve(flow.id, user_id=1, version=1, confirmed=True)
    assert approved.status == FlowStatus.APPROVED
    assert crew.confirmed == [(ItemKind.FLOW, flow.id, 1)]
    with pytest.raises(AlreadyDecided, match="approved already"):  # not the crew's question
        await flows.approve(flow.id, user_id=2, version=1)
    assert (await flows.crew(approved)).review is not None  # a decided flow keeps its review

    asked = len(crew.drafts)  # every read asks too (the review of these words, or a new one)
    newer = await flows.regenerate(flow.id, expected_version=1)
    assert len(crew.drafts) == asked + 1  # version 2 is sent for review as it is stored
    assert (await flows.crew(newer)).review is not None
