"""The crew's run: who runs when, what a failing or slow step does, what is reported."""

from __future__ import annotations

import asyncio

import pytest

from core.brands.guidelines import BrandGuidelines
from core.crew.orchestrator import CreatorFailed, CrewOrchestrator, plan
from core.crew.types import Brief, Draft, StepReport
from core.errors import BudgetExceeded, LLMError
from core.prompting import PromptRegistry
from domain.crew import ContentType, ItemKind, StepName, StepState
from tests.crew.fakes import RoutedLLM
from tests.pipeline.support import wait_until

S = StepName
BRAND = BrandGuidelines(brand_name="Cozy Knits", voice="Warm", prohibited_words=["cheap"])
DRAFT = Draft(
    kind=ItemKind.POST,
    item_id=12,
    title="Merino is back",
    text="Our merino socks are back in stock. Come by this week and try them on!",
    hashtags=["#merino", "#socks"],
)
REVIEWERS = {S.BRAND, S.COMPLIANCE, S.DESIGN}


def crew(prompts: PromptRegistry, llm: RoutedLLM, timeout_s: float = 5.0) -> CrewOrchestrator:
    return CrewOrchestrator(prompts, llm, step_timeout_s=timeout_s)


def states(steps: list[StepReport]) -> dict[StepName, StepState]:
    return {report.step: report.state for report in steps}


