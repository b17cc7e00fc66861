"""Reply drafts to customer emails, and the Telegram cards that show them.

One draft per inbound email (unique `email_id`): the row is inserted as the claim before
the model is asked, so two replicas never draft the same email twice. Edits, a
regeneration or a new tone rewrite it in place and bump `revision`; buttons act only on
the revision they showed. Statuses: domain.email_replies.ReplyStatus.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class ReplyDraft(Base):
    __tablename__ = "reply_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email_id: Mapped[int] = mapped_column(
        ForeignKey("inbound_emails.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # What the model wrote (null while drafting).
    response_type: Mapped[str | None] = mapped_column(String(20))
    tone: Mapped[str | None] = mapped_column(String(20))
    # The tone a person picked with 🎭; null lets the model choose one.
    requested_tone: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str | None] = mapped_column(Text)
    draft: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=True)
    suggested_actions: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    facts: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    # Promises the draft makes that the order data doesn't back (core.emaildesk.reply_checks).
    warnings: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    # True once a person rewrote the text with ✏️ Edit.
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    template: Mapped[str | None] = mapped_column(String(100))
    template_version: Mapped[int | None] = mapped_column(Integer)
    llm_call_id: Mapped[int | None] = mapped_column(ForeignKey("llm_calls.id", ondelete="SET NULL"))
    # Set once, on the first send attempt, and never changed: a resend is the same message.
    message_id: Mapped[str | None] = mapped_column(String(255))
    # Drafting attempts while `drafting`, send attempts after approval.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # A drafting or sending claim: who holds it and until when (crash recovery).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ReplyCard(Base):
    """A Telegram message showing a draft (one per admin chat), redrawn when it changes."""

    __tablename__ = "reply_cards"
    __table_args__ = (UniqueConstraint("reply_id", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("reply_drafts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
