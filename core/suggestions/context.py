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
