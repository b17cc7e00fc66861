"""A piece of content as callers see it, and its REST shape (the design's Campaign Response).

    {campaign_id, status: completed|processing|failed, content,
     validations: {brand_alignment, compliance, readability, overall_quality},
     agent_feedback: [...], timestamp: ISO8601}

Our fields come on top and never replace the design's: the brief as asked, the brand,
the deterministic findings, the design advice, each step's state, the crew's cost, the
post made from it, and `error` when it failed. While `processing`, `content` is "" and
`validations` is null: there are no scores yet, and zeros would read as a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.crew.types import Brief, CrewReport, StepReport
from domain.content import ContentStatus


@dataclass(frozen=True)
class ContentView:
    id: int
    public_id: str
    status: ContentStatus
    brief: Brief
    brand_id: int | None
    brand_name: str | None
    title: str
    content: str
    hashtags: tuple[str, ...]
    report: CrewReport | None
    # The crew's steps so far (the live progress while processing; all of them after).
    steps: tuple[StepReport, ...]
    error: str
    cost_microusd: int
    post_id: int | None
    # The piece asked for instead by 🔁 Try again (a failed piece only).
    retry_id: int | None
    created_at: datetime
    completed_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status != ContentStatus.PROCESSING

    @property
    def timestamp(self) -> datetime:
        """When it was finished, or asked for while it is still being written."""
        return self.completed_at or self.created_at

    def as_json(self) -> dict[str, Any]:
        report = self.report
        return {
            "campaign_id": self.public_id,
            "status": self.status.value,
            "content": self.content,
            "validations": report.scores.model_dump() if report is not None else None,
            "agent_feedback": list(report.agent_feedback) if report is not None else [],
            "timestamp": _iso(self.timestamp),
            **self._extras(),
        }

    def _extras(self) -> dict[str, Any]:
        report = self.report
        design = report.design if report is not None else None
        return {
            "title": self.title,
            "hashtags": list(self.hashtags),
            "campaign_brief": self.brief.campaign_brief,
            "target_audience": self.brief.target_audience,
            "content_type": self.brief.content_type.value,
            "brand_id": str(self.brand_id) if self.brand_id is not None else None,
            "brand_name": self.brand_name,
            "findings": [f.model_dump() for f in report.findings] if report is not None else [],
            "compliance_failed": report.compliance_failed if report is not None else False,
            "design": design.model_dump() if design is not None else None,
            "steps": [_step_json(step) for step in self.steps],
            "cost_usd": round(self.cost_microusd / 1_000_000, 6),
            "error": self.error or None,
            "post_id": self.post_id,
            "created_at": _iso(self.created_at),
        }


def _step_json(step: StepReport) -> dict[str, Any]:
    return {"step": step.step.value, "state": step.state.value, "reason": step.reason or None}


def _iso(at: datetime) -> str:
    """ISO 8601 in UTC with a "Z", as JavaScript's toISOString() writes it."""
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")
