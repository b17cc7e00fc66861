"""Email sequences (the email campaign builder): the sequence, its recipients, its emails.

Every planned email is a row from the start, with its due time (UTC), so the schedule
is visible before anything is written; the writer fills in subject and body a few days
ahead, and a human approves each one. Statuses: domain.sequences.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.sequences import SequenceEmailStatus as E
from domain.sequences import SequenceStatus
from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class EmailSequence(Base):
    __tablename__ = "email_sequences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # daily | weekly (domain.sequences.ScheduleType)
    schedule_type: Mapped[str] = mapped_column(String(10))
    # weekly only: emails per week, and the ISO weekdays (1 Monday … 7 Sunday) they go on
    weekly_emails: Mapped[int | None] = mapped_column(Integer)
    weekly_days: Mapped[list[int]] = mapped_column(JSONType, default=list)
    total_months: Mapped[int] = mapped_column(Integer)
    # litellm model string that writes the emails; None means LLM_MODEL
    ai_agent_id: Mapped[str | None] = mapped_column(String(200))
    # active | paused | finished (domain.sequences.SequenceStatus)
    status: Mapped[str] = mapped_column(String(20), default=SequenceStatus.ACTIVE, index=True)
    # The zone and local send time the schedule was planned in, kept with the sequence so
    # a later change of TIMEZONE or SEQUENCE_SEND_TIME does not move planned emails.
    tz: Mapped[str] = mapped_column(String(64))
    send_time: Mapped[time] = mapped_column(Time())
    starts_on: Mapped[date] = mapped_column(Date())
    # "user:<telegram id>" or "api"
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class SequenceRecipient(Base):
    __tablename__ = "sequence_recipients"
    __table_args__ = (UniqueConstraint("sequence_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("email_sequences.id", ondelete="CASCADE"), index=True
    )
    # Normalised (core.sequences.recipients.normalise_email): trimmed, lower case.
    email: Mapped[str] = mapped_column(String(320))
    # Where the consent came from ("api", "csv: list.csv line 4", a CSV's own column)
    consent_source: Mapped[str] = mapped_column(String(200))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SequenceEmail(Base):
    __tablename__ = "sequence_emails"
    __table_args__ = (UniqueConstraint("sequence_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("email_sequences.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … in due order
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # informational | promotional | story | direct (domain.sequences.EmailStructure)
    structure: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(String(200))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    key_points: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # domain.sequences.SequenceEmailStatus
    status: Mapped[str] = mapped_column(String(20), default=E.PLANNED, index=True)
    # Bumped by every change of content or status: buttons carry it, so a tap on an
    # outdated card can't approve text nobody saw.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # When the writer claimed it (a claim older than the writer's lease is taken over).
    writing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    write_attempts: Mapped[int] = mapped_column(Integer, default=0)
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    model: Mapped[str | None] = mapped_column(String(200))
    # The last write failure, shown to the admin; cleared by a successful write.
    error: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the admins were told it is held: they are told once.
    held_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
