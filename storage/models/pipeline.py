"""Image runs on ComfyUI, the posts waiting on them, their candidates, and signed callbacks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.statuses import PostStatus as S
from storage.base import Base, UTCDateTime, utcnow


class ImageRun(Base):
    """One ComfyUI job: pending → running → completed | failed | cancelled."""

    __tablename__ = "image_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Our own id, sent to ComfyUI as prompt_id: a resubmission after a crash is recognised.
    prompt_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    image_prompt: Mapped[str] = mapped_column(Text)
    seed: Mapped[int] = mapped_column(BigInteger)
    batch_size: Mapped[int] = mapped_column(Integer)
    # Where the run is reported: the chat, its live status message, the Pick message.
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)
    pick_message_id: Mapped[int | None] = mapped_column(BigInteger)
    requested_by: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    picked_position: Mapped[int | None] = mapped_column(Integer)
    picked_by: Mapped[int | None] = mapped_column(BigInteger)
    picked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once, by Regenerate, Edit prompt or Retry: a second tap finds it set.
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("image_runs.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ImageRunPost(Base):
    """A post waiting on a run; the picked image goes to every one of them."""

    __tablename__ = "image_run_posts"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("image_runs.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Where the post goes back to when the run is cancelled (draft, or ready with its old image).
    previous_status: Mapped[str] = mapped_column(String(20), default=S.DRAFT)


class RunImage(Base):
    """One candidate of a run, stored on disk under the data directory."""

    __tablename__ = "run_images"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("image_runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based, as on the Pick buttons
    path: Mapped[str] = mapped_column(String(500))  # relative to the data directory
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(255))  # the file name on ComfyUI
    # Telegram's id of the uploaded photo: publishing sends it again without uploading.
    file_id: Mapped[str | None] = mapped_column(String(255))
    picked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PipelineWebhook(Base):
    """A `webhook-id` already received on /webhooks/pipeline: a redelivery changes nothing."""

    __tablename__ = "pipeline_webhooks"

    webhook_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(50))
    prompt_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
