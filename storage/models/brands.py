"""Brand guidelines as stored rows: one per persona, plus brands tied to no persona.

The guidelines themselves are one JSON document (core.brands.guidelines.BrandGuidelines, validated
before it is written), so adding a field to the domain type needs no migration. Two partial
unique indexes keep the invariants in the database, where two admins racing can't break
them: at most one default brand, and one persona-less brand per name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = (
        Index(
            "uq_brands_one_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default = 1"),
            postgresql_where=text("is_default"),
        ),
        Index(
            "uq_brands_name_without_persona",
            "name_key",
            unique=True,
            sqlite_where=text("persona_id IS NULL"),
            postgresql_where=text("persona_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null: a brand chosen by id (/write, the REST API) or used as the default.
    persona_id: Mapped[int | None] = mapped_column(
        ForeignKey("personas.id", ondelete="CASCADE"), unique=True
    )
    # brand_name casefolded: an upload of "ACME" replaces the persona-less "Acme".
    name_key: Mapped[str] = mapped_column(String(100))
    guidelines: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The brand for items whose persona has none (or that have no persona).
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # "user:<telegram id>", "api": who last saved it.
    updated_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
