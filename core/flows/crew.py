"""An SMS flow version as the review crew reads it: its texts, each a message of its own.

The crew judges the flow's words as a whole (brand voice, compliance, readability, links,
prohibited words, required disclaimers anywhere in the flow) and each text against the
brand's SMS length, since every message is sent and paid for on its own. Its optimizer
rewrites a single text, which no flow step could take, so a flow's card offers no ✨.
"""

from __future__ import annotations

from typing import Any

from core.crew.types import CrewReview, Draft
from core.flows.views import FlowVersionView
from core.memory.record import sms_items
from domain.crew import ItemKind

MAX_TITLE = 1000  # Draft.title's limit: the description is the flow's "title"


def review_json(review: CrewReview | None) -> dict[str, Any] | None:
    """GET /api/v1/flows/{id}'s `review`: the crew's verdict on the current version (None:
    the crew is off). While it runs only `status` and the steps' states are set."""
    if review is None:
        return None
    report = review.report
    return {
        "status": review.status.value,
        "steps": {step.step.value: step.state.value for step in review.steps},
        "scores": report.scores.model_dump() if report else None,
        "compliance_failed": bool(report and report.compliance_failed),
        "compliance_confirmed": review.compliance_confirmed_by is not None,
        "findings": [f.model_dump() for f in report.findings] if report else [],
        "agent_feedback": list(report.agent_feedback) if report else [],
        "error": review.error or None,
    }


def flow_draft(version: FlowVersionView, persona_id: int | None) -> Draft | None:
    """None for a flow with no text to read (every step a delay, a split, …)."""
    items = sms_items(version.flow_id, version.version, persona_id, version.flow)
    texts = [item.text for item in items]
    if not texts:
        return None
    numbered = "\n\n".join(f"SMS {n}: {text}" for n, text in enumerate(texts, start=1))
    return Draft(
        kind=ItemKind.FLOW,
        item_id=version.flow_id,
        text=numbered,
        title=version.description[:MAX_TITLE],
        channel="sms",
        persona_id=persona_id,
        parts=texts,
    )
