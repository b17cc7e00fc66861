"""A stored row (and its crew run) as a ContentView."""

from __future__ import annotations

from core.content.views import ContentView
from core.crew.types import Brief, CrewReport, CrewReview
from domain.content import ContentStatus
from domain.crew import ContentType
from storage.models import CrewContent


def view_of(row: CrewContent, review: CrewReview | None) -> ContentView:
    report = CrewReport.model_validate(row.report) if row.report is not None else None
    brief = Brief(
        campaign_brief=row.campaign_brief,
        target_audience=row.target_audience,
        content_type=ContentType(row.content_type),
    )
    return ContentView(
        id=row.id,
        public_id=row.public_id,
        status=ContentStatus(row.status),
        brief=brief,
        brand_id=row.brand_id,
        brand_name=row.brand_name,
        title=row.title or "",
        content=row.content or "",
        hashtags=tuple(str(tag) for tag in row.hashtags),
        report=report,
        steps=tuple(review.steps) if review is not None else (),
        error=row.error or "",
        cost_microusd=row.cost_microusd,
        post_id=row.post_id,
        retry_id=row.retry_id,
        created_at=row.created_at,
        completed_at=row.completed_at,
    )
