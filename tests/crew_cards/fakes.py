"""A crew that answers at once, for the item services' own tests (the engine has its own)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.brands.guidelines import BrandGuidelines
from core.crew.types import CheckFinding, CrewReport, CrewReview, Draft, Scores, StepReport
from core.posts.crew_gate import CrewGate
from domain.crew import ItemKind, ReviewStatus, StepName, StepState

AT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
STEPS = (StepName.BRAND, StepName.COMPLIANCE, StepName.DESIGN, StepName.OPTIMIZER)


def report(
    overall: int = 85, *, rewrite: str | None = None, compliance_failed: bool = False
) -> CrewReport:
    findings = [
        CheckFinding(check="prohibited_word", message='"cheap" is not our word', blocking=True)
    ] if compliance_failed else []  # fmt: skip
    return CrewReport(
        scores=Scores(brand_alignment=80, compliance=30 if compliance_failed else 90,
                      readability=70, overall_quality=overall),
        agent_feedback=["Brand manager: warmer, please"],
        findings=findings,
        steps=[StepReport(step=step, state=StepState.DONE) for step in STEPS],
        rewrite=rewrite,
        compliance_failed=compliance_failed,
        cost_microusd=1200,
    )  # fmt: skip


@dataclass
class FakeCrew:
    """`verdicts[text]` is the report the words `text` get; other words get a good one."""

    verdicts: dict[str, CrewReport] = field(default_factory=dict)
    off: bool = False
    rows: list[CrewReview] = field(default_factory=list)
    confirmed: list[tuple[ItemKind, int, int]] = field(default_factory=list)

    async def request(self, draft: Draft) -> CrewReview | None:
        if self.off:
            return None
        digest = hashlib.sha256(draft.text.encode()).hexdigest()
        for row in self.rows:
            if (row.kind, row.item_id, row.content_hash) == (draft.kind, draft.item_id, digest):
                return row
        verdict = self.verdicts.get(draft.text, report())
        row = CrewReview(
            id=len(self.rows) + 1, kind=draft.kind, item_id=draft.item_id, content_hash=digest,
            status=ReviewStatus.DONE, steps=list(verdict.steps), report=verdict,
            cost_microusd=verdict.cost_microusd, created_at=AT, updated_at=AT,
        )  # fmt: skip
        self.rows.append(row)
        return row

    async def latest(self, kind: ItemKind, item_id: int) -> CrewReview | None:
        mine = [row for row in self.rows if (row.kind, row.item_id) == (kind, item_id)]
        return mine[-1] if mine else None

    async def confirm_review(self, review_id: int, admin_id: int) -> bool:
        """Like the real one: only an unconfirmed compliance failure, first tap wins."""
        row = next((row for row in self.rows if row.id == review_id), None)
        if row is None or not row.blocks_approval:
            return False
        self.rows[self.rows.index(row)] = row.model_copy(
            update={"compliance_confirmed_by": admin_id, "compliance_confirmed_at": AT}
        )
        self.confirmed.append((row.kind, row.item_id, admin_id))
        return True


@dataclass
class FakeBrands:
    threshold: int = 70

    async def for_persona(self, persona_id: int | None) -> BrandGuidelines | None:
        return BrandGuidelines(brand_name="Acme", quality_threshold=self.threshold)


def flagging_crew(*, flagged: str, dull: str, rewrite: str) -> FakeCrew:
    """The crew the gate tests face: `flagged` fails compliance, `dull` scores 40 (under
    a bar of 70) with `rewrite` offered; any other words pass."""
    return FakeCrew(
        verdicts={
            flagged: report(60, compliance_failed=True),
            dull: report(40, rewrite=rewrite),
        }
    )


def gate_on(crew: FakeCrew, threshold: int = 70) -> CrewGate:
    """A CrewGate on `crew` and a brand with this bar, connected as bot/services.py does."""
    gate = CrewGate()
    gate.connect(crew, FakeBrands(threshold=threshold))
    return gate
