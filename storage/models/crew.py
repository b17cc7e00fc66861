"""The review crew's runs: one row per item and version of its content.

Unique (kind, item_id, content_hash): asking again for the same content finds the same row,
so a double tap or a second replica never pays for a second run. The draft is stored with
the request, so whichever replica claims the row (a lease, like the reply drafts') can run
it; `steps` is the live progress the cards poll, `report` the result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class CrewReviewRow(Base):
    __tablename__ = "crew_reviews"
    __table_args__ = (
        UniqueConstraint("kind", "item_id", "content_hash"),
        Index("ix_crew_reviews_item", "kind", "item_id", "requested_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # domain.crew.ItemKind
    item_id: Mapped[int] = mapped_column(Integer)
    # sha256 of the draft and the brand it is judged by (core.crew.service.content_hash).
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)  # domain.crew.ReviewStatus
    draft: Mapped[dict[str, Any]] = mapped_column(JSONType)
    steps: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    cost_microusd: Mapped[int] = mapped_column(BigInteger, default=0)
    # A column of its own (the report has it too) so the confirmation is one conditional UPDATE.
    compliance_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    compliance_confirmed_by: Mapped[int | None] = mapped_column(BigInteger)
    compliance_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Runs started; a run a crash cut off is taken over until MAX_ATTEMPTS.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moved on by a repeated request, so the item's latest review is the one last asked for
    # (content edited A → B → back to A shows A's review again).
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
