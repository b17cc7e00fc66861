"""Posts and the record of every state change they went through."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.statuses import PostStatus as S
from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # draft | awaiting_image | ready | scheduled | publishing | published | failed | rejected
    status: Mapped[str] = mapped_column(String(20), default=S.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(200))
    caption: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    image_prompt: Mapped[str | None] = mapped_column(Text)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    suggestion_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestions.id", ondelete="SET NULL"), unique=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    persona_id: Mapped[int | None] = mapped_column(ForeignKey("personas.id", ondelete="SET NULL"))
    content_pillar_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_pillars.id", ondelete="SET NULL")
    )
    description: Mapped[str | None] = mapped_column(Text)
    # image | carousel | video | text (core.campaigns.models.POST_FORMATS)
    format: Mapped[str | None] = mapped_column(String(20))
    # Approval is a flag, not a state: a human approved this content. Editing clears it.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    # When a reviewer was first shown the post.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PostTransition(Base):
    __tablename__ = "post_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
