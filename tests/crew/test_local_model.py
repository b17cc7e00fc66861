"""The crew on a real local model (Gemma 3 270M on llama.cpp): no fake on the LLM path.

A model this small may answer a step badly; the crew's promise is that the run still ends
in scores (a bad step skipped with its reason), never in a stuck or crashed review.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands.guidelines import BrandGuidelines
from core.crew.service import CrewService
from core.crew.types import Draft
from core.llm.gateway import LLMGateway
from core.metrics import Metrics
from core.prompting import PromptRegistry
from domain.crew import ItemKind, ReviewStatus, StepState
from storage.models import LLMCall
from tests.crew.fakes import FixedBrands, MovableClock
from tests.e2e.local_model import ALIAS, llama_cpp_server, local_llm

pytestmark = pytest.mark.local_llm

BRAND = BrandGuidelines(
    brand_name="Cozy Knits",
    voice="Warm, plain, never pushy",
    prohibited_words=["cheap"],
    required_disclaimers=["Prices include VAT."],
    hashtag_min=1,
)
DRAFT = Draft(
    kind=ItemKind.POST,
    item_id=1,
    title="Merino is back",
    text="Our merino socks are back in stock. Prices include VAT. Come by this week!",
    hashtags=["#merino", "#socks"],
)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with llama_cpp_server(tmp_path_factory.mktemp("llama")) as url:
        yield url


@pytest.mark.timeout(1200)
async def test_the_crew_on_gemma_ends_in_scores(
    llama_server: str,
    session_factory: async_sessionmaker[AsyncSession],
    prompts: PromptRegistry,
) -> None:
    gateway = LLMGateway(local_llm(llama_server), session_factory, Metrics(), MovableClock())
    await prompts.sync(session_factory)
    crew = CrewService(
        session_factory, MovableClock(), prompts, gateway, FixedBrands(BRAND),
        enabled=True, step_timeout_s=240,
    )  # fmt: skip
    requested = await crew.request(DRAFT)
    assert requested is not None
    await crew.run_pending()
    review = await crew.get(requested.id)
    assert review is not None and review.status is ReviewStatus.DONE, review
    report = review.report
    assert report is not None
    for value in report.scores.model_dump().values():
        assert 0 <= value <= 100
    for step in report.steps:
        assert step.state in (StepState.DONE, StepState.SKIPPED)
        assert step.state is StepState.DONE or step.reason  # a skip always says why
    async with session_factory() as session:
        calls = list((await session.scalars(select(LLMCall))).all())
    assert calls and all(call.model == f"openai/{ALIAS}" for call in calls)
    assert {str(call.template_name) for call in calls} <= {
        "crew_brand", "crew_compliance", "crew_design", "crew_optimizer",
    }  # fmt: skip
    assert any(call.outcome in ("ok", "invalid") for call in calls)  # the model answered
