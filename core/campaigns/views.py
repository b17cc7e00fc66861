"""What a created campaign looks like to callers, and its JSON form (the 201 response body)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.posts.views import PostView
from storage.models import Campaign

# A campaign suggestion (source "campaign") is "pending" until a person reviews its draft
# post in /approve, then "accepted" or "rejected" with it (storage.repos.campaigns
# .follow_review). /suggest's queue and buttons leave these rows alone: their post exists.
PENDING = "pending"
ACCEPTED = "accepted"
REJECTED = "rejected"


@dataclass(frozen=True)
class CampaignView:
    id: int
    name: str
    persona_id: int
    persona_name: str
    strategy_metadata: dict[str, Any]
    model: str
    created_by: str
    created_at: datetime
    post_count: int

    @classmethod
    def from_row(cls, row: Campaign, persona_name: str, post_count: int) -> CampaignView:
        return cls(
            id=row.id, name=row.name, persona_id=row.persona_id, persona_name=persona_name,
            strategy_metadata=dict(row.strategy_metadata), model=row.model,
            created_by=row.created_by, created_at=row.created_at, post_count=post_count,
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "persona_id": self.persona_id,
            "persona": {"id": self.persona_id, "name": self.persona_name},
            # The design's GapAnalysis is the record a campaign's suggestions hang off, with
            # its name and strategy: here that is the campaign row itself.
            "gap_analysis_id": self.id,
            "strategy_metadata": self.strategy_metadata,
            "model": self.model,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "post_count": self.post_count,
        }


@dataclass(frozen=True)
class SuggestionRef:
    """The suggestion row that records one planned post."""

    id: int
    post_id: int
    title: str
    content_pillar_id: int | None
    source: str = "campaign"
    status: str = PENDING

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "status": self.status,
            "post_id": self.post_id,
            "draft_post_id": self.post_id,
            "title": self.title,
            "content_pillar_id": self.content_pillar_id,
        }


@dataclass(frozen=True)
class CampaignCreated:
    campaign: CampaignView
    suggestions: tuple[SuggestionRef, ...]
    posts: tuple[PostView, ...]
    pillars_created: tuple[str, ...]
    with_photo: frozenset[int] = frozenset()  # ids of the posts that have a picked image

    def as_json(self) -> dict[str, Any]:
        created = list(self.pillars_created)
        campaign = {**self.campaign.as_json(), "content_pillars_created": created}
        return {
            "campaign": campaign,
            "suggestions": [s.as_json() for s in self.suggestions],
            "posts": [self._post_json(p) for p in self.posts],
        }

    def _post_json(self, post: PostView) -> dict[str, Any]:
        """The post, with the design's names for its image and its suggestion."""
        extra = {
            "has_photo": post.id in self.with_photo,
            "content_suggestion_id": post.suggestion_id,
        }
        return {**post.as_json(), **extra}
