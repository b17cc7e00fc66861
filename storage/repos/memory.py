"""Semantic memory rows: remember (upsert + event), the embedding queue, and the reads the
searches need. Plain values in and out; the service decides when to commit.

Persona scope (`in_scope`): an item without a persona (a /suggest post idea, a reply draft,
a sequence email...) belongs to the whole shop. A search for persona X looks at X's items
and the shop-wide ones; a search without a persona looks at every item.

The embedding queue is the rows without a vector of the current model (`dims` NULL or
another `model`) whose back-off has passed; a vector is stored only if the text it was
computed from is still the row's text (a concurrent edit wins).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    cast,
    delete,
    exists,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import UserDefinedType

from storage.models import MemoryItem, MemoryItemEvent, Persona
from storage.models.memory import F32


@dataclass(frozen=True)
class NewMemory:
    kind: str
    item_id: int
    persona_id: int | None
    text: str
    text_hash: str
    label: str
    event: str
    at: datetime
    engagement: dict[str, float] | None


@dataclass(frozen=True)
class Pending:
    id: int
    text: str
    text_hash: str
    attempts: int


@dataclass(frozen=True)
class Scope:
    """Which rows a search looks at, of one model, optionally narrowed: persona X's and the
    shop-wide ones (persona None) for an id, every row for None (see `in_scope`)."""

    persona_id: int | None
    model: str
    kinds: Sequence[str] | None = None
    since: datetime | None = None
    exclude: tuple[str, int] | None = None


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


# -- remember ----------------------------------------------------------------------------


async def remember(session: AsyncSession, new: NewMemory, *, now: datetime) -> int:
    """Upsert the (kind, item_id) row and record the event once; the row's id."""
    row = await find(session, new.kind, new.item_id)
    if row is None:
        row_id = await _add(session, new, now=now)
        if row_id is None:  # another writer inserted it first: update theirs
            row = await find(session, new.kind, new.item_id)
    if row is not None:
        row_id = row.id
        await session.execute(
            update(MemoryItem).where(MemoryItem.id == row.id).values(_changes(row, new, now))
        )
    assert row_id is not None
    await session.execute(
        _insert(session)(MemoryItemEvent)
        .values(memory_id=row_id, event=new.event, at=new.at)
        .on_conflict_do_nothing(index_elements=["memory_id", "event", "at"])
    )
    return row_id


async def _add(session: AsyncSession, new: NewMemory, *, now: datetime) -> int | None:
    values = {
        "kind": new.kind, "item_id": new.item_id, "persona_id": new.persona_id,
        "text": new.text, "text_hash": new.text_hash, "label": new.label,
        "outcome": new.event, "at": new.at, "engagement": new.engagement,
        "embed_attempts": 0, "created_at": now, "updated_at": now,
    }  # fmt: skip
    statement = (
        _insert(session)(MemoryItem)
        .values(values)
        .on_conflict_do_nothing(index_elements=["kind", "item_id"])
        .returning(MemoryItem.id)
    )
    new_id: int | None = await session.scalar(statement)
    return new_id


async def forget_others(
    session: AsyncSession, kind: str, ids: range, keep: Collection[int]
) -> list[int]:
    """Delete the rows of `kind` whose item id is in `ids` but not in `keep` (what a newer
    version of a whole no longer has; their events go by ON DELETE CASCADE); their row ids."""
    statement = (
        delete(MemoryItem)
        .where(
            MemoryItem.kind == kind,
            MemoryItem.item_id >= ids.start,
            MemoryItem.item_id < ids.stop,
            MemoryItem.item_id.not_in(list(keep)),
        )
        .returning(MemoryItem.id)
    )
    return list(await session.scalars(statement))


def _changes(row: MemoryItem, new: NewMemory, now: datetime) -> dict[str, Any]:
    changes: dict[str, Any] = {"persona_id": new.persona_id, "label": new.label, "updated_at": now}
    if new.engagement is not None:
        changes["engagement"] = new.engagement
    if new.at >= row.at:  # an event older than the latest one does not become the outcome
        changes |= {"outcome": new.event, "at": new.at}
    if new.text_hash != row.text_hash:
        changes |= {
            "text": new.text, "text_hash": new.text_hash, "model": None, "dims": None,
            "embedding": None, "embed_attempts": 0, "embed_after": None, "embed_error": None,
        }  # fmt: skip
    return changes


async def find(session: AsyncSession, kind: str, item_id: int) -> MemoryItem | None:
    row: MemoryItem | None = await session.scalar(
        select(MemoryItem).where(MemoryItem.kind == kind, MemoryItem.item_id == item_id)
    )
    return row


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, MemoryItem]:
    if not ids:
        return {}
    rows = await session.scalars(select(MemoryItem).where(MemoryItem.id.in_(list(ids))))
    return {row.id: row for row in rows}


# -- the embedding queue -----------------------------------------------------------------


async def pending(session: AsyncSession, *, model: str, now: datetime, limit: int) -> list[Pending]:
    rows = await session.execute(
        select(MemoryItem.id, MemoryItem.text, MemoryItem.text_hash, MemoryItem.embed_attempts)
        .where(
            or_(MemoryItem.dims.is_(None), MemoryItem.model != model),
            or_(MemoryItem.embed_after.is_(None), MemoryItem.embed_after <= now),
        )
        .order_by(MemoryItem.id)
        .limit(limit)
    )
    return [Pending(*row) for row in rows.all()]


