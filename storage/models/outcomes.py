"""What became of each generated item, and which prompt variants were promoted.

One `item_outcomes` row per generation of an item (a suggestion, post, reply draft or
sequence email as the model wrote it). It opens with `outcome` NULL when the text is
stored, is marked `edited` when a person changes the text, and closes exactly once:
approved_as_is | approved_after_edit | rejected, or regenerated when a new generation
replaces it. The template, version, variant and cost are copied from the llm_calls row
so the numbers survive the call log being pruned.

`prompt_promotions` remembers "variant X of template T is the base now" for one content
of the file on disk (`source_hash`): a changed file ends the promotion by itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow


class ItemOutcome(Base):
    __tablename__ = "item_outcomes"
    __table_args__ = (Index("ix_item_outcomes_item", "item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # domain.crew.ItemKind: post | suggestion | reply | sequence_email
    item_kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(Integer)
    llm_call_id: Mapped[int | None] = mapped_column(ForeignKey("llm_calls.id", ondelete="SET NULL"))
    template_name: Mapped[str | None] = mapped_column(String(100), index=True)
    template_version: Mapped[int | None] = mapped_column(Integer)
    variant: Mapped[str | None] = mapped_column(String(50))
    # This item's share of the generating call (a plan's call is split over its posts).
    cost_microusd: Mapped[int] = mapped_column(BigInteger, default=0)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A person changed the text after the model wrote it (an approval becomes "after edit").
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    # NULL while the item waits for a decision (domain: core.experiments.outcomes.Outcome)
    outcome: Mapped[str | None] = mapped_column(String(30))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    seconds_to_decision: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)


class PromptPromotion(Base):
    __tablename__ = "prompt_promotions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    # The content hash of the file on disk when the promotion was made.
    source_hash: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(50))
    # The prompt_versions number whose body the registry renders instead of the file.
    version: Mapped[int] = mapped_column(Integer)
    promoted_by: Mapped[int | None] = mapped_column(BigInteger)
    promoted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
