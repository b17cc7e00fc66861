"""Content the crew wrote from a brief: /write in Telegram and POST /api/campaign/create.

One row per brief. It is inserted as `processing` before the crew is asked (the crew's own
row, `crew_reviews` kind "content", holds the run and its progress) and settled once, by
a conditional UPDATE, to `completed` with the final text and the crew's report, or to
`failed` with a reason. `public_id` is the design's `campaign_id`: a string a client can't
guess or count through; the integer id stays inside (buttons, foreign keys).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class CrewContent(Base):
    __tablename__ = "crew_contents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # The brief, as asked.
    campaign_brief: Mapped[str] = mapped_column(Text)
    target_audience: Mapped[str] = mapped_column(Text, default="")
    content_type: Mapped[str] = mapped_column(String(20))
    # The brand it was written for (null: none existed); its name is kept for the record.
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"))
    brand_name: Mapped[str | None] = mapped_column(String(100))
    # Where the brief came from ("telegram" or "api") and who sent it in Telegram.
    source: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    # The result: the final text (the optimizer's rewrite, else the creator's draft).
    title: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    hashtags: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    # core.crew.types.CrewReport as JSON: scores, feedback, findings, design advice, steps.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    cost_microusd: Mapped[int] = mapped_column(Integer, default=0)
    # 📣 Make a post draft: the one post made from it (a second tap finds it).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    # 🔁 Try again on a failed piece: the new piece asked for instead (once, whoever taps).
    retry_id: Mapped[int | None] = mapped_column(
        ForeignKey("crew_contents.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
