"""Sequence email deliveries (one row per email and recipient) and suppressed addresses.

The unique (sequence_email_id, recipient) pair is what makes "exactly once per recipient"
hold across replicas: the rows are created once, claimed under a lease, and every move
is a conditional update on the claim. Statuses: domain.mailing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.mailing import DeliveryStatus
from storage.base import Base, UTCDateTime, utcnow


class EmailDelivery(Base):
    __tablename__ = "email_deliveries"
    __table_args__ = (
        UniqueConstraint("sequence_email_id", "recipient"),
        # The claim query: due pending rows, soonest first.
        Index("ix_email_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence_email_id: Mapped[int] = mapped_column(
        ForeignKey("sequence_emails.id", ondelete="CASCADE"), index=True
    )
    # Kept with the row so per-sequence stats and logs need no join.
    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("email_sequences.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(320), index=True)  # normalised address
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # sends begun
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The replica holding the claim, until when; a claim past its lease is recovered.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Stable per delivery (a "Send again" reuses it); a bounce report names it, which
    # is how the report finds this row.
    message_id: Mapped[str | None] = mapped_column(String(300), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it reached a final status (sent, failed, unknown, suppressed).
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Failed and unknown rows: when the admins were told (one alert per sequence email
    # covers all its rows); alert_until is the lease of a replica telling them right now.
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alert_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # From a delivery report (RFC 3464) about this message: its status code ("5.1.1"
    # failed → status `bounced`; "4.4.7" delayed → still `sent`, noted) and when it came.
    bounce_status: Mapped[str | None] = mapped_column(String(20))
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UnsubscribeToken(Base):
    """The one unsubscribe link of an address, in every sequence email it ever gets.

    Per address, not per delivery: the link keeps working after "Send again", in another
    sequence's email, and after its sequence is deleted (no foreign key on purpose).
    The token is stored as it is: the next email must carry the same link, so it has to
    be readable again (a hash could not be put back into a link, and an HMAC key kept in
    this same database would protect nothing more). It only ever unsubscribes its own
    address, which whoever can read this table could suppress anyway.
    """

    __tablename__ = "unsubscribe_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)  # normalised
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EmailSuppression(Base):
    """An address no sequence ever mails again (it unsubscribed, or bounced for good)."""

    __tablename__ = "email_suppressions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)  # normalised
    reason: Mapped[str] = mapped_column(String(30))  # domain.mailing.SuppressionReason
    # What asked for it: "link" (the unsubscribe page), "one-click" (RFC 8058), "admin".
    source: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
