"""The crew's run on one draft: creator → brand, compliance and design at once → optimizer.

The creator runs only for a brief (/write); every other draft was written by its own
feature's call. Design is left out for email and SMS (no picture goes with one). The checks run
first, so compliance and the optimizer see their findings. Progress is told after every
change of a step's state; a failing listener is logged and never stops the crew.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from core.brands.guidelines import BrandGuidelines
from core.crew.checks import CheckResult, run_checks
from core.crew.schemas import (
    BrandAnswer,
    ComplianceAnswer,
    CreatorAnswer,
    DesignAnswer,
    OptimizerAnswer,
)
from core.crew.scoring import Answers, combine, compliance_failed
from core.crew.steps import StepOutcome, StepRunner
from core.crew.types import CreatedContent, CrewReport, DesignAdvice, Draft, StepReport
from core.errors import CopilotError
from core.suggestions.ports import PromptRenderer, StructuredLLM
from domain.crew import STEP_LABELS, ContentType, StepName, StepState
from domain.formats import published_length

log = logging.getLogger(__name__)

Progress = Callable[[list[StepReport]], Awaitable[None]]

CONTENT_TYPE_WORDS: dict[ContentType, str] = {
    ContentType.BLOG_POST: "a blog post",
    ContentType.SOCIAL_MEDIA: "a social media post",
    ContentType.EMAIL: "an email",
    ContentType.AD_COPY: "ad copy",
}
# They review the draft at once, after the creator and before the optimizer.
REVIEWERS = frozenset({StepName.BRAND, StepName.COMPLIANCE, StepName.DESIGN})
# Checks run against these when the business has set no brand: the defaults of every field.
NO_BRAND = BrandGuidelines(brand_name="(no brand set)")


class CreatorFailed(CopilotError):
    """The creator wrote nothing from the brief, so there is nothing to review."""

    def __init__(self, message: str, steps: list[StepReport]) -> None:
        super().__init__(message)
        self.steps = steps  # as they stood: the creator skipped, the others waiting


def plan(draft: Draft) -> list[StepName]:
    """The steps this draft gets, in order."""
    steps = [StepName.CREATOR] if draft.brief is not None else []
    steps += [StepName.BRAND, StepName.COMPLIANCE]
    if draft.channel not in ("email", "sms"):
        steps.append(StepName.DESIGN)
    return [*steps, StepName.OPTIMIZER]


def waiting(draft: Draft) -> list[StepReport]:
    """Every planned step, none started: what a new review shows."""
    return [StepReport(step=step, state=StepState.WAITING) for step in plan(draft)]


class CrewOrchestrator:
    def __init__(self, prompts: PromptRenderer, llm: StructuredLLM, *, step_timeout_s: float):
        self._steps = StepRunner(prompts, llm, timeout_s=step_timeout_s)

    async def run(
        self, draft: Draft, brand: BrandGuidelines | None, on_progress: Progress | None = None
    ) -> CrewReport:
        """The report; raises CreatorFailed only when a brief produced no draft at all."""
        run = _Run(draft, brand, self._steps, _Tracker(draft, on_progress))
        return await run.execute()


class _Tracker:
    """The steps' states as they change, told to the listener one change at a time."""

    def __init__(self, draft: Draft, listener: Progress | None) -> None:
        self._reports = {report.step: report for report in waiting(draft)}
        self._listener = listener
        self._lock = asyncio.Lock()  # three steps finish at once; each write lands in order

    @property
    def reports(self) -> list[StepReport]:
        return list(self._reports.values())

    async def start(self, *steps: StepName) -> None:
        """Steps starting together are told together: one progress write, not three."""
        await self.set(*(StepReport(step=step, state=StepState.RUNNING) for step in steps))

    async def set(self, *reports: StepReport) -> None:
        async with self._lock:
            for report in reports:
                self._reports[report.step] = report
            if self._listener is None:
                return
            try:
                await self._listener(self.reports)
            except Exception:
                log.exception("crew progress listener failed")


