"""What a finished crew run leaves on the content row.

The final text is the optimizer's rewrite when it made one (it had every reviewer's
feedback), else the creator's draft. A run that ended without any text — the creator
failed, the budget ran out — is `failed` with the crew's reason, never `completed` with
an empty body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.crew.types import CrewReview
from domain.content import ContentStatus
from domain.crew import ReviewStatus

NO_TEXT = "The crew's writer could not write it"


def settled_values(review: CrewReview, now: datetime) -> tuple[ContentStatus, dict[str, Any]]:
    report = review.report
    done = {"completed_at": now, "updated_at": now, "cost_microusd": review.cost_microusd}
    if review.status != ReviewStatus.DONE or report is None:
        return ContentStatus.FAILED, {**done, "error": review.error or NO_TEXT + "."}
    created = report.created
    text = (report.rewrite or "").strip() or (created.text.strip() if created else "")
    if not text:
        return ContentStatus.FAILED, {
            **done,
            "error": _why_no_text(review),
            "report": report.model_dump(mode="json"),
        }
    return ContentStatus.COMPLETED, {
        **done,
        "title": created.title if created is not None else "",
        "content": text,
        "hashtags": list(created.hashtags) if created is not None else [],
        "report": report.model_dump(mode="json"),
    }


def _why_no_text(review: CrewReview) -> str:
    reasons = [step.reason for step in review.steps if step.reason]
    return f"{NO_TEXT}: {reasons[0]}" if reasons else NO_TEXT + "."
