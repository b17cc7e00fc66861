"""A post as Telegram messages: a photo caption of at most 1024, texts of at most 4096.

Limits count UTF-16 code units after entity parsing, as Telegram does. A text too long
for one message is cut at a paragraph, else a sentence, else a line or a space, never
inside a word if it can be helped. The cutting happens on the plain text and each part
is HTML-escaped afterwards, so no part can end inside a tag or an entity. The hashtags
stay together at the very end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
Limits = Callable[[int], int]  # the limit of the n-th message
# Preferred cut points, best first: the cut goes right after the match.
_BREAKS = tuple(re.compile(p) for p in (r"\n\s*\n", r"[.!?…](?=\s)", r"\n", r"\s"))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def telegram_parts(caption: str, hashtags: Sequence[str], *, photo: bool) -> list[str]:
    """The HTML of each message, in order; with `photo`, the first one is its caption."""
    body, tags = caption.strip(), " ".join(hashtags).strip()
    limits = _limits(photo)
    whole = f"{body}\n\n{tags}" if body and tags else body or tags
    if utf16_len(whole) <= limits(0):
        return [escape(whole)] if whole or not photo else [""]
    parts = _split(body, limits)
    if tags:
        _append_tags(parts, tags, limits)
    return [escape(part) for part in parts]


def _limits(photo: bool) -> Limits:
    def limit(index: int) -> int:
        return CAPTION_LIMIT if photo and index == 0 else TEXT_LIMIT

    return limit


def _split(text: str, limit_of: Limits) -> list[str]:
    parts: list[str] = []
    rest = text
    while rest:
        head, rest = _cut(rest, limit_of(len(parts)))
        parts.append(head)
    return parts or [""]


def _append_tags(parts: list[str], tags: str, limit_of: Limits) -> None:
    last = len(parts) - 1
    joined = f"{parts[last]}\n\n{tags}" if parts[last] else tags
    if utf16_len(joined) <= limit_of(last):
        parts[last] = joined
    else:
        parts.append(tags)


def _cut(text: str, limit: int) -> tuple[str, str]:
    """The longest good head of `text` within `limit`, and the rest (both stripped)."""
    if utf16_len(text) <= limit:
        return text.strip(), ""
    window = _prefix(text, limit)
    at = _best_break(window) or len(window)
    return text[:at].strip(), text[at:].strip()


def _prefix(text: str, limit: int) -> str:
    """The longest prefix within `limit` UTF-16 units (never half a surrogate pair)."""
    size = 0
    for index, char in enumerate(text):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return text[:index]
    return text


def _best_break(window: str) -> int | None:
    """Cut after the best break in the second half of the window; any break at all if none."""
    fallback = None
    for pattern in _BREAKS:
        ends = [m.end() for m in pattern.finditer(window)]
        if not ends:
            continue
        if ends[-1] >= len(window) // 2:
            return ends[-1]
        fallback = max(fallback or 0, ends[-1])
    return fallback
