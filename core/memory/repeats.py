"""The near-repeat warning on review cards: is this draft too close to something before?

A card asks once when it is drawn (one similarity query). An item is never warned about
itself, nor about where it came from (a post approved from a post idea or made from a
/write piece has those words by design), so `origins` are passed over.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.memory.link import Memory, MemoryLink
from core.memory.types import Match, Remembered
from domain.memory import MemoryKind
from storage.repos import contents as content_repo

log = logging.getLogger(__name__)

Key = tuple[MemoryKind, int]


def warning_line(match: Match) -> str:
    """'⚠️ 84 % similar to the post of 3 Oct' (plain text: the caller escapes it)."""
    return f"⚠️ {round(match.similarity * 100)} % similar to {match.item.label}"


class RepeatCheck:
    """Near-repeats for cards, and the earlier item a "👀 See earlier" button shows."""

    def __init__(
        self,
        link: MemoryLink | None = None,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        *,
        threshold: float | None = None,
        window_days: int | None = None,
    ) -> None:
        """`threshold`/`window_days` (MEMORY_NEAR_REPEAT, MEMORY_WINDOW_DAYS) are needed only
        to look past an item's own origin; without them such a match warns of nothing."""
        self.link = link or MemoryLink()
        self._sessions = sessions
        self.threshold = threshold
        self.window_days = window_days

    async def check(
        self,
        kind: MemoryKind,
        item_id: int,
        text: str,
        *,
        persona_id: int | None,
        origins: Sequence[Key] = (),
    ) -> Match | None:
        """The closest earlier item at or above the threshold within the window, or None
        (memory off, nothing close, or memory failing: a card never waits on it)."""
        memory = self.link.memory
        if memory is None or not text.strip():
            return None
        try:
            return await self._check(memory, (kind, item_id), text, persona_id, set(origins))
        except Exception:
            log.exception("memory: near-repeat check failed", extra={"kind": str(kind)})
            return None

    async def post_origins(self, post_id: int, suggestion_id: int | None) -> tuple[Key, ...]:
        """The post idea a post was approved from and the /write piece it was made from."""
        keys: list[Key] = []
        if suggestion_id is not None:
            keys.append((MemoryKind.SUGGESTION, suggestion_id))
        if self._sessions is not None and self.link.memory is not None:
            async with self._sessions() as session:
                content_id = await content_repo.made_into(session, post_id)
            if content_id is not None:
                keys.append((MemoryKind.CONTENT, content_id))
        return tuple(keys)

    async def earlier(self, kind: MemoryKind, item_id: int) -> Remembered | None:
        memory = self.link.memory
        return await memory.get(kind, item_id) if memory is not None else None

    async def _check(
        self, memory: Memory, own: Key, text: str, persona_id: int | None, origins: set[Key]
    ) -> Match | None:
        match = await memory.near_repeat(text, persona_id=persona_id, exclude=own)
        if match is None or _key(match) not in origins:
            return match
        if self.threshold is None:
            return None
        matches = await memory.similar(
            text, persona_id=persona_id, k=len(origins) + 2, exclude=own,
            within_days=self.window_days,
        )  # fmt: skip
        threshold = self.threshold
        return next(
            (m for m in matches if _key(m) not in origins and m.similarity >= threshold), None
        )


def _key(match: Match) -> Key:
    return (match.item.kind, match.item.item_id)