class _Run:
    """One run's state: the draft under review (the creator's, for a brief) and answers."""

    def __init__(
        self, draft: Draft, brand: BrandGuidelines | None, steps: StepRunner, tracker: _Tracker
    ) -> None:
        self.draft = draft
        self.brand = brand
        self.rules = brand or NO_BRAND
        self.steps = steps
        self.tracker = tracker
        self.key = f"{draft.kind.value}:{draft.item_id}"  # pins each template's A/B arm
        self.created: CreatedContent | None = None

    async def execute(self) -> CrewReport:
        if self.draft.brief is not None:
            await self._create()
        checks = await run_checks(self.draft, self.rules)
        reviewers = [step for step in plan(self.draft) if step in REVIEWERS]
        await self.tracker.start(*reviewers)
        brand, compliance, design = await asyncio.gather(
            self._brand(), self._compliance(checks), self._design()
        )
        feedback = [outcome.report for outcome in (brand, compliance, design) if outcome]
        optimizer = await self._optimize(feedback, checks)
        answers = Answers(brand.answer, compliance.answer, optimizer.answer)
        return self._report(checks, answers, design)

    # -- the steps -----------------------------------------------------------------------

    async def _create(self) -> None:
        brief = self.draft.brief
        assert brief is not None
        variables = {
            "brief": brief.model_dump(mode="json"),
            "content_type_label": CONTENT_TYPE_WORDS[brief.content_type],
            "brand": self._brand_vars(),
            "max_length": self.rules.limit_for(self.draft.channel),
        }
        await self.tracker.start(StepName.CREATOR)
        outcome = await self._ask(StepName.CREATOR, variables, CreatorAnswer)
        await self.tracker.set(outcome.report)
        if outcome.answer is None:
            message = f"The creator could not write from this brief: {outcome.report.reason}"
            raise CreatorFailed(message, self.tracker.reports)
        answer = outcome.answer
        self.created = CreatedContent(
            title=answer.title, text=answer.text, hashtags=answer.hashtags
        )
        self.draft = self.draft.model_copy(
            update={"title": answer.title, "text": answer.text, "hashtags": answer.hashtags}
        )

    async def _brand(self) -> StepOutcome[BrandAnswer]:
        variables = {"draft": self._draft_vars(), "brand": self._brand_vars()}
        outcome = await self._ask(StepName.BRAND, variables, BrandAnswer)
        lines = outcome.answer.feedback if outcome.answer else []
        return await self._finish(outcome, lines)

    async def _compliance(self, checks: CheckResult) -> StepOutcome[ComplianceAnswer]:
        variables = {
            "draft": self._draft_vars(),
            "brand": self._brand_vars(),
            "findings": [finding.message for finding in checks.blocking],
        }
        outcome = await self._ask(StepName.COMPLIANCE, variables, ComplianceAnswer)
        lines = outcome.answer.issues if outcome.answer else []
        return await self._finish(outcome, lines)

    async def _design(self) -> StepOutcome[DesignAnswer] | None:
        if StepName.DESIGN not in plan(self.draft):
            return None
        variables = {"draft": self._draft_vars(), "brand": self._brand_vars()}
        outcome = await self._ask(StepName.DESIGN, variables, DesignAnswer)
        lines = outcome.answer.feedback if outcome.answer else []
        return await self._finish(outcome, lines)

    async def _optimize(
        self, reviews: list[StepReport], checks: CheckResult
    ) -> StepOutcome[OptimizerAnswer]:
        hashtags = published_length("", self.draft.hashtags)
        variables = {
            "draft": self._draft_vars(),
            "brand": self._brand_vars(),
            "feedback": [
                {"step": STEP_LABELS[report.step], "lines": report.feedback}
                for report in reviews
                if report.state is StepState.DONE
            ],
            "findings": [finding.message for finding in checks.findings],
            "max_length": max(1, self.rules.limit_for(self.draft.channel) - hashtags - 2),
        }
        await self.tracker.start(StepName.OPTIMIZER)
        outcome = await self._ask(StepName.OPTIMIZER, variables, OptimizerAnswer)
        lines = outcome.answer.changes if outcome.answer else []
        return await self._finish(outcome, lines)

    async def _ask(
        self, step: StepName, variables: dict[str, Any], schema: type[Any]
    ) -> StepOutcome[Any]:
        return await self.steps.ask(step, variables, schema, variant_key=self.key)

    async def _finish(self, outcome: StepOutcome[Any], lines: list[str]) -> StepOutcome[Any]:
        report = outcome.report.model_copy(update={"feedback": list(lines)})
        await self.tracker.set(report)
        return StepOutcome(report, outcome.answer)

    # -- the report ----------------------------------------------------------------------

    def _report(
        self,
        checks: CheckResult,
        answers: Answers,
        design: StepOutcome[DesignAnswer] | None,
    ) -> CrewReport:
        steps = self.tracker.reports
        rewrite = answers.optimizer.rewrite if answers.optimizer else None
        return CrewReport(
            scores=combine(checks, answers),
            agent_feedback=_feedback_lines(steps),
            findings=checks.findings,
            steps=steps,
            design=_advice(design.answer) if design and design.answer else None,
            rewrite=rewrite if rewrite and rewrite.strip() != self.draft.text.strip() else None,
            compliance_failed=compliance_failed(checks, answers.compliance),
            cost_microusd=sum(report.cost_microusd for report in steps),
            created=self.created,
        )

    def _draft_vars(self) -> dict[str, object]:
        draft = self.draft
        return {
            "title": draft.title,
            "text": draft.text,
            "hashtags": draft.hashtags,
            "channel": draft.channel,
            "image_prompt": draft.image_prompt,
        }

    def _brand_vars(self) -> dict[str, object] | None:
        return self.brand.model_dump(mode="json") if self.brand is not None else None


def _feedback_lines(steps: list[StepReport]) -> list[str]:
    """The design's `agent_feedback`: each line says which crew member wrote it."""
    lines: list[str] = []
    for report in steps:
        label = STEP_LABELS[report.step]
        if report.state is StepState.SKIPPED:
            lines.append(skipped_feedback(report))
        lines += [f"{label}: {line}" for line in report.feedback]
    return lines


def skipped_feedback(report: StepReport) -> str:
    """The `agent_feedback` line that says a step was skipped, and why."""
    return f"{STEP_LABELS[report.step]}: skipped ({report.reason})"


def _advice(answer: DesignAnswer) -> DesignAdvice:
    return DesignAdvice(
        image_types=answer.image_types,
        palette=answer.palette,
        layout=answer.layout,
        image_prompts=answer.image_prompts,
    )
