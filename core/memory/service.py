"""MemoryService: the one entry point to semantic memory.

`remember` writes a row (never raises: an approval is never blocked by memory); the job
`embed_pending` computes the vectors off the event loop, with back-off on failure;
`similar`, `near_repeat`, `best_accepted` and `get` read. When memory is off (settings,
or no model) the reads answer empty and `reason_off` says why.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.config import MEMORY_NEAR_REPEAT
from core.memory.bert import F32
from core.memory.embedder import Embedder, EmbeddingError
from core.memory.index import ExactIndex, PgVectorIndex, VectorIndex
from core.memory.types import Match, Remembered
from domain.memory import ACCEPTED_AS_IS, BUNDLED_DIMS, MemoryEvent, MemoryKind
from storage.models import MemoryItem
from storage.repos import memory as repo

log = logging.getLogger(__name__)

QUERY_CACHE = 256  # a card asks near_repeat and the prompt asks similar for the same text
LABEL_MAX = 200
RETRY_FIRST_S = 30
RETRY_MAX_S = 6 * 3600
ACCEPTED_POOL = 200  # newest accepted items ranked by engagement for best_accepted
SEARCH_PASSES = 3  # a search that met rows deleted since is asked again, at most this often


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... at most 6 h: a down embedding server is not hammered."""
    return timedelta(seconds=min(RETRY_FIRST_S * 2 ** min(attempts, 20), RETRY_MAX_S))


def _remembered(row: MemoryItem) -> Remembered:
    return Remembered(
        kind=MemoryKind(row.kind), item_id=row.item_id, persona_id=row.persona_id,
        text=row.text, label=row.label, outcome=row.outcome, at=row.at,
        engagement=dict(row.engagement) if row.engagement is not None else None,
    )  # fmt: skip


def _figures(engagement: dict[str, float] | None) -> dict[str, float] | None:
    return {str(k): float(v) for k, v in engagement.items()} if engagement else None


def _engagement_score(row: MemoryItem) -> float:
    # The recorded figures added up (reactions, views, clicks...): more is better.
    return sum(float(v) for v in row.engagement.values()) if row.engagement else float("-inf")


def _in_scope(row: MemoryItem, persona_id: int | None) -> bool:
    """storage.repos.memory.in_scope, for one loaded row."""
    return persona_id is None or row.persona_id in (None, persona_id)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


