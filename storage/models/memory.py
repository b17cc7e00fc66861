"""Semantic memory: one row per remembered item (kind, item id), and its events.

The vector is float32: raw bytes on SQLite (LargeBinary), `real[]` on PostgreSQL, so the
same column serves the exact numpy search everywhere and, where pgvector is installed,
an HNSW index on the expression `(embedding::vector(384))` (migration 0017 creates it).
That index is the one object the models do not declare: it exists only where the
extension does (PGVECTOR_INDEX names it for the model/migration comparison).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, REAL
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType

PGVECTOR_INDEX = "ix_memory_items_embedding_hnsw"

F32 = npt.NDArray[np.float32]


class Float32Vector(TypeDecorator[F32]):
    """A 1-d float32 numpy array: bytes on SQLite, real[] on PostgreSQL."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(REAL()))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: F32 | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        vector = np.asarray(value, dtype=np.float32)
        return vector.tolist() if dialect.name == "postgresql" else vector.tobytes()

    def process_result_value(self, value: Any, dialect: Dialect) -> F32 | None:
        if value is None:
            return None
        if isinstance(value, bytes | memoryview):
            return np.frombuffer(value, dtype=np.float32)
        return np.asarray(value, dtype=np.float32)


class MemoryItem(Base):
    __tablename__ = "memory_items"
    __table_args__ = (
        UniqueConstraint("kind", "item_id"),
        Index("ix_memory_items_persona", "persona_id", "at"),
        # What changed since the exact search last looked (core.memory.index).
        Index("ix_memory_items_changes", "persona_id", "updated_at"),
        Index("ix_memory_items_pending", "dims", "embed_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # domain.memory.MemoryKind
    item_id: Mapped[int] = mapped_column(BigInteger)
    persona_id: Mapped[int | None] = mapped_column(ForeignKey("personas.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    # sha256 of the text: a changed text drops the vector, the same text keeps it.
    text_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))  # the latest domain.memory.MemoryEvent
    at: Mapped[datetime] = mapped_column(UTCDateTime())  # when that latest event happened
    engagement: Mapped[dict[str, float] | None] = mapped_column(JSONType)
    # Which embedder made the vector: vectors of another model are never compared.
    model: Mapped[str | None] = mapped_column(String(200))
    dims: Mapped[int | None] = mapped_column(Integer)  # None: not embedded (yet)
    embedding: Mapped[F32 | None] = mapped_column(Float32Vector())
    embed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    embed_after: Mapped[datetime | None] = mapped_column(UTCDateTime())  # back-off
    embed_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class MemoryItemEvent(Base):
    """What happened to an item, in order; (item, event, at) once, so a retry adds nothing."""

    __tablename__ = "memory_events"
    __table_args__ = (UniqueConstraint("memory_id", "event", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    memory_id: Mapped[int] = mapped_column(
        ForeignKey("memory_items.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(20))  # domain.memory.MemoryEvent
    at: Mapped[datetime] = mapped_column(UTCDateTime())
