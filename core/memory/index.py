"""Vector search behind one interface, chosen at start-up.

`ExactIndex`: cosine in numpy over unit rows (one matrix-vector product), filtered by kind,
window and exclusion. The arrays stay in memory per store: one persona's rows, or the
shop-wide ones (persona None), of one model. A search for persona X reads X's store and the
shop's; a search without a persona reads the shop's and every persona's with items; the
answers are merged. Each store first reads only the rows written since its last look (an
index on (persona_id, updated_at)), so a store costs one small SELECT and the product. Used on
SQLite (Python's sqlite3 here cannot load extensions, so sqlite-vec is out) and on
PostgreSQL without pgvector. `PgVectorIndex`: the HNSW index of migration 0017, with the
exact search as the fallback whenever the filtered walk returns fewer than k.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.memory.bert import F32
from storage.repos import memory as repo

CACHED_PERSONAS = 32
# And at most this much vector memory (100,000 x 384 float32 is 154 MB): the personas used
# longest ago are dropped first, and reloaded on their next query.
CACHED_BYTES = 320 * 2**20
# Above these sizes the numpy work runs in a worker thread, off the event loop: rows read
# into a store (the first load of a big persona) and rows searched (~1 ms per 10,000).
THREAD_APPLY_ROWS = 2_000
THREAD_SEARCH_ROWS = 20_000
# Rows are re-read from this long before the last look: a replica whose clock is a little
# behind, or a transaction that committed late, is still seen.
LOOKBACK = timedelta(minutes=2)
# HNSW candidates walked per query. The persona/kind/window filters apply after the walk:
# pgvector >= 0.8 walks on until k rows pass them (iterative scan), so 100 is enough for
# the ranking; older versions only see ef_search candidates, so they get far more.
EF_SEARCH = 100
EF_SEARCH_NOT_ITERATIVE = 400

I64 = npt.NDArray[np.int64]


class VectorIndex(Protocol):
    name: str

    async def search(
        self, session: AsyncSession, scope: repo.Scope, query: F32, *, k: int
    ) -> list[tuple[int, float]]:
        """[(memory row id, cosine)], best first, at most k."""
        ...


@dataclass(frozen=True)
class Vectors:
    """A store's vectors as arrays (views of it), for the exact search."""

    ids: I64
    kinds: npt.NDArray[np.str_]
    item_ids: I64
    at: npt.NDArray[np.float64]  # POSIX seconds
    matrix: F32  # (n, dims), unit rows
    alive: npt.NDArray[np.bool_]  # False: the row lost its vector (its text changed)


def top_k(vectors: Vectors, scope: repo.Scope, query: F32, k: int) -> list[tuple[int, float]]:
    """The exact search over loaded arrays; ties keep the older row first."""
    if vectors.matrix.shape[0] == 0 or vectors.matrix.shape[1] != query.shape[0]:
        return []
    keep = vectors.alive.copy()
    if scope.kinds is not None:
        keep &= np.isin(vectors.kinds, list(scope.kinds))
    if scope.since is not None:
        keep &= vectors.at >= scope.since.timestamp()
    if scope.exclude is not None:
        kind, item_id = scope.exclude
        keep &= ~((vectors.kinds == kind) & (vectors.item_ids == item_id))
    # Score every row and mask the others out: indexing the matrix with the kept rows
    # would copy it (150 MB for 100,000 x 384) on every query.
    scores = vectors.matrix @ query
    scores[~keep] = -np.inf
    n = min(k, int(keep.sum()))
    if n == 0:
        return []
    best = np.argpartition(-scores, n - 1)[:n] if n < scores.size else np.arange(scores.size)
    best = best[np.lexsort((vectors.ids[best], -scores[best]))]
    return [(int(vectors.ids[i]), float(scores[i])) for i in best]


def merged(answers: list[list[tuple[int, float]]], k: int) -> list[tuple[int, float]]:
    """Several stores' top-k as one, ranked as `top_k` ranks (best first, ties: older row).
    A row seen twice (it moved store since one of them last looked) counts once."""
    best: dict[int, float] = {}
    for row_id, score in (pair for answer in answers for pair in answer):
        best[row_id] = max(score, best.get(row_id, score))
    return sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))[:k]


def _top_k_of(
    views: list[Vectors], scope: repo.Scope, query: F32, k: int
) -> list[tuple[int, float]]:
    return merged([top_k(view, scope, query, k) for view in views], k)