async def test_a_draft_gets_four_steps_and_a_full_report(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    report = await crew(prompts, routed).run(DRAFT, BRAND)
    assert [r.step for r in report.steps] == [S.BRAND, S.COMPLIANCE, S.DESIGN, S.OPTIMIZER]
    assert all(r.state is StepState.DONE and r.llm_call_id == 7 for r in report.steps)
    assert report.scores.brand_alignment == 84 and report.scores.compliance == 95
    assert 0 < report.scores.readability <= 100
    assert report.agent_feedback == [
        "Brand manager: Name the wool's origin.",
        "Design advisor: Show the socks being worn.",
        "Optimizer: Named the wool's origin.",
    ]
    assert report.design is not None and report.design.palette == ["#7A4E2D", "#F2E8DC"]
    assert report.rewrite and report.rewrite.startswith("Our Berlin merino socks")
    assert not report.compliance_failed and report.findings == []
    assert report.cost_microusd == 4 * 200  # 0.0002 USD per step
    assert report.created is None


async def test_brand_compliance_and_design_run_at_once(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    """Each reviewer waits until all three have started: run one by one, this never ends."""
    all_started = asyncio.Event()
    for step in REVIEWERS:
        routed.gates[step] = all_started

    async def all_three_started() -> bool:
        return set(routed.started) >= REVIEWERS

    async def release_when_all_started() -> None:
        await wait_until(all_three_started, within=5)
        assert S.OPTIMIZER not in routed.started
        all_started.set()

    async with asyncio.timeout(5):
        _, report = await asyncio.gather(
            release_when_all_started(), crew(prompts, routed).run(DRAFT, BRAND)
        )
    assert routed.started[-1] is S.OPTIMIZER
    assert all(r.state is StepState.DONE for r in report.steps)


async def test_the_optimizer_gets_every_reviewers_feedback_and_the_findings(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    cheap = DRAFT.model_copy(update={"text": "Cheap socks, come by!"})
    await crew(prompts, routed).run(cheap, BRAND)
    user = routed.request_for(S.OPTIMIZER).messages[1].content
    assert "Brand manager:\n- Name the wool's origin." in user
    assert "Compliance officer:\n- (nothing to change)" in user
    assert "Design advisor:\n- Show the socks being worn." in user
    assert "- Uses the prohibited word “cheap”: remove or replace it." in user
    compliance = routed.request_for(S.COMPLIANCE).messages[1].content
    assert "The automatic checks already found these" in compliance


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (LLMError("The model's answer did not match the expected format after 3 tries: x"),
         "The model's answer did not match the expected format after 3 tries: x"),
        (BudgetExceeded("Today's AI budget is used up."), "Today's AI budget is used up."),
        (RuntimeError("boom"), "unexpected error (RuntimeError)"),
    ],
)  # fmt: skip
async def test_a_failing_step_is_skipped_with_its_reason_and_the_crew_carries_on(
    prompts: PromptRegistry, routed: RoutedLLM, error: Exception, reason: str
) -> None:
    routed.answers[S.DESIGN] = error
    report = await crew(prompts, routed).run(DRAFT, BRAND)
    design = next(r for r in report.steps if r.step is S.DESIGN)
    assert (design.state, design.reason, design.cost_microusd) == (StepState.SKIPPED, reason, 0)
    assert report.design is None
    assert f"Design advisor: skipped ({reason})" in report.agent_feedback
    assert states(report.steps)[S.OPTIMIZER] is StepState.DONE
    user = routed.request_for(S.OPTIMIZER).messages[1].content
    assert "Design advisor" not in user  # a skipped reviewer has nothing to pass on


async def test_a_slow_step_times_out_as_skipped(prompts: PromptRegistry, routed: RoutedLLM) -> None:
    routed.gates[S.COMPLIANCE] = asyncio.Event()  # never set: the model never answers
    report = await crew(prompts, routed, timeout_s=0.2).run(DRAFT, BRAND)
    compliance = next(r for r in report.steps if r.step is S.COMPLIANCE)
    assert (compliance.state, compliance.reason) == (StepState.SKIPPED, "took longer than 0.2 s")
    assert report.scores.compliance == 100  # only the checks judged it, and they passed
    assert "Compliance officer: skipped (took longer than 0.2 s)" in report.agent_feedback


async def test_every_step_failing_still_ends_in_scores_from_the_checks(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    for step in (S.BRAND, S.COMPLIANCE, S.DESIGN, S.OPTIMIZER):
        routed.answers[step] = LLMError("down")
    cheap = DRAFT.model_copy(update={"text": "Cheap socks, come by!"})
    report = await crew(prompts, routed).run(cheap, BRAND)
    assert {r.state for r in report.steps} == {StepState.SKIPPED}
    assert report.compliance_failed and report.scores.compliance == 49
    assert report.rewrite is None and report.cost_microusd == 0


async def test_progress_is_told_as_each_step_starts_and_ends(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    seen: list[dict[StepName, StepState]] = []

    async def listen(steps: list[StepReport]) -> None:
        seen.append(states(steps))

    await crew(prompts, routed).run(DRAFT, BRAND, listen)
    # The three reviewers start in one write; each step's end is one more.
    assert len(seen) == 6
    assert {step for step, state in seen[0].items() if state is StepState.RUNNING} == REVIEWERS
    for step in (S.BRAND, S.COMPLIANCE, S.DESIGN, S.OPTIMIZER):
        told = [snapshot[step] for snapshot in seen]
        running, done = told.index(StepState.RUNNING), told.index(StepState.DONE)
        assert running < done and told[done:] == [StepState.DONE] * (len(told) - done)
    optimizer_started = [snapshot[S.OPTIMIZER] for snapshot in seen].index(StepState.RUNNING)
    assert all(seen[optimizer_started][step] is StepState.DONE for step in REVIEWERS)
    assert set(seen[-1].values()) == {StepState.DONE}


async def test_a_failing_progress_listener_never_stops_the_crew(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    async def broken(steps: list[StepReport]) -> None:
        raise RuntimeError("the database is gone")

    report = await crew(prompts, routed).run(DRAFT, BRAND, broken)
    assert {r.state for r in report.steps} == {StepState.DONE}


async def test_emails_get_no_design_step(prompts: PromptRegistry, routed: RoutedLLM) -> None:
    email = DRAFT.model_copy(update={"kind": ItemKind.REPLY, "channel": "email"})
    assert plan(email) == [S.BRAND, S.COMPLIANCE, S.OPTIMIZER]
    report = await crew(prompts, routed).run(email, BRAND)
    assert S.DESIGN not in routed.started and report.design is None


def test_text_messages_get_no_design_step() -> None:
    flow = DRAFT.model_copy(update={"kind": ItemKind.FLOW, "channel": "sms", "hashtags": []})
    assert plan(flow) == [S.BRAND, S.COMPLIANCE, S.OPTIMIZER]


async def test_a_brief_is_written_by_the_creator_then_reviewed(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    brief = Brief(campaign_brief="Merino socks are back", content_type=ContentType.SOCIAL_MEDIA)
    item = Draft(kind=ItemKind.CONTENT, item_id=3, brief=brief)
    report = await crew(prompts, routed).run(item, None)
    assert [r.step for r in report.steps] == [S.CREATOR, S.BRAND, S.COMPLIANCE, S.DESIGN,
                                              S.OPTIMIZER]  # fmt: skip
    assert routed.started[0] is S.CREATOR
    assert report.created is not None and report.created.title == "Merino socks are back"
    reviewed = routed.request_for(S.BRAND).messages[1].content
    assert "Our merino socks are back in stock." in reviewed
    assert "No brand guidelines were given" in routed.request_for(S.BRAND).messages[0].content


async def test_a_creator_that_writes_nothing_fails_the_run(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    routed.answers[S.CREATOR] = LLMError("The model is not reachable.")
    item = Draft(kind=ItemKind.CONTENT, item_id=3, brief=Brief(campaign_brief="Socks"))
    with pytest.raises(CreatorFailed) as failed:
        await crew(prompts, routed).run(item, BRAND)
    assert str(failed.value) == (
        "The creator could not write from this brief: The model is not reachable."
    )
    assert states(failed.value.steps)[S.CREATOR] is StepState.SKIPPED
    assert routed.started == [S.CREATOR]


async def test_a_rewrite_that_changes_nothing_is_not_offered(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    answer = dict(routed.answers[S.OPTIMIZER])  # type: ignore[arg-type]
    routed.answers[S.OPTIMIZER] = {**answer, "rewrite": f"  {DRAFT.text} "}
    report = await crew(prompts, routed).run(DRAFT, BRAND)
    assert report.rewrite is None


async def test_every_step_pins_its_variant_to_the_item(
    prompts: PromptRegistry, routed: RoutedLLM
) -> None:
    await crew(prompts, routed).run(DRAFT, BRAND)
    names = sorted(r.prompt.name for r in routed.requests if r.prompt)
    assert names == ["crew_brand", "crew_compliance", "crew_design", "crew_optimizer"]