class MemoryService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        embedder: Embedder | None,
        *,
        reason_off: str | None = None,
        window_days: int = 90,
        near_repeat: float = MEMORY_NEAR_REPEAT,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._embedder = embedder
        self.enabled = embedder is not None and reason_off is None
        self.reason_off = reason_off if reason_off or embedder else "no embedding model"
        self.window_days = window_days
        self.near_repeat_at = near_repeat
        self._exact = ExactIndex(clock)
        self._index: VectorIndex | None = None
        self._index_lock = asyncio.Lock()
        self._queries: OrderedDict[str, F32] = OrderedDict()

    # -- writing ---------------------------------------------------------------------------

    async def remember(
        self, *, kind: MemoryKind, item_id: int, persona_id: int | None, text: str, label: str,
        event: MemoryEvent, at: datetime | None = None,
        engagement: dict[str, float] | None = None,
    ) -> None:  # fmt: skip
        """Upsert one row per (kind, item_id) and record the event. Never raises."""
        if not self.enabled:
            return
        try:
            new = repo.NewMemory(
                kind=MemoryKind(kind).value, item_id=int(item_id), persona_id=persona_id,
                text=text.strip(), text_hash=text_hash(text.strip()), label=label[:LABEL_MAX],
                event=MemoryEvent(event).value, at=at or self._clock.now(),
                engagement=_figures(engagement),
            )  # fmt: skip
            if not new.text:
                log.warning("memory: %s %s has no text; not remembered", kind, item_id)
                return
            async with self._sessions() as session:
                await repo.remember(session, new, now=self._clock.now())
                await session.commit()
        except Exception:
            log.exception("memory: could not remember %s %s (%s)", kind, item_id, event)

    async def embed_pending(self, limit: int = 64) -> int:
        """The job: embed up to `limit` waiting items; how many got their vector."""
        if self._embedder is None or not self.enabled:
            return 0
        now = self._clock.now()
        async with self._sessions() as session:
            items = await repo.pending(session, model=self._embedder.name, now=now, limit=limit)
        if not items:
            return 0
        done = await self._embed_items(self._embedder, items)
        if done:
            log.info("memory: embedded %d item(s)", done)
        return done

    async def _embed_items(self, embedder: Embedder, items: list[repo.Pending]) -> int:
        try:
            vectors = await embedder.embed([item.text for item in items])
        except EmbeddingError as exc:
            if len(items) > 1:  # find the one that fails; the others go through
                return sum([await self._embed_items(embedder, [item]) for item in items])
            await self._failed(items[0], str(exc))
            return 0
        stored = 0
        async with self._sessions() as session:
            for item, vector in zip(items, vectors, strict=True):
                now = self._clock.now()
                stored += await repo.store_vector(
                    session, item, model=embedder.name, vector=vector, now=now
                )
            await session.commit()
        return stored

    async def _failed(self, item: repo.Pending, error: str) -> None:
        retry_at = self._clock.now() + retry_delay(item.attempts)
        log.warning("memory: embedding item %d failed (retry at %s): %s", item.id, retry_at, error)
        async with self._sessions() as session:
            await repo.embed_failed(session, item, error=error, retry_at=retry_at)
            await session.commit()

    async def forget_others(self, kind: MemoryKind, ids: range, keep: Collection[int]) -> None:
        """Forget the items of `kind` numbered in `ids` but not in `keep`: the parts a whole
        no longer has in its newer version (a flow's SMS texts). Never raises."""
        try:
            async with self._sessions() as session:
                gone = await repo.forget_others(session, MemoryKind(kind).value, ids, keep)
                await session.commit()
            await self._exact.forget(gone)
        except Exception:
            log.exception("memory: could not forget the other %s items in %s", kind, ids)

    # -- reading ---------------------------------------------------------------------------

    async def similar(
        self, text: str, *, persona_id: int | None, kinds: Sequence[MemoryKind] | None = None,
        k: int = 5, exclude: tuple[MemoryKind, int] | None = None,
        within_days: int | None = None,
    ) -> list[Match]:  # fmt: skip
        """The k most similar remembered items, best first; [] when off. Items without a
        persona belong to the whole shop: persona X sees its own and those; None sees all."""
        if self._embedder is None or not self.enabled or not text.strip() or k <= 0:
            return []
        try:
            query = await self._query_vector(self._embedder, text.strip())
        except EmbeddingError as exc:
            log.warning("memory: could not embed a query, no matches: %s", exc)
            return []
        since = self._clock.now() - timedelta(days=within_days) if within_days else None
        scope = repo.Scope(
            persona_id=persona_id, model=self._embedder.name,
            kinds=[MemoryKind(x).value for x in kinds] if kinds is not None else None,
            since=since, exclude=(MemoryKind(exclude[0]).value, exclude[1]) if exclude else None,
        )  # fmt: skip
        async with self._sessions() as session:
            found, rows = await self._search(session, scope, query, k)
        # A row gone, or moved out of scope since the arrays were filled, is left out.
        return [
            Match(_remembered(rows[row_id]), min(1.0, max(0.0, similarity)))
            for row_id, similarity in found
            if row_id in rows and _in_scope(rows[row_id], persona_id)
        ]

    async def near_repeat(
        self, text: str, *, persona_id: int | None, exclude: tuple[MemoryKind, int] | None = None
    ) -> Match | None:
        """The best match within MEMORY_WINDOW_DAYS at or above MEMORY_NEAR_REPEAT, in the
        scope `similar` searches (the persona's items and the shop-wide ones)."""
        found = await self.similar(
            text, persona_id=persona_id, k=1, exclude=exclude, within_days=self.window_days
        )
        return found[0] if found and found[0].similarity >= self.near_repeat_at else None

    async def best_accepted(
        self, *, persona_id: int | None, kinds: Sequence[MemoryKind], k: int = 3
    ) -> list[Remembered]:
        """Approved as-is or published, best engagement first, then newest; the persona's
        items and the shop-wide ones (None: every item), as `similar` scopes them."""
        if not self.enabled or k <= 0:
            return []
        outcomes = [event.value for event in ACCEPTED_AS_IS]
        async with self._sessions() as session:
            rows = await repo.accepted(
                session,
                persona_id,
                [MemoryKind(x).value for x in kinds],
                outcomes,
                limit=ACCEPTED_POOL,
            )
        rows.sort(key=lambda row: (_engagement_score(row), row.at, row.id), reverse=True)
        return [_remembered(row) for row in rows[:k]]

    async def get(self, kind: MemoryKind, item_id: int) -> Remembered | None:
        async with self._sessions() as session:
            row = await repo.find(session, MemoryKind(kind).value, item_id)
        return _remembered(row) if row is not None else None

    async def backend(self) -> str:
        """Which search serves queries: numpy-exact or pgvector-hnsw (for logs and check)."""
        async with self._sessions() as session:
            return (await self._chosen_index(session)).name

    # -- internals -------------------------------------------------------------------------

    async def _search(
        self, session: AsyncSession, scope: repo.Scope, query: F32, k: int
    ) -> tuple[list[tuple[int, float]], dict[int, MemoryItem]]:
        """The index's answer and its rows. A row deleted since the exact search loaded it
        (forgotten here, or by another replica) is dropped from its arrays and the search
        asked again, so a gone row never takes one of the k places."""
        index = await self._chosen_index(session)
        for _ in range(SEARCH_PASSES):
            found = await index.search(session, scope, query, k=k)
            rows = await repo.by_ids(session, [row_id for row_id, _ in found])
            gone = [row_id for row_id, _ in found if row_id not in rows]
            if not gone:
                break
            await self._exact.forget(gone)
        return found, rows

    async def _query_vector(self, embedder: Embedder, text: str) -> F32:
        cached = self._queries.get(text)
        if cached is not None:
            self._queries.move_to_end(text)
            return cached
        vector: F32 = (await embedder.embed([text]))[0]
        self._queries[text] = vector
        while len(self._queries) > QUERY_CACHE:
            self._queries.popitem(last=False)
        return vector

    async def _chosen_index(self, session: AsyncSession) -> VectorIndex:
        async with self._index_lock:
            if self._index is None:
                version = await repo.pgvector_installed(session)
                if version is not None:
                    iterative = _version(version) >= (0, 8)
                    self._index = PgVectorIndex(
                        self._exact, indexed_dims=BUNDLED_DIMS, iterative=iterative
                    )
                    log.info("memory: pgvector %s, HNSW search", version)
                else:
                    self._index = self._exact
            return self._index
