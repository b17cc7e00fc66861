"""Personas, their content pillars, and the campaigns planned for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class Persona(Base):
    """A brand voice: how captions read, which hashtags to use, what the brand allows."""

    __tablename__ = "personas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # {tone, style, emoji_use, length}
    caption_config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    hashtag_strategy: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    brand_guidelines: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ContentPillar(Base):
    """A theme a persona posts about; every campaign post belongs to one."""

    __tablename__ = "content_pillars"
    __table_args__ = (UniqueConstraint("persona_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    persona_id: Mapped[int] = mapped_column(ForeignKey("personas.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    # Relative share of posts; priority orders pillars (higher first) when shown.
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    persona_id: Mapped[int] = mapped_column(ForeignKey("personas.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    strategy_metadata: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # The litellm model that planned it, or "api" / "mcp" when a program sent the plan.
    model: Mapped[str] = mapped_column(String(200))
    # Who created it: "user:<telegram id>", "api" or "mcp" (the same form as transition actors).
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