async def store_vector(
    session: AsyncSession, item: Pending, *, model: str, vector: F32, now: datetime
) -> bool:
    """False when the text changed since it was read (the new text waits its turn)."""
    values = {
        "model": model, "dims": int(vector.shape[0]), "embedding": vector,
        "embed_attempts": 0, "embed_after": None, "embed_error": None, "updated_at": now,
    }  # fmt: skip
    done = await session.execute(
        update(MemoryItem)
        .where(MemoryItem.id == item.id, MemoryItem.text_hash == item.text_hash)
        .values(values)
    )
    return bool(getattr(done, "rowcount", 0))


async def embed_failed(
    session: AsyncSession, item: Pending, *, error: str, retry_at: datetime
) -> None:
    await session.execute(
        update(MemoryItem)
        .where(MemoryItem.id == item.id)
        .values(embed_attempts=item.attempts + 1, embed_after=retry_at, embed_error=error[:2000])
    )


# -- searches ----------------------------------------------------------------------------


def in_scope(persona_id: int | None) -> ColumnElement[bool]:
    """The rows a search for this persona sees: its own and the shop's; None: all of them."""
    if persona_id is None:
        return true()
    return or_(MemoryItem.persona_id == persona_id, MemoryItem.persona_id.is_(None))


def _store_rows(persona_id: int | None) -> ColumnElement[bool]:
    """One store of the exact search: one persona's rows, or the shop-wide ones (None)."""
    if persona_id is None:
        return MemoryItem.persona_id.is_(None)
    return MemoryItem.persona_id == persona_id


def _scope_filter(scope: Scope) -> list[ColumnElement[bool]]:
    where = [
        in_scope(scope.persona_id),
        MemoryItem.model == scope.model,
        MemoryItem.dims.is_not(None),
    ]
    if scope.kinds is not None:
        where.append(MemoryItem.kind.in_(list(scope.kinds)))
    if scope.since is not None:
        where.append(MemoryItem.at >= scope.since)
    if scope.exclude is not None:
        kind, item_id = scope.exclude
        where.append(~and_(MemoryItem.kind == kind, MemoryItem.item_id == item_id))
    return where


@dataclass(frozen=True)
class VectorRow:
    id: int
    kind: str
    item_id: int
    at: datetime
    model: str | None
    embedding: F32 | None


async def changed(
    session: AsyncSession, persona_id: int | None, *, since: datetime | None
) -> list[VectorRow]:
    """One store's rows (a persona's, or the shop-wide ones for None) written at or after
    `since` (all of them when None), vector or not: a row whose vector was dropped (its
    text changed) must leave the search too."""
    columns = (
        MemoryItem.id, MemoryItem.kind, MemoryItem.item_id, MemoryItem.at, MemoryItem.model,
        MemoryItem.embedding,
    )  # fmt: skip
    statement = select(*columns).where(_store_rows(persona_id)).order_by(MemoryItem.id)
    if since is not None:
        statement = statement.where(MemoryItem.updated_at >= since)
    return [VectorRow(*row) for row in (await session.execute(statement)).all()]


def pg_literal(vector: F32) -> str:
    """pgvector's text form, '[0.1,0.2,...]' (repr keeps every float32 digit)."""
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


class PgVector(UserDefinedType[str]):
    """pgvector's `vector(dims)`, only for casts in queries (the column itself is real[])."""

    cache_ok = True

    def __init__(self, dims: int) -> None:
        self.dims = dims

    def get_col_spec(self, **kw: Any) -> str:
        return f"vector({self.dims})"


async def pgvector_search(
    session: AsyncSession, scope: Scope, query: F32, *, k: int, ef_search: int, iterative: bool
) -> list[tuple[int, float]]:
    """Nearest first by cosine, through the HNSW index on (embedding::vector(dims))."""
    dims = int(query.shape[0])
    # Filters apply after the index walk: ef_search bounds how many it looks at, so it is
    # raised well above k; pgvector >= 0.8 also walks on until k pass the filters
    # (iterative scan). The caller falls back to the exact search when still short.
    await session.execute(text(f"SET LOCAL hnsw.ef_search = {int(ef_search)}"))
    if iterative:
        await session.execute(text("SET LOCAL hnsw.iterative_scan = strict_order"))
    # The same expression as the index's, so the planner can use it.
    stored = cast(MemoryItem.embedding, PgVector(dims))
    distance = stored.op("<=>", return_type=Float())(
        cast(literal(pg_literal(query)), PgVector(dims))
    )
    rows = await session.execute(
        select(MemoryItem.id, distance)
        .where(*_scope_filter(scope), MemoryItem.dims == dims)
        .order_by(distance)
        .limit(k)
    )
    return [(int(row[0]), 1.0 - float(row[1])) for row in rows.all()]


async def pgvector_installed(session: AsyncSession) -> str | None:
    """The installed pgvector version in this database, or None (or not PostgreSQL)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    version: str | None = await session.scalar(
        text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    )
    return version


async def accepted(
    session: AsyncSession, persona_id: int | None, kinds: Sequence[str], outcomes: Sequence[str],
    *, limit: int,
) -> list[MemoryItem]:  # fmt: skip
    rows = await session.scalars(
        select(MemoryItem)
        .where(
            in_scope(persona_id),
            MemoryItem.kind.in_(list(kinds)),
            MemoryItem.outcome.in_(list(outcomes)),
        )
        .order_by(MemoryItem.at.desc(), MemoryItem.id.desc())
        .limit(limit)
    )
    return list(rows)


async def personas_with_items(session: AsyncSession) -> list[int]:
    """The personas that have remembered items: the stores a search without a persona reads.
    One index probe per persona (personas are few; memory rows may be 100,000s)."""
    has_items = exists().where(MemoryItem.persona_id == Persona.id)
    rows = await session.scalars(select(Persona.id).where(has_items).order_by(Persona.id))
    return list(rows)
