"""Hashtag normalisation shared by suggestions, campaigns and publishing."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Telegram and most networks end a hashtag at the first character that is not a
# letter, digit or underscore, so anything else is dropped rather than split.
_NOT_TAG = re.compile(r"[^\w]", re.UNICODE)
MAX_TAG_LENGTH = 64


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
