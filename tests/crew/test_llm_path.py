"""Each step's structured output through the real gateway and litellm, against an
OpenAI-compatible server answering per crew member; bad answers and errors skip a step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import LLMSettings
from core.crew.service import CrewService
from core.crew.types import Brief, Draft
from core.llm.gateway import LLMGateway
from core.metrics import Metrics
from core.prompting import PromptRegistry
from domain.crew import ItemKind, ReviewStatus, StepName, StepState
from storage.models import LLMCall
from tests.crew.fakes import FixedBrands, MovableClock
from tests.doubles.crew_llm import CrewLLMServer

S = StepName
POST = Draft(
    kind=ItemKind.POST,
    item_id=3,
    text="Our merino socks are back in stock. Come by this week and try them on!",
    hashtags=["#merino", "#socks"],
)


@pytest.fixture
def gateway(
    crew_server: CrewLLMServer, session_factory: async_sessionmaker[AsyncSession]
) -> LLMGateway:
    settings = LLMSettings(
        _env_file=None,
        model="openai/test-model",
        api_base=crew_server.url,
        api_key=SecretStr("sk-test"),
        timeout_s=5.0,
        daily_budget_usd=Decimal("10"),
        price_input_per_mtok=Decimal("1"),
        price_output_per_mtok=Decimal("2"),
        max_retries=0,
        cache_ttl_s=0,
    )
    return LLMGateway(settings, session_factory, Metrics(), MovableClock())


@pytest.fixture
async def crew(
    session_factory: async_sessionmaker[AsyncSession],
    prompts: PromptRegistry,
    gateway: LLMGateway,
) -> CrewService:
    await prompts.sync(session_factory)
    return CrewService(
        session_factory, MovableClock(), prompts, gateway, FixedBrands(),
        enabled=True, step_timeout_s=5.0,
    )  # fmt: skip


async def calls(sessions: async_sessionmaker[AsyncSession]) -> list[LLMCall]:
    async with sessions() as session:
        return list((await session.scalars(select(LLMCall).order_by(LLMCall.id))).all())


async def test_every_step_answers_through_litellm_and_is_logged_with_its_template(
    crew: CrewService,
    crew_server: CrewLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    item = Draft(kind=ItemKind.CONTENT, item_id=1, brief=Brief(campaign_brief="Socks are back"))
    requested = await crew.request(item)
    assert requested is not None
    await crew.run_pending()
    review = await crew.get(requested.id)
    assert review is not None and review.status is ReviewStatus.DONE
    report = review.report
    assert report is not None
    assert report.created is not None and report.created.hashtags[0] == "#merino"
    assert (report.scores.brand_alignment, report.scores.compliance) == (84, 95)
    assert report.design is not None and report.design.palette == ["#7A4E2D", "#F2E8DC"]
    assert report.rewrite is not None and "Berlin merino" in report.rewrite
    logged = await calls(session_factory)
    assert sorted(str(call.template_name) for call in logged) == [
        "crew_brand", "crew_compliance", "crew_creator", "crew_design", "crew_optimizer",
    ]  # fmt: skip
    assert all(call.outcome == "ok" and (call.template_version or 0) > 0 for call in logged)
    assert {step.llm_call_id for step in report.steps} == {call.id for call in logged}
    # 100 input tokens at $1/M and 50 output at $2/M: 200 micro-USD a step.
    assert report.cost_microusd == review.cost_microusd == 5 * 200
    assert set(crew_server.steps_called()) == set(StepName)


async def test_an_answer_out_of_range_is_reasked_then_the_step_is_skipped(
    crew: CrewService,
    crew_server: CrewLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    crew_server.answers[S.BRAND] = {"brand_alignment": 150, "feedback": []}
    await crew.request(POST)
    await crew.run_pending()
    review = await crew.latest(ItemKind.POST, 3)
    assert review is not None and review.report is not None
    brand = next(step for step in review.report.steps if step.step is S.BRAND)
    assert brand.state is StepState.SKIPPED
    assert brand.reason.startswith("The model's answer did not match the expected format")
    invalid = [c for c in await calls(session_factory) if c.template_name == "crew_brand"]
    assert [c.outcome for c in invalid] == ["invalid", "invalid", "invalid"]
    assert review.report.scores.brand_alignment == 100  # no model score: checks only


async def test_a_server_error_skips_the_step_and_the_rest_still_scores(
    crew: CrewService, crew_server: CrewLLMServer
) -> None:
    crew_server.answers[S.DESIGN] = 500
    issue = "Unbacked claim: 'back in stock'."
    crew_server.answers[S.COMPLIANCE] = {"verdict": "fail", "compliance": 30, "issues": [issue]}
    await crew.request(POST)
    await crew.run_pending()
    review = await crew.latest(ItemKind.POST, 3)
    assert review is not None and review.report is not None
    states = {step.step: step.state for step in review.report.steps}
    assert states == {S.BRAND: StepState.DONE, S.COMPLIANCE: StepState.DONE,
                      S.DESIGN: StepState.SKIPPED, S.OPTIMIZER: StepState.DONE}  # fmt: skip
    assert review.report.compliance_failed and review.blocks_approval
    assert f"Compliance officer: {issue}" in review.report.agent_feedback
