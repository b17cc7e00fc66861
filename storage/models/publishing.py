"""Delivery bookkeeping for publishing: one row per post that was scheduled or sent.

Kept apart from `posts` on purpose: the post is the content and its lifecycle status;
this row is who is sending it, until when, what came back and what the admins must be
told. The dispatcher's conditional updates on this row are what make a send happen once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class PostDelivery(Base):
    __tablename__ = "post_deliveries"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    # "telegram:@channel", "webhook", "email:someone@example.com"; None: the default target.
    target: Mapped[str | None] = mapped_column(String(200))
    # The replica holding the claim, and until when; a claim past its lease is recovered.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The paced moment this claim may send at: per target, and for the whole bot (the
    # bookings every replica spaces its sends against).
    send_after: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Set, and committed, right before the request leaves: from here the outcome of a
    # crash is unknown, so the post is never re-sent without a human.
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Comma-separated ids of what was sent (a long text goes out as several messages).
    external_message_id: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An alert owed to the admins (failed | unknown | missed), an outbox: sent by a sweep,
    # cleared once delivered, so a crash or a Telegram outage never loses one.
    alert: Mapped[str | None] = mapped_column(String(20), index=True)
    alert_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PublishPacing(Base):
    """The next free send slot per target, shared by every replica (Telegram's per-chat limit)."""

    __tablename__ = "publish_pacing"

    target: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookMirror(Base):
    """A post published to a Telegram channel, owed to the outgoing webhook too: an outbox.

    Inserted in the transaction that marks the post published, so a crash never loses it;
    sent by a sweep under a lease, at least once, always with the same webhook-id.
    """

    __tablename__ = "webhook_mirrors"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | sent | failed
    # Where the post went ("telegram:@channel") and what came back (comma-separated ids).
    channel: Mapped[str] = mapped_column(String(200))
    message_ids: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Due at (now, or after a backoff); the replica sending it, until when.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receipt: Mapped[str | None] = mapped_column(String(100))  # the receiver's id, if it says
    # An alert owed to the admins ("mirror_failed"), sent by a sweep, cleared once delivered.
    alert: Mapped[str | None] = mapped_column(String(20), index=True)
    alert_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PostReaction(Base):
    """The reactions on one message of a published post, as Telegram last counted them.

    Telegram sends channel reactions as totals (message_reaction_count), not as changes, so
    a newer report replaces the row; a post sent as several messages has a row per message.
    """

    __tablename__ = "post_reactions"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # Per reaction ("👍", "custom:<id>", "paid"): how many times it was added.
    counts: Mapped[dict[str, int]] = mapped_column(JSONType)
    total: Mapped[int] = mapped_column(Integer)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())  # Telegram's date of the change
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
