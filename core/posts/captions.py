"""Post formats and how long a caption may be for each, as Telegram counts it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

from core.errors import ValidationFailed

PostFormat = Literal["image", "carousel", "video", "text"]
POST_FORMATS: tuple[str, ...] = get_args(PostFormat)

# Bot API limits: a photo, video or media-group caption holds 1024 characters, a text
# message 4096. Stories are left out on purpose: bots can post them only through a
# business account, never to the channel in PUBLISH_CHAT_ID.
CAPTION_LIMITS: dict[str, int] = {"image": 1024, "carousel": 1024, "video": 1024, "text": 4096}
DEFAULT_LIMIT = 1024


def published_length(caption: str, hashtags: Sequence[str]) -> int:
    """Length of the text as it will be sent: the caption, a blank line, the hashtags."""
    if not hashtags:
        return len(caption)
    return len(caption) + 2 + len(" ".join(hashtags))


def limit_for(post_format: str | None) -> int:
    return CAPTION_LIMITS.get(post_format or "", DEFAULT_LIMIT)


def check_caption(text: str, post_format: str | None, hashtags: Sequence[str]) -> str:
    caption = text.strip()
    if not caption:
        raise ValidationFailed(["The new caption is empty."])
    length, limit = published_length(caption, hashtags), limit_for(post_format)
    if length > limit:
        raise ValidationFailed(
            [f"With its hashtags the caption is {length} characters; {limit} is the most."]
        )
    return caption
