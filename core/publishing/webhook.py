"""What the outgoing webhook carries: a post as a JSON event, as plain data.

For Make, n8n, Zapier or Buffer to carry the post on to other networks. The sender that
signs and POSTs it (aiohttp) is bot/adapters/webhook_sender.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.posts.views import iso
from core.publishing.types import Publication

EVENT_TYPE = "post.publish"


def post_text(caption: str, hashtags: Sequence[str]) -> str:
    """The caption with its hashtags at the end, as the channel shows it."""
    text = caption.strip()
    return f"{text}\n\n{' '.join(hashtags)}" if hashtags else text


def publication_data(publication: Publication) -> dict[str, Any]:
    image = publication.image
    return {
        "post_id": publication.post_id,
        "title": publication.title,
        "caption": publication.caption,
        "hashtags": list(publication.hashtags),
        "text": post_text(publication.caption, publication.hashtags),
        "format": publication.format,
        "scheduled_at": iso(publication.scheduled_at),
        "telegram_file_id": image.file_id if image else None,
    }
