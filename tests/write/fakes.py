"""A stand-in for the crew: it records what it was asked and finishes runs on command.

The content service only requests a run and reads its latest state (core.content.ports),
so these tests drive every state — pending, each step ticking, done, failed — without a
model; the real crew end to end is in test_write_e2e.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.crew.types import (
    CheckFinding,
    CreatedContent,
    CrewReport,
    CrewReview,
    DesignAdvice,
    Draft,
    Scores,
    StepReport,
)
from domain.crew import ItemKind, ReviewStatus, StepName, StepState

AT = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)
ORDER = (StepName.CREATOR, StepName.BRAND, StepName.COMPLIANCE, StepName.DESIGN,
         StepName.OPTIMIZER)  # fmt: skip


def report(
    text: str = "Live lighter: five swaps for a greener home.",
    *,
    rewrite: str | None = "Live lighter today: five easy swaps for a greener home.",
    overall: int = 81,
    compliance_failed: bool = False,
    image_prompts: tuple[str, ...] = ("a sunlit kitchen with glass jars",),
) -> CrewReport:
    return CrewReport(
        scores=Scores(brand_alignment=84, compliance=90, readability=72, overall_quality=overall),
        agent_feedback=["Brand manager: warm and on voice", "Optimizer: stronger call to action"],
        findings=[CheckFinding(check="disclaimer", message="Add: Terms apply.", blocking=True)]
        if compliance_failed
        else [],
        steps=[StepReport(step=s, state=StepState.DONE, cost_microusd=100) for s in ORDER],
        design=DesignAdvice(image_types=["lifestyle photo"], palette=["#2E7D32"],
                            layout="one hero image", image_prompts=list(image_prompts)),
        rewrite=rewrite,
        compliance_failed=compliance_failed,
        cost_microusd=500,
        created=CreatedContent(title="Sustainable living", text=text, hashtags=["#green"]),
    )  # fmt: skip


@dataclass
class FakeCrew:
    """`off` answers every request with None, as the real crew does when it is switched off;
    `then` finishes ("done") or fails ("failed") each run a moment after it was requested."""

    off: bool = False
    then: str | None = None
    requests: list[Draft] = field(default_factory=list)
    reviews: dict[int, CrewReview] = field(default_factory=dict)

    async def request(self, draft: Draft) -> CrewReview | None:
        if self.off:
            return None
        self.requests.append(draft)
        steps = [StepReport(step=s, state=StepState.WAITING) for s in ORDER]
        self.reviews[draft.item_id] = _review(draft.item_id, ReviewStatus.PENDING, steps)
        if self.then is not None:
            end = self.finish if self.then == "done" else self.fail
            asyncio.get_running_loop().call_later(0.05, end, draft.item_id)
        return self.reviews[draft.item_id]

    async def latest(self, kind: ItemKind, item_id: int) -> CrewReview | None:
        assert kind == ItemKind.CONTENT
        return self.reviews.get(item_id)

    def tick(self, item_id: int, done: int) -> None:
        """The first `done` steps finished, the next one running."""
        states = [StepState.DONE] * done + [StepState.RUNNING] + [StepState.WAITING] * 5
        steps = [StepReport(step=s, state=states[i]) for i, s in enumerate(ORDER)]
        self.reviews[item_id] = _review(item_id, ReviewStatus.RUNNING, steps)

    def finish(self, item_id: int, made: CrewReport | None = None) -> None:
        made = made or report()
        self.reviews[item_id] = _review(item_id, ReviewStatus.DONE, made.steps, made)

    def fail(self, item_id: int, error: str = "The daily LLM budget is spent.") -> None:
        steps = [StepReport(step=s, state=StepState.SKIPPED, reason=error) for s in ORDER]
        self.reviews[item_id] = _review(item_id, ReviewStatus.FAILED, steps, error=error)


def _review(
    item_id: int,
    status: ReviewStatus,
    steps: list[StepReport],
    made: CrewReport | None = None,
    error: str = "",
) -> CrewReview:
    return CrewReview(
        id=item_id, kind=ItemKind.CONTENT, item_id=item_id, content_hash="h", status=status,
        steps=steps, report=made, error=error,
        cost_microusd=made.cost_microusd if made else 0, created_at=AT, updated_at=AT,
    )  # fmt: skip
