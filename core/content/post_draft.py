"""📣 Make a post draft: what a finished piece of content becomes as a post.

The post is a draft like any other: it waits in /approve, and nothing is published until
a person approves it. A text that fits a photo caption and comes with the design
advisor's image prompt becomes an image post (the prompt goes to /pickimage as it is);
anything longer becomes a text post, up to Telegram's 4096 characters. A blog post longer
than that is refused with what to do instead, never cut.
"""

from __future__ import annotations

from typing import Any

from core.content.views import ContentView
from core.errors import InvalidTransition
from domain.content import ContentStatus
from domain.formats import IMAGE_FORMAT, TEXT_FORMAT, limit_for, published_length

MAX_TITLE = 200


def post_values(view: ContentView) -> dict[str, Any]:
    """The post's fields, or InvalidTransition saying why this content can't be one."""
    if view.status != ContentStatus.COMPLETED:
        raise InvalidTransition("Only finished content can become a post.")
    hashtags = list(view.hashtags)
    length = published_length(view.content, hashtags)
    prompts = view.report.design.image_prompts if view.report and view.report.design else []
    image = bool(prompts) and length <= limit_for(IMAGE_FORMAT)
    if length > limit_for(TEXT_FORMAT):
        raise InvalidTransition(
            f"With its hashtags this text is {length} characters; a Telegram post holds "
            f"{limit_for(TEXT_FORMAT)}. Download it instead, or /write a social media post."
        )
    return {
        "title": _title(view),
        "caption": view.content,
        "hashtags": hashtags,
        "image_prompt": prompts[0] if image else None,
        "format": IMAGE_FORMAT if image else TEXT_FORMAT,
        "description": view.brief.campaign_brief,
    }


def _title(view: ContentView) -> str:
    title = view.title.strip() or view.brief.campaign_brief.strip().splitlines()[0]
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"
