"""The context /suggest gives the model: date, weekday, recent and queued posts, products."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Post
from storage.repos import posts as post_repo

RECENT_LIMIT = 5
QUEUED_LIMIT = 10


def _local(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else None


def _recent_item(post: Post, tz: ZoneInfo) -> dict[str, object]:
    return {
        "title": post.title,
        "caption": post.caption,
        "published_at": _local(post.updated_at, tz),
    }


def _queued_item(post: Post, tz: ZoneInfo) -> dict[str, object]:
    return {"title": post.title, "scheduled_at": _local(post.scheduled_at, tz) or "not scheduled"}


async def gather(session: AsyncSession, *, now: datetime, tz: ZoneInfo) -> dict[str, object]:
    recent = await post_repo.recent(session, limit=RECENT_LIMIT)
    queued = await post_repo.queued(session, after=now, limit=QUEUED_LIMIT)
    local_now = now.astimezone(tz)
    return {
        "today": f"{local_now:%Y-%m-%d %H:%M} ({local_now:%A})",
        "timezone": tz.key,
        "recent_posts": [_recent_item(p, tz) for p in recent],
        "queued_posts": [_queued_item(p, tz) for p in queued],
        "products": [],
        "brand": "",
    }


def about(variables: dict[str, object]) -> str:
    """What the next post is about, for semantic memory: the post turned down (a
    regeneration), else the brand notes, the recent posts' titles and captions and the
    queued posts' titles (what the channel is talking about now)."""
    rejected = variables.get("rejected")
    if isinstance(rejected, dict):
        return "\n".join(str(rejected.get(key, "")) for key in ("title", "what", "caption"))
    parts = [str(variables.get("brand") or "")]
    for post in _dicts(variables.get("recent_posts")):
        parts.append(f"{post.get('title', '')}: {post.get('caption', '')}")
    parts += [str(post.get("title", "")) for post in _dicts(variables.get("queued_posts"))]
    return "\n".join(part for part in parts if part)


def _dicts(value: object) -> list[dict[str, object]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