class _Store:
    """One persona's vectors (or the shop-wide ones) of one model in arrays grown in place
    (x1.5), kept up to date from the rows changed since the last look, so a query reads
    only what changed."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.checked_at: datetime | None = None
        # One reader or writer at a time: the arrays may be in a worker thread's hands.
        self.lock = asyncio.Lock()
        self._n = 0
        self._pos: dict[int, int] = {}
        self._ids: I64 = np.empty(0, np.int64)
        self._item_ids: I64 = np.empty(0, np.int64)
        self._at = np.empty(0, np.float64)
        self._kinds = np.empty(0, "<U20")
        self._alive = np.empty(0, np.bool_)
        self._matrix: F32 = np.empty((0, 0), np.float32)

    def apply(self, rows: list[repo.VectorRow]) -> None:
        for row in rows:
            vector = row.embedding if row.model == self.model else None
            if vector is not None and self._matrix.shape[1] not in (0, vector.shape[0]):
                vector = None  # another size under the same model name: never compared
            i = self._pos.get(row.id)
            if i is None:
                if vector is None:
                    continue
                i = self._append(row.id, vector.shape[0])
            self._alive[i] = vector is not None
            if vector is not None:
                self._matrix[i] = vector
                self._kinds[i], self._item_ids[i], self._at[i] = (
                    row.kind,
                    row.item_id,
                    row.at.timestamp(),
                )

    def drop(self, row_ids: Iterable[int]) -> None:
        """Rows deleted from the table: a refresh never sees a row that is gone."""
        for row_id in row_ids:
            i = self._pos.get(row_id)
            if i is not None:
                self._alive[i] = False

    @property
    def nbytes(self) -> int:
        return int(self._matrix.nbytes)

    def view(self) -> Vectors:
        n = self._n
        return Vectors(
            ids=self._ids[:n], kinds=self._kinds[:n], item_ids=self._item_ids[:n],
            at=self._at[:n], matrix=self._matrix[:n], alive=self._alive[:n],
        )  # fmt: skip

    def _append(self, row_id: int, dims: int) -> int:
        if self._n == self._ids.shape[0]:
            self._grow(max(64, int(self._n * 1.5)), dims)
        i = self._n
        self._n += 1
        self._pos[row_id] = i
        self._ids[i] = row_id
        return i

    def _grow(self, capacity: int, dims: int) -> None:
        def grown(old: npt.NDArray[Any], shape: tuple[int, ...]) -> npt.NDArray[Any]:
            new = np.zeros(shape, dtype=old.dtype)
            if self._n:
                new[: self._n] = old[: self._n]
            return new

        self._ids = grown(self._ids, (capacity,))
        self._item_ids = grown(self._item_ids, (capacity,))
        self._at = grown(self._at, (capacity,))
        self._kinds = grown(self._kinds, (capacity,))
        self._alive = grown(self._alive, (capacity,))
        self._matrix = grown(self._matrix, (capacity, dims))


class ExactIndex:
    name = "numpy-exact"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._stores: OrderedDict[tuple[int | None, str], _Store] = OrderedDict()

    async def search(
        self, session: AsyncSession, scope: repo.Scope, query: F32, *, k: int
    ) -> list[tuple[int, float]]:
        # The shop's store (None) first, then personas by id: every search takes the locks
        # in the same order, so two searches never wait on each other in a circle.
        if scope.persona_id is not None:
            owners: list[int | None] = [None, scope.persona_id]
        else:
            owners = [None, *await repo.personas_with_items(session)]
        async with AsyncExitStack() as held:
            views = []
            for owner in owners:
                store = self._store(owner, scope.model)
                await held.enter_async_context(store.lock)
                await self._refresh(session, store, owner)
                views.append(store.view())
            if sum(view.ids.shape[0] for view in views) > THREAD_SEARCH_ROWS:
                return await asyncio.to_thread(_top_k_of, views, scope, query, k)
            return _top_k_of(views, scope, query, k)

    async def forget(self, row_ids: Sequence[int]) -> None:
        """Rows deleted (memory forgot them) leave every store now: the refresh reads rows
        written since the last look, and a deleted row is never among them."""
        if not row_ids:
            return
        for store in list(self._stores.values()):
            async with store.lock:
                store.drop(row_ids)

    def _store(self, persona_id: int | None, model: str) -> _Store:
        key = (persona_id, model)
        store = self._stores.get(key) or _Store(model)
        self._stores[key] = store
        self._stores.move_to_end(key)
        self._evict()
        return store

    async def _refresh(self, session: AsyncSession, store: _Store, persona_id: int | None) -> None:
        now = self._clock.now()
        since = store.checked_at - LOOKBACK if store.checked_at is not None else None
        rows = await repo.changed(session, persona_id, since=since)
        if len(rows) > THREAD_APPLY_ROWS:
            await asyncio.to_thread(store.apply, rows)
        else:
            store.apply(rows)
        store.checked_at = now

    def _evict(self) -> None:
        """Least recently used first; the store in use (the last) is always kept."""
        while len(self._stores) > 1 and (
            len(self._stores) > CACHED_PERSONAS
            or sum(store.nbytes for store in self._stores.values()) > CACHED_BYTES
        ):
            self._stores.popitem(last=False)


class PgVectorIndex:
    """HNSW for the dimensions it indexes; anything else, or a short answer, goes exact."""

    name = "pgvector-hnsw"

    def __init__(self, exact: ExactIndex, *, indexed_dims: int, iterative: bool) -> None:
        self._exact = exact
        self._dims = indexed_dims
        self._iterative = iterative  # pgvector >= 0.8: hnsw.iterative_scan
        self._ef = EF_SEARCH if iterative else EF_SEARCH_NOT_ITERATIVE

    async def search(
        self, session: AsyncSession, scope: repo.Scope, query: F32, *, k: int
    ) -> list[tuple[int, float]]:
        if query.shape[0] == self._dims:
            found = await repo.pgvector_search(
                session, scope, query, k=k, ef_search=max(self._ef, k), iterative=self._iterative
            )
            if len(found) == k:
                return found
        # Fewer than k: the filters left too few of the walked candidates (or there are
        # fewer than k rows in scope); the exact search tells which.
        return await self._exact.search(session, scope, query, k=k)
