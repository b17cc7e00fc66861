"""What the rest of the app sees of a post: frozen plain data, with its JSON form."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.models import PostTransition
from storage.repos.posts import PostRow


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class PostView:
    id: int
    status: str
    title: str
    description: str | None
    caption: str
    hashtags: tuple[str, ...]
    image_prompt: str | None
    format: str | None
    scheduled_at: datetime | None
    campaign_id: int | None
    persona_id: int | None
    content_pillar_id: int | None
    content_pillar_name: str | None
    suggestion_id: int | None
    approved_at: datetime | None
    approved_by: int | None
    seen_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def seen(self) -> bool:
        return self.seen_at is not None

    @property
    def revision(self) -> int:
        """A checksum of what a card shows a reviewer; any change to those words changes it.

        (updated_at would not do: marking a post seen touches it too.)
        """
        shown = (self.title, self.caption, self.hashtags, self.image_prompt, self.format)
        return zlib.crc32(json.dumps(shown).encode())

    @classmethod
    def from_row(cls, row: PostRow) -> PostView:
        post = row.post
        return cls(
            id=post.id, status=post.status, title=post.title, description=post.description,
            caption=post.caption, hashtags=tuple(post.hashtags), image_prompt=post.image_prompt,
            format=post.format, scheduled_at=post.scheduled_at, campaign_id=post.campaign_id,
            persona_id=post.persona_id, content_pillar_id=post.content_pillar_id,
            content_pillar_name=row.pillar_name, suggestion_id=post.suggestion_id,
            approved_at=post.approved_at, approved_by=post.approved_by, seen_at=post.seen_at,
            created_at=post.created_at, updated_at=post.updated_at,
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "approved": self.approved,
            "approved_at": iso(self.approved_at),
            "seen": self.seen,
            "title": self.title,
            "description": self.description,
            "format": self.format,
            "content_pillar": _pillar(self.content_pillar_id, self.content_pillar_name),
            "scheduled_at": iso(self.scheduled_at),
            "caption": self.caption,
            "hashtags": list(self.hashtags),
            "image_prompt": self.image_prompt,
            "campaign_id": self.campaign_id,
            "persona_id": self.persona_id,
            "suggestion_id": self.suggestion_id,
            "created_at": iso(self.created_at),
        }


def _pillar(pillar_id: int | None, name: str | None) -> dict[str, Any] | None:
    return {"id": pillar_id, "name": name} if pillar_id is not None else None


@dataclass(frozen=True)
class TransitionView:
    from_status: str | None
    to_status: str
    actor: str
    at: datetime

    @classmethod
    def from_row(cls, row: PostTransition) -> TransitionView:
        return cls(row.from_status, row.to_status, row.actor, row.at)


@dataclass(frozen=True)
class PostPage:
    items: tuple[PostView, ...]
    offset: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total
