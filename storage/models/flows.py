"""Generated SMS flows (issue 15) and every version of each.

A `flows` row is one campaign description; each generation (the first, a 🔄 Regenerate,
an ✏️ edited description) adds a `flow_versions` row and moves `current_version` by a
conditional UPDATE, so a double tap stores one version. Only a flow that passed validation
is ever stored: a version row always holds a valid flow. `status` is about the current
version; `approved_version` keeps the last approved one (the export) when a newer draft
follows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class Flow(Base):
    __tablename__ = "flows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The description of the current version (an edit changes it; each version keeps its own).
    description: Mapped[str] = mapped_column(Text)
    # domain.flow_status.FlowStatus
    status: Mapped[str] = mapped_column(String(20), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    approved_version: Mapped[int | None] = mapped_column(Integer)
    # "telegram" or "api"; who asked in Telegram; the persona whose brand allowlists links.
    source: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    persona_id: Mapped[int | None] = mapped_column(ForeignKey("personas.id", ondelete="SET NULL"))
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class FlowVersion(Base):
    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    # The wire JSON without metadata ({"initialStepID": ..., "steps": [...]}) as text: JSONB
    # would reorder the keys, and clients (and people reading an export) expect the
    # design's order: initialStepID first, each step's id and type first.
    flow: Mapped[str] = mapped_column(Text)
    # How it was made: the generating call, the model, tokens and cost of all its calls.
    llm_call_id: Mapped[int | None] = mapped_column(ForeignKey("llm_calls.id", ondelete="SET NULL"))
    model_used: Mapped[str] = mapped_column(String(200))
    tokens_used: Mapped[int] = mapped_column(Integer)
    generation_time_ms: Mapped[int] = mapped_column(Integer)
    prompt_version: Mapped[int] = mapped_column(Integer)
    prompt_variant: Mapped[str] = mapped_column(String(50))
    cost_microusd: Mapped[int] = mapped_column(BigInteger)
    repairs: Mapped[int] = mapped_column(Integer)
    # The deterministic fixes applied, one human line each.
    corrections: Mapped[list[Any]] = mapped_column(JSONType)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
