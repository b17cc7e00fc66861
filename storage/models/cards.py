"""Cards that show "Writing…" while a model call runs for them, so a restart can restore them.

One row per item at a time (a post, a suggestion; a new /suggest has no item yet): the
row is also what makes a double tap start one model call, across replicas too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow


class CardInFlight(Base):
    __tablename__ = "cards_in_flight"
    __table_args__ = (UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # post | suggestion | suggest (core.inflight.CardKind)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int | None] = mapped_column(Integer)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewCard(Base):
    """A review card the bot showed in a chat (a post, suggestion, reply draft or sequence
    email), so a decision made elsewhere (the Mini App, another admin's card) can redraw it.

    One row per message: a message redrawn for the same item updates its revision.
    """

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id"),
        Index("ix_review_cards_kind_item_id", "kind", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    # post | suggestion | reply | sequence_email (domain.crew.ItemKind)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(Integer)
    # The item's revision the card showed (what its buttons act on).
    revision: Mapped[int] = mapped_column(BigInteger)
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
