"""Hashtag normalisation shared by suggestions, campaigns, personas and publishing."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Telegram and most networks end a hashtag at the first character that is not a
# letter, digit or underscore, so anything else is dropped rather than split.
_NOT_TAG = re.compile(r"[^\w]", re.UNICODE)
MAX_TAG_LENGTH = 64
# The shape asked of a model in its answer schema (a grammar hint; validation is the
# lenient normalisation below).
HASHTAG_PATTERN = "^#[A-Za-z][A-Za-z0-9_]{1,30}$"


def normalize_hashtag(raw: str) -> str | None:
    body = _NOT_TAG.sub("", raw.strip().lstrip("#"))
    if not body or body.isdigit():
        return None
    return "#" + body[:MAX_TAG_LENGTH]


def normalize_hashtags(raw: Iterable[str]) -> list[str]:
    """Normalised, de-duplicated case-insensitively, order kept."""
    seen: set[str] = set()
    result: list[str] = []
    for item in raw:
        tag = normalize_hashtag(item)
        if tag is not None and tag.lower() not in seen:
            seen.add(tag.lower())
            result.append(tag)
    return result


def strict_hashtags(raw: Iterable[str]) -> list[str]:
    """Like `normalize_hashtags`, but a tag that normalises to nothing is refused, not
    dropped: for tags a person chose (a campaign plan, a persona's strategy)."""
    tags: list[str] = []
    for item in raw:
        tag = normalize_hashtag(item)
        if tag is None:
            raise ValueError(f"has {item!r}, which is not a usable hashtag")
        if tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tags
