"""Post formats and how long a caption may be for each, as Telegram counts it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

from domain.errors import ValidationFailed

# The formats social planners use. What each becomes when published is in
# core/publishing/formats.py (docs/PUBLISHING.md): every one but text goes out with its
# image, so its caption is a media caption.
PostFormat = Literal["image", "carousel", "reel", "story", "video", "text"]
POST_FORMATS: tuple[str, ...] = get_args(PostFormat)
TEXT_FORMAT = "text"
# A post made before formats were stored, or with none given, is an image post.
IMAGE_FORMAT = "image"
MEDIA_FORMATS: frozenset[str] = frozenset(POST_FORMATS) - {TEXT_FORMAT}

# Bot API limits: a photo, video or media-group caption holds 1024 characters, a text
# message 4096. A reel or a story posted to a channel is a media post like any other
# (bots can't post real stories to a channel), so it has the media caption's limit.
CAPTION_LIMITS: dict[str, int] = {**dict.fromkeys(MEDIA_FORMATS, 1024), TEXT_FORMAT: 4096}
DEFAULT_LIMIT = 1024
# Friendly names a person or a model may use for a format.
FORMAT_ALIASES = {
    "photo": "image", "picture": "image", "album": "carousel", "gallery": "carousel",
    "reels": "reel", "stories": "story",
}  # fmt: skip
# "image, carousel, reel, story, video or text", for descriptions and schemas.
FORMATS_IN_WORDS = f"{', '.join(POST_FORMATS[:-1])} or {POST_FORMATS[-1]}"


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
